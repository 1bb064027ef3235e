#!/usr/bin/env python3
"""Writes a deterministic, realistic auth log: RFC 3164 lines with PRI, one per line.

Mix (share of lines): CRON and its pam sessions ~39 %, sshd and its pam lines ~31 % (of which
brute force ~3 %, from a handful of sources that take turns, each active 3 h at a time), sudo
~18 %, kernel ~11 % (firewall drops, OOM, AppArmor, link), su ~1 %. A few hundred
hosts across the sites of authlog_vocab, a few hundred client addresses. Timestamps start on
Mar 10 00:00:00 and advance monotonically so that the whole file spans about one day whatever
the line count (no year: RFC 3164). Same --seed and --lines give the same bytes.

Usage: gen_authlog.py --lines 1000000 --seed 1 OUT
"""
import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import authlog_vocab as V  # noqa: E402

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# PRI = facility * 8 + severity (RFC 3164 §4.1.1).
KERN_WARN, KERN_INFO = "<4>", "<6>"
AUTH_INFO = "<38>"       # auth.info: sshd's own lines
AUTHPRIV_NOTICE = "<85>" # sudo, su, pam auth failures
AUTHPRIV_INFO = "<86>"   # pam sessions
CRON_INFO = "<78>"


class Stamps:
    """RFC 3164 timestamps ("Mar 10 07:04:09"), cached per second."""

    def __init__(self, month, day):
        self.month, self.day = month, day
        self.cached_sec, self.cached = -1, ""

    def at(self, sec):
        if sec != self.cached_sec:
            day_index, rest = divmod(sec, 86400)
            month, day = self.month, self.day + day_index
            while day > DAYS_IN_MONTH[month]:
                day -= DAYS_IN_MONTH[month]
                month = (month + 1) % 12
            h, rest = divmod(rest, 3600)
            m, s = divmod(rest, 60)
            self.cached = f"{MONTHS[month]} {day:2d} {h:02d}:{m:02d}:{s:02d}"
            self.cached_sec = sec
        return self.cached


def make_world(rng):
    hosts = [f"{site}-{role}{n:02d}" for site in V.SITES for role in V.ROLES for n in (1, 2)]
    rng.shuffle(hosts)
    hosts = hosts[:320]
    exposed = [h for h in hosts if "-vpn" in h or "-sftp" in h or "-web" in h]
    clients = [f"{rng.choice(V.INTERNAL_PREFIXES)}.{rng.randrange(1, 255)}.{rng.randrange(2, 254)}"
               for _ in range(260)]
    clients += [f"{rng.randrange(2, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                for _ in range(60)]
    return hosts, exposed, clients


def generate(out, lines, seed):
    rng = random.Random(seed)
    hosts, exposed, clients = make_world(rng)
    users = V.ADMINS + V.SERVICE_USERS
    uid = {u: 1000 + i for i, u in enumerate(users)}
    uid.update({"root": 0, "www-data": 33, "backup": 34, "postgres": 114, "zabbix": 116})
    stamps = Stamps(2, 10)
    span = 86400.0
    step = span / max(lines, 1)
    r = rng.random
    choice = rng.choice
    randrange = rng.randrange
    uptime = {h: rng.uniform(1e4, 4e6) for h in hosts}

    def pid():
        return randrange(400, 65000)

    def port():
        return randrange(32768, 61000)

    def sshd_accepted(h, _sec):
        u, ip = choice(users), choice(clients)
        if r() < 0.08:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Accepted password for {u} from {ip} port {port()} ssh2"
        x = r()
        kt = "DSA" if x < 0.004 else ("ECDSA" if x < 0.05 else ("RSA" if x < 0.4 else "ED25519"))
        fp = "".join(choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                     for _ in range(43))
        return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Accepted publickey for {u} from {ip} port {port()} ssh2: {kt} SHA256:{fp}"

    def sshd_session(h, _sec):
        u = choice(users)
        if r() < 0.5:
            return f"{AUTHPRIV_INFO}{{}} {h} sshd[{pid()}]: pam_unix(sshd:session): session opened for user {u}(uid={uid[u]}) by (uid=0)"
        return f"{AUTHPRIV_INFO}{{}} {h} sshd[{pid()}]: pam_unix(sshd:session): session closed for user {u}"

    def sshd_disconnect(h, _sec):
        u, ip, p = choice(users), choice(clients), port()
        x = r()
        if x < 0.45:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Received disconnect from {ip} port {p}:11: disconnected by user"
        if x < 0.9:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Disconnected from user {u} {ip} port {p}"
        if x < 0.97:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Connection closed by {ip} port {p} [preauth]"
        return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: error: kex_exchange_identification: Connection closed by remote host"

    def sshd_user_error(h, _sec):
        # Legitimate users mistyping: a failed password, then usually success.
        u, ip = choice(users), choice(clients)
        if r() < 0.5:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Failed password for {u} from {ip} port {port()} ssh2"
        return f"{AUTHPRIV_NOTICE}{{}} {h} sshd[{pid()}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={u}"

    brute_targets = {ip: rng.sample(exposed, 3) for ip in V.BRUTE_SOURCES}
    brute_users = V.BRUTE_USERS

    def brute(_h, sec):
        # The attacked host is one of the source's targets, not the drawn one.
        active = V.BRUTE_SOURCES[(sec // 10800) % len(V.BRUTE_SOURCES)]
        ip = active if r() < 0.85 else choice(V.BRUTE_SOURCES)
        h = choice(brute_targets[ip])
        # Dictionary order: the head of the list is tried far more often.
        u = brute_users[min(int(rng.expovariate(0.15)), len(brute_users) - 1)]
        p, x = port(), r()
        inv = "" if u in ("root", "admin", "postgres", "nagios", "ansible", "deploy", "oracle") else "invalid user "
        if x < 0.55:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Failed password for {inv}{u} from {ip} port {p} ssh2"
        if x < 0.7 and inv:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Invalid user {u} from {ip} port {p}"
        if x < 0.8:
            return f"{AUTHPRIV_NOTICE}{{}} {h} sshd[{pid()}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={u}"
        if x < 0.9:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Disconnected from {inv or 'authenticating user '}{u} {ip} port {p} [preauth]"
        if x < 0.97:
            return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: Connection closed by {inv or 'authenticating user '}{u} {ip} port {p} [preauth]"
        return f"{AUTH_INFO}{{}} {h} sshd[{pid()}]: error: maximum authentication attempts exceeded for {inv}{u} from {ip} port {p} ssh2 [preauth]"

    def sudo_cmd(h, _sec):
        u = choice(V.ADMINS)
        cmd = choice(V.SUSPICIOUS_SUDO) if r() < 0.01 else choice(V.BENIGN_SUDO)
        return f"{AUTHPRIV_NOTICE}{{}} {h} sudo:  {u} : TTY=pts/{randrange(0, 6)} ; PWD=/home/{u} ; USER=root ; COMMAND={cmd}"

    def sudo_session(h, _sec):
        if r() < 0.5:
            u = choice(V.ADMINS)
            return f"{AUTHPRIV_INFO}{{}} {h} sudo: pam_unix(sudo:session): session opened for user root(uid=0) by {u}(uid={uid[u]})"
        return f"{AUTHPRIV_INFO}{{}} {h} sudo: pam_unix(sudo:session): session closed for user root"

    def sudo_fail(h, _sec):
        u, x = choice(V.ADMINS), r()
        tty = f"TTY=pts/{randrange(0, 6)} ; PWD=/home/{u} ; USER=root"
        if x < 0.7:
            return f"{AUTHPRIV_NOTICE}{{}} {h} sudo: pam_unix(sudo:auth): authentication failure; logname={u} uid={uid[u]} euid=0 tty=/dev/pts/1 ruser={u} rhost=  user={u}"
        if x < 0.9:
            return f"{AUTHPRIV_NOTICE}{{}} {h} sudo:  {u} : {randrange(1, 4)} incorrect password attempts ; {tty} ; COMMAND={choice(V.BENIGN_SUDO)}"
        return f"{AUTHPRIV_NOTICE}{{}} {h} sudo:  {choice(V.SERVICE_USERS)} : user NOT in sudoers ; {tty} ; COMMAND=/bin/bash"

    def su(h, _sec):
        u, x = choice(V.ADMINS), r()
        if x < 0.6:
            return f"{AUTHPRIV_NOTICE}{{}} {h} su[{pid()}]: (to root) {u} on pts/{randrange(0, 6)}"
        if x < 0.9:
            return f"{AUTHPRIV_INFO}{{}} {h} su[{pid()}]: pam_unix(su-l:session): session opened for user root(uid=0) by {u}(uid={uid[u]})"
        return f"{AUTHPRIV_NOTICE}{{}} {h} su[{pid()}]: FAILED SU (to root) {u} on pts/{randrange(0, 6)}"

    def cron(h, _sec):
        x = r()
        u = choice(V.CRON_USERS)
        if x < 0.34:
            return f"{AUTHPRIV_INFO}{{}} {h} CRON[{pid()}]: pam_unix(cron:session): session opened for user {u}(uid={uid[u]}) by (uid=0)"
        if x < 0.67:
            return f"{AUTHPRIV_INFO}{{}} {h} CRON[{pid()}]: pam_unix(cron:session): session closed for user {u}"
        if r() < 0.002:  # a compromised host's persistence
            cmd = f"{choice(V.SUSPICIOUS_CRON)}{randrange(1, 999)}"
        else:
            cmd = choice(V.BENIGN_CRON)
        return f"{CRON_INFO}{{}} {h} CRON[{pid()}]: ({u}) CMD ({cmd})"

    def kernel(h, sec):
        up = uptime[h] + sec
        x = r()
        if x < 0.86:
            dpt = choice(V.SCANNED_PORTS) if r() < 0.12 else choice(V.BENIGN_PORTS)
            src = choice(clients) if r() < 0.5 else f"{randrange(1, 223)}.{randrange(256)}.{randrange(256)}.{randrange(1, 255)}"
            proto = "TCP" if r() < 0.85 else "UDP"
            tail = f"SPT={port()} DPT={dpt} WINDOW=1024 RES=0x00 SYN URGP=0" if proto == "TCP" else f"SPT={port()} DPT={dpt} LEN=48"
            return f"{KERN_WARN}{{}} {h} kernel: [{up:12.6f}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:{randrange(256):02x}:{randrange(256):02x}:{randrange(256):02x}:00:1b:21:3a:4c:5e:08:00 SRC={src} DST=10.29.{randrange(256)}.{randrange(1, 255)} LEN=40 TOS=0x00 PREC=0x00 TTL={randrange(40, 250)} ID={randrange(65536)} PROTO={proto} {tail}"
        if x < 0.93:
            prof, op = choice(V.APPARMOR_PROFILES), choice(V.APPARMOR_OPS[:4])
            return f"{KERN_INFO}{{}} {h} kernel: [{up:12.6f}] audit: type=1400 audit({sec + 1710028800}.{randrange(1000):03d}:{randrange(9999)}): apparmor=\"ALLOWED\" operation=\"{op}\" profile=\"{prof}\" name=\"/proc/{randrange(9999)}/status\" pid={pid()} comm=\"{prof.rsplit('/', 1)[-1]}\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0"
        if x < 0.985:
            state = "Up 1000 Mbps Full Duplex, Flow Control: None" if r() < 0.5 else "Down"
            return f"{KERN_INFO}{{}} {h} kernel: [{up:12.6f}] e1000e: eth{randrange(0, 2)} NIC Link is {state}"
        if x < 0.995:
            return f"{KERN_WARN}{{}} {h} kernel: [{up:12.6f}] TCP: request_sock_TCP: Possible SYN flooding on port {choice(V.BENIGN_PORTS)}. Sending cookies.  Check SNMP counters."
        return f"{KERN_WARN}{{}} {h} kernel: [{up:12.6f}] Out of memory: Killed process {pid()} ({choice(V.OOM_PROCS[:6])}) total-vm:{randrange(10**5, 10**7)}kB, anon-rss:{randrange(10**5, 10**6)}kB, file-rss:0kB, shmem-rss:0kB, UID:{randrange(0, 1200)} pgtables:{randrange(500, 9000)}kB oom_score_adj:0"

    kinds = [
        (sshd_accepted, 5.0), (sshd_session, 10.0), (sshd_disconnect, 9.0), (sshd_user_error, 0.8),
        (sudo_cmd, 5.5), (sudo_session, 11.0), (sudo_fail, 0.25), (su, 1.0), (cron, 35.0),
        (kernel, 10.0), (brute, 3.0),
    ]
    funcs = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    t = 0.0
    chunk = 20000
    with open(out, "w", encoding="ascii", newline="\n") as f:
        done = 0
        while done < lines:
            n = min(chunk, lines - done)
            picks = rng.choices(funcs, weights=weights, k=n)
            buf = []
            for fn in picks:
                t += step * 2.0 * r()  # mean step, so the file spans about `span`
                sec = int(t)
                buf.append(fn(choice(hosts), sec).replace("{}", stamps.at(sec), 1))
            buf.append("")
            f.write("\n".join(buf))
            done += n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()
    if a.lines <= 0:
        ap.error("--lines must be positive")
    generate(a.out, a.lines, a.seed)


if __name__ == "__main__":
    main()
