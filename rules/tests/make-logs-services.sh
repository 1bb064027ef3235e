#!/bin/bash
# Regenerates the *.log fixtures of the service packs (auditd, mail, FTP, Samba, Cisco ASA, web)
# used by logs_file: in rules/detection/*.yml. Same conventions as make-logs.sh: times are UTC on
# 2026-03-10, received by `vigie rules test` on 2026-06-15. Run from this folder.
set -eu
export LC_ALL=C
ts() { date -u -d "@$(( $1 + $2 ))" '+%b %e %H:%M:%S'; }
B=$(date -u -d '2026-03-10 10:15:00' +%s)
# audit(EPOCH.mmm:SERIAL) stamp
as() { printf 'audit(%d.%03d:%d)' $(( B + $1 )) $(( $2 % 1000 )) "$2"; }

# --- auditd: USER_AUTH failures from one source, in the three shapes (audit.log line sent by rsyslog
#     imfile with tag "audit", audisp-syslog, journald), each with the USER_LOGIN record sshd writes
#     for the same attempt. A bare audit.log line has no syslog stamp (its time would be the
#     reception time), so windows are tested on framed lines.
auditd_failures() {
  local n=$1
  for i in $(seq 0 $((n-1))); do
    t=$((i*5)); pid=$((2300+i)); s=$((1300+2*i))
    auth="pid=$pid uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=203.0.113.7 addr=203.0.113.7 terminal=ssh res=failed'"
    case $((i % 3)) in
      0) echo "<133>$(ts $B $t) srv-dpi audit: type=USER_AUTH msg=$(as $t $s): $auth" ;;
      1) echo "<110>$(ts $B $t) srv-dpi audisp-syslog: type=USER_AUTH msg=$(as $t $s): $auth" ;;
      2) echo "<110>$(ts $B $t) srv-dpi audit[$pid]: USER_AUTH $auth" ;;
    esac
    echo "<133>$(ts $B $((t+1))) srv-dpi audit: type=USER_LOGIN msg=$(as $((t+1)) $((s+1))): pid=$pid uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=203.0.113.7 terminal=sshd res=failed'"
  done
}
auditd_failures 10 > auditd-10-failures.log
auditd_failures 9 > auditd-9-failures.log

# Three accounts through PAM (USER_AUTH), three more as sshd's USER_LOGIN: six distinct names.
{
i=0
for u in admin test oracle; do
  echo "<133>$(ts $B $((i*8))) srv-web audisp-syslog: node=srv-web type=USER_AUTH msg=$(as $((i*8)) $((1400+i))): pid=$((2400+i)) uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"$u\" exe=\"/usr/sbin/sshd\" hostname=198.51.100.40 addr=198.51.100.40 terminal=ssh res=failed'"
  i=$((i+1))
done
for u in root postgres backup; do
  echo "<133>$(ts $B $((i*8))) srv-web audisp-syslog: node=srv-web type=USER_LOGIN msg=$(as $((i*8)) $((1400+i))): pid=$((2400+i)) uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"$u\" exe=\"/usr/sbin/sshd\" hostname=? addr=198.51.100.40 terminal=sshd res=failed'"
  i=$((i+1))
done
} > auditd-spraying.log

# --- Postfix: SMTP AUTH failures from one source, Postfix 2.x (base64 challenge as reason) and
#     3.x (reason unavailable, sasl_username) wordings, with the lines around them.
postfix_failures() {
  local n=$1
  for i in $(seq 0 $((n-1))); do
    t=$((i*9)); pid=$((3200+i))
    if (( i % 2 )); then
      echo "<20>$(ts $B $t) mx-chu postfix/submission/smtpd[$pid]: warning: unknown[203.0.113.25]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
    else
      echo "<20>$(ts $B $t) mx-chu postfix/smtpd[$pid]: warning: 25.113.0.203.dsl.example.net[203.0.113.25]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=secretariat@chu.example"
    fi
    echo "<22>$(ts $B $((t+1))) mx-chu postfix/smtpd[$pid]: disconnect from unknown[203.0.113.25] ehlo=1 auth=0/1 quit=1 commands=2/3"
  done
}
postfix_failures 10 > postfix-sasl-10-failures.log
postfix_failures 9 > postfix-sasl-9-failures.log
# One IPv6 client fails once: decoded to its own address, counted apart.
echo "<20>$(ts $B 95) mx-chu postfix/smtpd[3299]: warning: unknown[2001:db8:25::7]: SASL LOGIN authentication failed: authentication failure" >> postfix-sasl-10-failures.log

# Six mailboxes from one address: two over SMTP AUTH, two IMAP/POP3 logins, two auth lines.
{
echo "<20>$(ts $B 0) mx-chu postfix/smtpd[3301]: warning: unknown[198.51.100.77]: SASL LOGIN authentication failed: authentication failure, sasl_username=accueil"
echo "<20>$(ts $B 20) mx-chu postfix/smtpd[3302]: warning: unknown[198.51.100.77]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=rh"
echo "<22>$(ts $B 40) mx-chu dovecot: imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<direction>, method=PLAIN, rip=198.51.100.77, lip=192.0.2.25, TLS, session=<Yq7f2a>"
echo "<22>$(ts $B 60) mx-chu dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 3 secs): user=<compta>, method=PLAIN, rip=::ffff:198.51.100.77, lip=::ffff:192.0.2.25, session=<Yq7f2b>"
echo "<22>$(ts $B 80) mx-chu dovecot: auth: passwd-file(admin,198.51.100.77): unknown user"
echo "<22>$(ts $B 100) mx-chu dovecot: auth-worker(4121): Info: pam(contact,198.51.100.77,<Yq7f2c>): pam_authenticate() failed: Authentication failure (password mismatch?)"
} > mail-spraying.log

# Twenty SMTP sessions dropped right after AUTH, 12 s apart.
{
for i in $(seq 0 19); do
  if (( i % 4 == 3 )); then w="too many errors after AUTH"; else w="lost connection after AUTH"; fi
  echo "<22>$(ts $B $((i*12))) mx-chu postfix/smtpd[$((3400+i))]: $w from unknown[192.0.2.200]"
done
} > postfix-auth-aborted.log

# Thirty rejects in five minutes: recipient harvesting and relay probing.
{
for i in $(seq 0 29); do
  if (( i % 3 )); then
    echo "<22>$(ts $B $((i*10))) mx-chu postfix/smtpd[3500]: NOQUEUE: reject: RCPT from unknown[198.51.100.61]: 550 5.1.1 <user$i@chu.example>: Recipient address rejected: User unknown in local recipient table; from=<x@example.org> to=<user$i@chu.example> proto=ESMTP helo=<WIN-3K2>"
  else
    echo "<22>$(ts $B $((i*10))) mx-chu postfix/smtpd[3500]: NOQUEUE: reject: RCPT from unknown[198.51.100.61]: 554 5.7.1 <relay$i@example.org>: Relay access denied; from=<x@example.org> to=<relay$i@example.org> proto=ESMTP helo=<WIN-3K2>"
  fi
done
} > postfix-reject-burst.log

# postscreen rejects and Postfix 2.x rejects without a queue id, thirty in five minutes.
{
for i in $(seq 0 29); do
  if (( i % 2 )); then
    echo "<22>$(ts $B $((i*10))) mx-chu postfix/postscreen[3600]: NOQUEUE: reject: RCPT from [198.51.100.62]:$((50000+i)): 550 5.7.1 Service unavailable; client [198.51.100.62] blocked using zen.spamhaus.org; from=<x@example.org>, to=<user$i@chu.example>, proto=ESMTP, helo=<WIN-3K2>"
  else
    echo "<22>$(ts $B $((i*10))) mx-old postfix/smtpd[3601]: reject: RCPT from unknown[198.51.100.62]: 550 5.1.1 <user$i@chu.example>: Recipient address rejected: User unknown in local recipient table; from=<x@example.org> to=<user$i@chu.example> proto=SMTP helo=<WIN-3K2>"
  fi
done
} > postfix-reject-old.log

# --- Dovecot: failed IMAP/POP3 connections from one source (1.0, 2.2, 2.3, 2.3.20+ wordings).
dovecot_failures() {
  local n=$1
  for i in $(seq 0 $((n-1))); do
    t=$((i*9)); s="Dk$((1000+i))"
    case $((i % 4)) in
      3) echo "<22>$(ts $B $t) mx-chu dovecot: pop3-login: Aborted login: user=<jdupont>, method=PLAIN, rip=203.0.113.40, lip=192.0.2.25" ;;
      0) echo "<22>$(ts $B $t) mx-chu dovecot: imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<jdupont>, method=PLAIN, rip=203.0.113.40, lip=192.0.2.25, TLS, session=<$s>" ;;
      1) echo "<22>$(ts $B $t) mx-chu dovecot[812]: pop3-login: Aborted login (auth failed, 3 attempts in 12 secs): user=<jdupont>, method=PLAIN, rip=::ffff:203.0.113.40, lip=::ffff:192.0.2.25, session=<$s>" ;;
      2) echo "<22>$(ts $B $t) mx-chu dovecot: imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<jdupont>, method=PLAIN, rip=203.0.113.40, lip=192.0.2.25, TLS, session=<$s>" ;;
    esac
    echo "<22>$(ts $B $((t+1))) mx-chu dovecot: auth: passwd-file(jdupont,203.0.113.40,<$s>): Password mismatch"
  done
}
dovecot_failures 10 > dovecot-10-failures.log
dovecot_failures 9 > dovecot-9-failures.log

# --- vsftpd: syslog lines (with and without the user), and vsftpd.log lines relayed by imfile.
{
for i in $(seq 0 9); do
  t=$((i*5)); pid=$((7800+i))
  case $((i % 3)) in
    0) echo "<29>$(ts $B $t) srv-ftp vsftpd[$pid]: [imagerie] FAIL LOGIN: Client \"::ffff:203.0.113.60\"" ;;
    1) echo "<29>$(ts $B $t) srv-ftp vsftpd[$pid]: FAIL LOGIN: Client \"203.0.113.60\"" ;;
    2) echo "<29>$(ts $B $t) srv-ftp vsftpd.log: $(date -u -d "@$((B+t))" '+%a %b %e %H:%M:%S %Y') [pid $pid] [imagerie] FAIL LOGIN: Client \"203.0.113.60\"" ;;
  esac
done
} > vsftpd-10-failures.log

# --- vsftpd with PAM: five attempts, each logged twice (PAM's line, then vsftpd's own).
{
for i in $(seq 0 4); do
  t=$((60+i*10)); pid=$((7800+i*10))
  echo "<85>$(ts $B $t) srv-ftp vsftpd[$pid]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser= rhost=203.0.113.70  user=imagerie"
  echo "<29>$(ts $B $((t+1))) srv-ftp vsftpd[$pid]: [imagerie] FAIL LOGIN: Client \"203.0.113.70\""
done
} > vsftpd-pam-5-attempts.log

# --- ProFTPD: ten failures over six accounts (wrong passwords, unknown users), syslog and
#     SystemLog file wordings.
{
users=(admin ftp test imagerie labo backup admin ftp test imagerie)
for i in $(seq 0 9); do
  u=${users[$i]}; t=$((i*6)); pid=$((9100+i))
  if (( i % 2 )); then
    echo "<29>$(ts $B $t) srv-ftp2 proftpd[$pid]: srv-ftp2 (198.51.100.90[198.51.100.90]) - USER $u: no such user found from 198.51.100.90 [198.51.100.90] to ::ffff:192.0.2.21:21"
  else
    echo "<29>$(ts $B $t) srv-ftp2 proftpd: $(date -u -d "@$((B+t))" '+%Y-%m-%d %H:%M:%S'),412 srv-ftp2 proftpd[$pid] srv-ftp2 (198.51.100.90[198.51.100.90]): USER $u (Login failed): Incorrect password"
  fi
done
} > proftpd-10-failures.log

# --- Samba: ten refused logons from one workstation (human auth_audit and JSON audit lines).
samba_human() {  # t user status ip port
  echo "<30>$(ts $B $1) srv-fic smbd[4410]:   Auth: [SMB2,(null)] user [CHU]\\[$2] at [$(date -u -d "@$((B+$1))" '+%a, %d %b %Y %H:%M:%S').104421 UTC] with [NTLMv2] status [$3] workstation [PC-ACC-12] remote host [ipv4:$4:$5] mapped to [CHU]\\[$2]. local host [ipv4:10.40.1.10:445]"
}
samba_json() {  # t user status ip port
  echo "<30>$(ts $B $1) srv-fic smbd[4410]:   JSON Authentication: {\"timestamp\": \"$(date -u -d "@$((B+$1))" '+%Y-%m-%dT%H:%M:%S').104421+0000\", \"type\": \"Authentication\", \"Authentication\": {\"version\": {\"major\": 1, \"minor\": 2}, \"eventId\": 4625, \"logonId\": \"0\", \"logonType\": 3, \"status\": \"$3\", \"localAddress\": \"ipv4:10.40.1.10:445\", \"remoteAddress\": \"ipv4:$4:$5\", \"serviceDescription\": \"SMB2\", \"authDescription\": null, \"clientDomain\": \"CHU\", \"clientAccount\": \"$2\", \"workstation\": \"PC-ACC-12\", \"becameAccount\": null, \"becameDomain\": null, \"becameSid\": null, \"mappedAccount\": \"$2\", \"mappedDomain\": \"CHU\", \"netlogonComputer\": null, \"netlogonTrustAccountName\": null, \"netlogonNegotiateFlags\": \"0x00000000\", \"netlogonSecureChannelType\": 0, \"netlogonTrustAccountSid\": null, \"passwordType\": \"NTLMv2\", \"duration\": 2514}}"
}
{
for i in $(seq 0 9); do
  if (( i % 2 )); then samba_json $((i*5)) jdupont NT_STATUS_WRONG_PASSWORD 10.40.3.17 $((50100+i))
  else samba_human $((i*5)) jdupont NT_STATUS_WRONG_PASSWORD 10.40.3.17 $((50100+i)); fi
done
} > samba-10-failures.log
{
i=0
for u in administrateur admin sauvegarde compta rh accueil; do
  if (( i % 2 )); then samba_json $((i*20)) $u NT_STATUS_NO_SUCH_USER 10.40.3.66 $((50200+i))
  else samba_human $((i*20)) $u NT_STATUS_WRONG_PASSWORD 10.40.3.66 $((50200+i)); fi
  i=$((i+1))
done
} > samba-spraying.log
{
for i in $(seq 0 9); do
  if (( i % 2 )); then
    echo "<30>$(ts $B $((i*5))) srv-fic smbd[4420]:   check_ntlm_password:  Authentication for user [administrateur] -> [administrateur] FAILED with error NT_STATUS_WRONG_PASSWORD"
  else
    echo "<30>$(ts $B $((i*5))) srv-fic smbd[4421]:   auth_check_ntlm_password: Authentication for user [administrateur] -> [administrateur] FAILED with error NT_STATUS_WRONG_PASSWORD, authoritative=1"
  fi
done
} > samba-ntlm-10-failures.log

# --- Cisco ASA: VPN failures (113005 AAA server, 113015 local database, 716039 WebVPN, 713167
#     IKEv1 XAUTH), the
#     message id as the tag or inside the message (logging device-id), ten accounts.
{
users=(jdupont mmartin admin vpn test prestataire support accueil compta rh)
for i in $(seq 0 9); do
  u=${users[$i]}; t=$((i*9))
  case $((i % 4)) in
    3) echo "<163>$(ts $B $t) asa-chu %ASA-3-713167: Group = GP-IPSEC, Username = $u, IP = 203.0.113.80, Remote peer has failed user authentication - check configured username and password" ;;
    0) echo "<166>$(ts $B $t) asa-chu %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 192.0.2.5 : user = $u : user IP = 203.0.113.80" ;;
    1) echo "<166>$(date -u -d "@$((B+t))" '+%b %d %Y %H:%M:%S') asa-chu : %ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = $u : user IP = 203.0.113.80" ;;
    2) echo "<166>$(ts $B $t) asa-chu %ASA-6-716039: Group <DfltGrpPolicy> User <$u> IP <203.0.113.80> Authentication: rejected, Session Type: WebVPN." ;;
  esac
done
} > asa-vpn-10-failures.log
{
for i in $(seq 0 9); do
  echo "<166>$(ts $B $((i*9))) asa-chu %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 192.0.2.5 : user = ***** : user IP = 203.0.113.81"
done
} > asa-vpn-masked.log
# Sixty denies in one minute (106023, 106001, 106015 on forty ports; 106016 spoof and 313001
# ICMP without ports); sixty on one port over three minutes.
{
for i in $(seq 0 59); do
  case $((i % 6)) in
    0|4) echo "<164>$(ts $B $i) asa-chu %ASA-4-106023: Deny tcp src outside:198.51.100.150/$((40000+i)) dst inside:192.0.2.10/$((1000+i)) by access-group \"outside_access_in\" [0x0, 0x0]" ;;
    2) echo "<162>$(ts $B $i) asa-chu : %ASA-2-106001: Inbound TCP connection denied from 198.51.100.150/$((40000+i)) to 192.0.2.10/$((1000+i)) flags SYN  on interface outside" ;;
    1) echo "<166>$(ts $B $i) asa-chu %ASA-6-106015: Deny TCP (no connection) from 198.51.100.150/$((40000+i)) to 192.0.2.10/$((1000+i)) flags ACK  on interface outside" ;;
    3) echo "<162>$(ts $B $i) asa-chu %ASA-2-106016: Deny IP spoof from (198.51.100.150) to 192.0.2.10 on interface outside" ;;
    5) echo "<163>$(ts $B $i) asa-chu %ASA-3-313001: Denied ICMP type=8, code=0, from 198.51.100.150 on interface outside" ;;
  esac
done
} > asa-deny-scan.log
{
for i in $(seq 0 59); do
  echo "<164>$(ts $B $((i*3))) asa-chu %ASA-4-106023: Deny tcp src outside:198.51.100.151/$((41000+i)) dst inside:192.0.2.10/3389 by access-group \"outside_access_in\" [0x0, 0x0]"
done
} > asa-deny-slow.log

# --- Web: thirty 401s in 58 s on an API login; thirty 403s over three minutes; ten basic-auth
#     failures (nginx, Apache 2.4, Apache 2.2 error lines).
wts() { date -u -d "@$((B + $1))" '+%d/%b/%Y:%H:%M:%S +0000'; }
{
for i in $(seq 0 29); do
  echo "<190>$(ts $B $((i*2))) web-portail nginx: 198.51.100.170 - - [$(wts $((i*2)))] \"POST /api/v1/login HTTP/1.1\" 401 61 \"-\" \"python-requests/2.31.0\""
done
} > web-401-burst.log
{
paths=(/.git/config /.env /admin/ /server-status /phpmyadmin/ /backup.zip)
for i in $(seq 0 29); do
  echo "<190>$(ts $B $((i*6))) web-portail apache2: portail.chu.example:443 198.51.100.171 - - [$(wts $((i*6)))] \"GET ${paths[$((i % 6))]} HTTP/1.1\" 403 199 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\""
done
} > web-403-slow.log
{
for i in $(seq 0 9); do
  t=$((i*5))
  case $((i % 3)) in
    0) echo "<187>$(ts $B $t) web-portail nginx: $(date -u -d "@$((B+t))" '+%Y/%m/%d %H:%M:%S') [error] 2201#2201: *$((90+i)) user \"admin\": password mismatch, client: 203.0.113.180, server: portail.chu.example, request: \"GET /admin/ HTTP/1.1\", host: \"portail.chu.example\"" ;;
    1) echo "<187>$(ts $B $t) web-portail apache2: [$(date -u -d "@$((B+t))" '+%a %b %d %H:%M:%S').100200 2026] [auth_basic:error] [pid 2210:tid 140300] [client 203.0.113.180:$((50300+i))] AH01617: user admin: authentication failure for \"/admin/\": Password Mismatch" ;;
    2) echo "<187>$(ts $B $t) web-old httpd: [$(date -u -d "@$((B+t))" '+%a %b %d %H:%M:%S') 2026] [error] [client 203.0.113.180] user admin: authentication failure for \"/admin/\": Password Mismatch" ;;
  esac
done
} > web-auth-10-failures.log

# --- Samba vfs_full_audit: 120 files renamed to .lockbit in one minute; one file renamed 120 times.
{
for i in $(seq 0 119); do
  f="/srv/commun/compta/dossier$((i / 20))/facture-$i.pdf"
  echo "<173>$(ts $B $((i / 2))) srv-fic smbd_audit: jdupont|10.40.3.17|pc-acc-12|commun|renameat|ok|$f|$f.lockbit"
done
} > samba-mass-rename.log
{
for i in $(seq 0 119); do
  echo "<173>$(ts $B $((i / 2))) srv-fic smbd_audit: jdupont|10.40.3.17|pc-acc-12|commun|renameat|ok|/srv/commun/tmp/~lock.planning.xlsx|/srv/commun/tmp/planning.xlsx"
done
} > samba-same-file.log
