#!/usr/bin/env python3
"""Spray log for the memory figure of issue 5 (tests/bench/spray.sh).

Writes LINES RFC 3164 sshd "Failed password" lines from LINES distinct source addresses, spread
evenly over one minute of event time, with a real brute force in the middle: --attempts
failures from one address (183.62.140.253), one every --gap spray lines. Deterministic (no
randomness): the same arguments give the same file.
"""
import argparse
import sys

ATTACKER = "183.62.140.253"


def spray_address(i: int) -> str:
    # 2,000,000 distinct addresses from 11.0.0.0 upwards (never the attacker's).
    n = (11 << 24) + i
    return f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--lines", type=int, default=2_000_000, help="spray lines (distinct addresses)")
    p.add_argument("--attempts", type=int, default=12, help="failures of the real brute force")
    p.add_argument("--gap", type=int, default=1000, help="spray lines between two of its failures")
    p.add_argument("out")
    a = p.parse_args()
    if a.lines < 1 or a.attempts < 1 or a.gap < 1:
        p.error("--lines, --attempts and --gap must be positive")
    first = max(0, a.lines // 2 - a.attempts * a.gap // 2)
    attack_at = {first + k * a.gap for k in range(a.attempts)}
    total = a.lines + a.attempts
    with open(a.out, "w", encoding="ascii", newline="\n") as f:
        out = []
        written = 0
        for i in range(a.lines):
            if i in attack_at:
                sec = written * 60 // total
                out.append(f"<38>Mar 10 10:15:{sec:02d} srv-ssh sshd[{7000 + i % 1000}]: Failed password for root "
                           f"from {ATTACKER} port {50000 + written % 10000} ssh2\n")
                written += 1
            sec = written * 60 // total
            out.append(f"<38>Mar 10 10:15:{sec:02d} srv-ssh sshd[{2000 + i % 5000}]: Failed password for root "
                       f"from {spray_address(i)} port {1024 + i % 60000} ssh2\n")
            written += 1
            if len(out) >= 65536:
                f.writelines(out)
                out.clear()
        f.writelines(out)
    print(f"{total} lines, {a.lines} spray addresses, {a.attempts} failures from {ATTACKER}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
