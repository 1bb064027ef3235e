"""One line on a `vigie replay --format json` output: alerts, rules, events counted, bad lines.

Used by deploy/bench.sh and tests/bench/windows.sh to check that a figure comes from a run
that raised the expected alerts."""
import json
import sys

alerts, rules, events, bad = 0, set(), 0, 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        try:
            a = json.loads(line)
            alerts += 1
            rules.add(a["rule"]["id"])
            events += int(a.get("count", 1))
        except (ValueError, KeyError, TypeError):
            bad += 1
print(f"{alerts} alerts from {len(rules)} rules, {events} events counted in them, {bad} unparseable lines")
