#!/usr/bin/env python3
"""Writes the benchmark's rule pack, the same regexes for RE2::Set, and a SEC configuration.

Out of DIR it writes:
  rules/pack-NN.yml  N regex rules as Vigie detection rules (DESIGN.md §5), 100 per file:
                     detection: { selection: { message|re: '<pattern>' }, condition: selection }
  rules/fields.yml   field-based rules (process.name, host.hostname, contains/startswith/
                     endswith/cidr, keywords, 1 of, not) and event_count correlations, so the
                     pack exercises more than the regex path
  patterns.txt       the N regexes, one per line, in rule order (bench_re2set input)
  sec.conf           the first --sec-rules regexes as SEC SingleWithThreshold rules,
                     window=300 thresh=10

The patterns are variants of the message shapes of gen_authlog.py (user names, networks, key
types, ports, commands, error strings), most naming values the log never contains, so a few
percent of lines hit; every pattern is valid in both RE2 and Perl (SEC), with no captures, and
matches the same whether applied to the syslog message alone (Vigie's `message` field) or to
the whole line (RE2::Set and SEC read raw lines). Deterministic for a given --seed.

Usage: gen_rulepack.py --rules 1000 --sec-rules 100 --seed 1 DIR
"""
import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import authlog_vocab as V  # noqa: E402

RE_SPECIAL = set(".^$*+?()[]{}|\\")


def esc(s):
    return "".join("\\" + c if c in RE_SPECIAL else c for c in s)


def net(prefix):
    return esc(prefix) + r"\.\d+"


def families():
    """Yields (title, level, pattern) for every candidate rule, grouped by message shape."""
    ssh_users = V.BRUTE_USERS + V.OTHER_USERS + V.ADMINS + V.SERVICE_USERS
    for u in ssh_users:
        yield f"SSH failed password for {u}", "low", rf"Failed password for (?:invalid user )?{esc(u)} from \S+ port \d+ ssh2"
    for n in V.WATCHED_NETS:
        yield f"SSH invalid user from {n}.0/24", "medium", rf"Invalid user \S+ from {net(n)} port \d+"
        yield f"SSH failed password from {n}.0/24", "medium", rf"Failed password for .+ from {net(n)} port \d+"
        yield f"SSH preauth close from {n}.0/24", "low", rf"Connection closed by (?:authenticating|invalid) user \S+ {net(n)} port \d+ \[preauth\]"
        yield f"SSH login accepted from {n}.0/24", "critical", rf"Accepted (?:password|publickey|keyboard-interactive/pam) for \S+ from {net(n)} port"
        yield f"SSH auth failure rhost {n}.0/24", "medium", rf"pam_unix\(sshd:auth\): authentication failure;.* rhost={net(n)}"
        yield f"SSH banner garbage from {n}.0/24", "low", rf"(?:Bad protocol version identification .*|Did not receive identification string) from {net(n)}"
        yield f"Firewall drop from {n}.0/24", "low", rf"\[UFW BLOCK\] IN=\S+ .*SRC={net(n)}\s"
    local = V.ADMINS + V.SERVICE_USERS + ["root"]
    for u in local:
        for kt in V.RARE_KEY_TYPES:
            yield f"SSH {kt} key accepted for {u}", "medium", rf"Accepted publickey for {esc(u)} from \S+ port \d+ ssh2: {esc(kt)} SHA256:"
        yield f"SSH preauth disconnect of {u}", "low", rf"Disconnected from authenticating user {esc(u)} \S+ port \d+ \[preauth\]"
    for u in V.SERVICE_USERS + V.OTHER_USERS:
        yield f"SSH password login by service account {u}", "high", rf"Accepted password for {esc(u)} from \S+ port \d+"
    for p in V.INTERNAL_PREFIXES:
        yield f"SSH root login from {p}.0.0/16", "high", rf"Accepted \S+ for root from {esc(p)}\.\d+\.\d+ port"
    for what in ["key exchange method", "host key type", "cipher", "MAC"]:
        yield f"SSH no matching {what}", "informational", rf"Unable to negotiate with \S+ port \d+: no matching {what} found"
    for u in V.BRUTE_USERS[:24] + V.OTHER_USERS[:24]:
        yield f"SSH max auth attempts for {u}", "medium", rf"error: maximum authentication attempts exceeded for (?:invalid user )?{esc(u)} from"
        yield f"SSH account locked: {u}", "high", rf"pam_faillock\(sshd:auth\): Consecutive login failures for user {esc(u)} account temporarily locked"
    for reason in ["read: Connection reset by peer", "banner line contains invalid characters",
                   "client sent invalid protocol identifier", "Connection closed by remote host"]:
        yield f"SSH kex identification: {reason}", "informational", rf"error: kex_exchange_identification: {esc(reason)}"
    for cmd in V.SUSPICIOUS_SUDO:
        yield f"sudo runs {cmd}", "medium", rf" : TTY=\S+ ; PWD=\S+ ; USER=root ; COMMAND={esc(cmd)}"
    for u in V.SERVICE_USERS + V.OTHER_USERS:
        yield f"sudo used by service account {u}", "high", rf"\b{esc(u)} : TTY=\S+ ; PWD=\S+ ; USER=\S+ ; COMMAND="
    for target in ["postgres", "oracle", "www-data", "svc-pacs", "svc-hl7", "backup", "nobody", "mysql"]:
        yield f"sudo to {target}", "low", rf" ; USER={esc(target)} ; COMMAND="
    for u in V.ADMINS[:8]:
        for cmd in V.SUSPICIOUS_SUDO[:10]:
            yield f"sudo {cmd} by {u}", "high", rf"\b{esc(u)} : TTY=\S+ ; PWD=\S+ ; USER=root ; COMMAND={esc(cmd)}"
    for u in V.ADMINS + V.SERVICE_USERS + V.OTHER_USERS:
        yield f"sudo wrong password by {u}", "low", rf"\b{esc(u)} : \d+ incorrect password attempts"
        yield f"sudo refused to {u}", "medium", rf"\b{esc(u)} : user NOT in sudoers"
        yield f"sudo auth failure for {u}", "low", rf"pam_unix\(sudo:auth\): authentication failure;.* user={esc(u)}$"
    for t in ["root", "postgres", "oracle"]:
        for u in V.ADMINS:
            yield f"su to {t} failed for {u}", "medium", rf"FAILED SU \(to {esc(t)}\) {esc(u)} on"
    for t in ["root", "postgres", "oracle", "www-data", "backup"]:
        yield f"su auth failure to {t}", "medium", rf"pam_unix\(su(?:-l)?:auth\): authentication failure;.* user={esc(t)}$"
    for u in ["root", "www-data", "postgres", "backup", "zabbix", "nobody", "mysql", "tomcat", "jenkins", "oracle"]:
        for s in V.SUSPICIOUS_CRON:
            yield f"cron job of {u} runs {s.strip()}", "high", rf"\({esc(u)}\) CMD \(.*{esc(s)}"
    for p in V.SCANNED_PORTS:
        for proto in ["TCP", "UDP"]:
            yield f"Firewall drop {proto}/{p}", "informational", rf"\[UFW BLOCK\] IN=\S+ .*PROTO={proto} SPT=\d+ DPT={p}\b"
        yield f"SYN flood on port {p}", "high", rf"Possible SYN flooding on port {p}\."
    for proc in V.OOM_PROCS:
        yield f"OOM killed {proc}", "medium", rf"Out of memory: Killed process \d+ \({esc(proc)}\)"
    for prof in V.APPARMOR_PROFILES:
        for op in V.APPARMOR_OPS:
            yield f"AppArmor denied {op} for {prof}", "low", rf'apparmor="DENIED" operation="{op}" .*profile="{esc(prof)}"'
    for lib in ["libc.so.6", "libcrypto.so.3", "libssl.so.3", "libpthread.so.0", "ld-linux-x86-64.so.2",
                "libstdc++.so.6", "libz.so.1", "libpq.so.5", "libxml2.so.2", "libjvm.so"]:
        yield f"segfault in {lib}", "medium", rf"segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error \d+ in {esc(lib)}"
    for dev in ["sda1", "sda2", "sdb1", "sdc1", "dm-0", "dm-1", "md0", "nvme0n1p2"]:
        yield f"EXT4 error on {dev}", "high", rf"EXT4-fs error \(device {esc(dev)}\)"
    for vid in ["0781", "090c", "13fe", "058f", "0951", "1f75", "8564", "18a5", "154b", "125f"]:
        yield f"USB storage vendor {vid}", "low", rf"usb \d+-[\d.]+: New USB device found, idVendor={vid}"
    yield "conntrack table full", "high", r"nf_conntrack: table full, dropping packet"
    yield "Secondary NIC down", "medium", r"e1000e: eth1 NIC Link is Down"
    yield "SSH auth check, unknown user", "low", r"pam_unix\(sshd:auth\): check pass; user unknown"


def yaml_str(s):
    return "'" + s.replace("'", "''") + "'"


def field_rules():
    """Field-based rules and correlations (Vigie only; RE2::Set and SEC get the regexes)."""
    return r"""title: Interactive shell through sudo
id: bench-f01
level: high
detection:
  selection:
    process.name: sudo
    message|contains: 'COMMAND=/bin/bash'
  filter:
    message|contains: 'user NOT in sudoers'
  condition: selection and not filter
---
title: Failed su to root
id: bench-f02
level: medium
detection:
  selection:
    process.name: su
    message|startswith: 'FAILED SU (to root)'
  condition: selection
---
title: Password login on a PACS server
id: bench-f03
level: high
detection:
  selection:
    process.name: sshd
    host.hostname|contains: '-pacs'
    message|startswith: 'Accepted password for '
  condition: selection
---
title: Kernel resource exhaustion
id: bench-f04
level: high
detection:
  keywords:
    - 'Possible SYN flooding'
    - 'table full, dropping packet'
    - 'Out of memory: Killed process'
  condition: keywords
---
title: Cron job from a temporary directory
id: bench-f05
level: critical
detection:
  sel_tmp:
    process.name: CRON
    message|contains:
      - ' CMD (/tmp/'
      - ' CMD (/dev/shm/'
      - ' CMD (/var/tmp/.'
  sel_fetch:
    process.name: CRON
    message|contains|all:
      - ' CMD ('
      - 'http://'
  condition: 1 of sel_*
---
title: SSH preauth disconnect from a privileged account
id: bench-f06
level: medium
detection:
  selection:
    process.name: sshd
    message|endswith: '[preauth]'
    message|contains:
      - 'authenticating user root '
      - 'authenticating user admin '
  condition: selection
---
title: SSH failed password on an exposed host
id: bench-f07
level: low
detection:
  selection:
    process.name: sshd
    message|startswith: 'Failed password for '
  exposed:
    - host.hostname|endswith: '-vpn01'
    - host.hostname|endswith: '-vpn02'
    - host.hostname|endswith: '-sftp01'
    - host.hostname|endswith: '-sftp02'
  condition: selection and exposed
---
title: SSH brute force against one host
id: bench-c01
level: high
correlation:
  type: event_count
  rules: [bench-f07]
  group-by: [host.hostname]
  timespan: 5m
  condition: { gte: 10 }
---
title: Repeated sudo authentication failures
id: bench-f08
level: low
detection:
  selection:
    process.name: sudo
    message|contains: 'pam_unix(sudo:auth): authentication failure'
  condition: selection
---
title: Repeated sudo authentication failures on one host
id: bench-c02
level: medium
correlation:
  type: event_count
  rules: [bench-f08]
  group-by: [host.hostname]
  timespan: 5m
  condition: { gte: 3 }
---
title: SSH failure from a watched network (decoded fields)
id: bench-f09
level: medium
detection:
  selection:
    event.outcome: failure
    source.ip|cidr:
      - 183.62.140.0/24
      - 45.155.205.0/24
      - 141.98.11.0/24
      - 218.92.0.0/16
  condition: selection
---
title: SSH login failure for a dictionary user (decoded fields)
id: bench-f10
level: low
detection:
  selection:
    event.outcome: failure
    user.name:
      - admin
      - test
      - oracle
      - ubuntu
  condition: selection
---
title: AppArmor audit on a database server
id: bench-f11
level: informational
detection:
  selection:
    process.name: kernel
    host.hostname|contains: '-db'
    message|contains: 'apparmor='
  condition: selection
---
title: Link down on a radiology host
id: bench-f12
level: medium
detection:
  selection:
    process.name: kernel
    host.hostname|contains: '-rad'
    message|endswith: 'NIC Link is Down'
  condition: selection
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--sec-rules", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()

    seen, candidates = set(), []
    for title, level, pattern in families():
        if pattern not in seen:
            seen.add(pattern)
            candidates.append((title, level, pattern))
    if a.rules > len(candidates):
        ap.error(f"--rules {a.rules}: only {len(candidates)} distinct patterns available")
    rng = random.Random(a.seed)
    rng.shuffle(candidates)  # so any prefix (SEC's) mixes every family
    rules = candidates[: a.rules]

    out = Path(a.out)
    rules_dir = out / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    for old in rules_dir.glob("*.yml"):
        old.unlink()
    for start in range(0, len(rules), 100):
        docs = []
        for i, (title, level, pattern) in enumerate(rules[start:start + 100], start + 1):
            docs.append(f"title: {yaml_str(title)}\nid: bench-{i:04d}\nlevel: {level}\n"
                        f"detection:\n  selection:\n    message|re: {yaml_str(pattern)}\n"
                        f"  condition: selection\n")
        (rules_dir / f"pack-{start // 100:02d}.yml").write_text("---\n".join(docs))
    (rules_dir / "fields.yml").write_text(field_rules())
    (out / "patterns.txt").write_text("".join(p + "\n" for _, _, p in rules))

    sec = []
    for i, (title, _, pattern) in enumerate(rules[: a.sec_rules], 1):
        sec.append(f"# {title}\ntype=SingleWithThreshold\nptype=RegExp\npattern={pattern}\n"
                   f"desc=bench-{i:04d}\naction=write - bench-{i:04d}\nwindow=300\nthresh=10\n")
    (out / "sec.conf").write_text("\n".join(sec))
    print(f"{len(rules)} regex rules (of {len(candidates)} candidates), "
          f"{field_rules().count('id: bench-')} field/correlation rules, {min(a.sec_rules, len(rules))} SEC rules",
          file=sys.stderr)


if __name__ == "__main__":
    main()
