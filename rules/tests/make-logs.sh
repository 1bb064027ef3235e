#!/bin/bash
# Regenerates the *.log fixtures of this folder (used by logs_file: in rules/detection/*.yml).
# Times are UTC on 2026-03-10; `vigie rules test` receives them on 2026-06-15, so the year of the
# RFC 3164 stamps is inferred as 2026. Run from this folder: ./make-logs.sh
set -eu
export LC_ALL=C
# ts BASE_EPOCH OFFSET -> "Mar 10 10:15:01"
ts() { date -u -d "@$(( $1 + $2 ))" '+%b %e %H:%M:%S'; }
B=$(date -u -d '2026-03-10 10:15:00' +%s)

# 1. ten password failures within a minute (DESIGN §5), with the PAM and disconnect lines
#    OpenSSH writes around them (not counted).
{
for i in $(seq 0 9); do
  t=$((i*6)); p=$((51230+i)); pid=$((2211+i))
  echo "<38>$(ts $B $t) srv-dpi sshd[$pid]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=183.62.140.253  user=root"
  echo "<38>$(ts $B $((t+2))) srv-dpi sshd[$pid]: Failed password for root from 183.62.140.253 port $p ssh2"
  echo "<38>$(ts $B $((t+3))) srv-dpi sshd[$pid]: Connection closed by authenticating user root 183.62.140.253 port $p [preauth]"
done
} > ssh-10-failures.log

# 2. nine failures in 5 minutes: below the threshold.
{
for i in $(seq 0 8); do
  echo "<38>$(ts $B $((i*30))) srv-dpi sshd[$((3300+i))]: Failed password for root from 183.62.140.253 port $((40100+i)) ssh2"
done
} > ssh-9-failures.log

# 3. ten failures 40 s apart (6 minutes): no 5-minute span holds more than 8.
{
for i in $(seq 0 9); do
  echo "<38>$(ts $B $((i*40))) srv-dpi sshd[$((3400+i))]: Failed password for root from 183.62.140.253 port $((40200+i)) ssh2"
done
} > ssh-10-failures-6min.log

# 4. twenty-five failures in 2.5 minutes: the threshold is crossed twice, one alert (updated).
{
for i in $(seq 0 24); do
  echo "<38>$(ts $B $((i*6))) srv-dpi sshd[$((3500+i))]: Failed password for root from 183.62.140.253 port $((40300+i)) ssh2"
done
} > ssh-25-failures.log

# 5. Hydra-style run over a list of user names: Invalid user, PAM, Failed password, close.
{
users=(admin test oracle postgres ubuntu pi guest user ftpuser support deploy git)
for i in $(seq 0 11); do
  u=${users[$i]}; t=$((i*10)); p=$((33000+i)); pid=$((4100+i))
  echo "<38>$(ts $B $t) srv-pacs sshd[$pid]: Invalid user $u from 45.148.10.183 port $p"
  echo "<86>$(ts $B $((t+1))) srv-pacs sshd[$pid]: pam_unix(sshd:auth): check pass; user unknown"
  echo "<86>$(ts $B $((t+1))) srv-pacs sshd[$pid]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=45.148.10.183"
  echo "<38>$(ts $B $((t+3))) srv-pacs sshd[$pid]: Failed password for invalid user $u from 45.148.10.183 port $p ssh2"
  echo "<38>$(ts $B $((t+4))) srv-pacs sshd[$pid]: Connection closed by invalid user $u 45.148.10.183 port $p [preauth]"
done
} > ssh-invalid-users.log

# 6. ten failures from an IPv6 source, RFC 5424 framing, OpenSSH 9.8+ process name.
{
for i in $(seq 0 9); do
  s=$(date -u -d "@$((B + i*5))" '+%Y-%m-%dT%H:%M:%S')
  echo "<38>1 ${s}.120+00:00 srv-labo.chu.example sshd-session $((5200+i)) - - Failed password for root from 2001:db8:bad::17 port $((41000+i)) ssh2"
done
} > ssh-ipv6-10-failures.log

# 7. two sources, six failures each, interleaved: neither reaches ten.
{
for i in $(seq 0 5); do
  echo "<38>$(ts $B $((i*10))) srv-dpi sshd[$((5300+i))]: Failed password for root from 198.51.100.10 port $((42000+i)) ssh2"
  echo "<38>$(ts $B $((i*10+5))) srv-dpi sshd[$((5400+i))]: Failed password for root from 198.51.100.11 port $((42100+i)) ssh2"
done
} > ssh-two-sources.log

# 8. a client offering ten keys that are not authorised: not password guessing.
{
for i in $(seq 0 9); do
  echo "<38>$(ts $B $i) srv-dpi sshd[5500]: Failed publickey for alice from 10.29.4.17 port 52000 ssh2: ED25519 SHA256:k8F3Zo1q2w3e4r5t6y7u8i9o0pAaSsDdFfGgHhJj$i"
done
} > ssh-publickey-failures.log

# 9. OpenVPN: ten bad passwords from one address in two minutes (plugin lines interleaved).
{
for i in $(seq 0 9); do
  t=$((i*12)); p=$((60000+i))
  echo "<29>$(ts $B $t) vpn-gw ovpn-server[812]: 198.51.100.23:$p TLS: Initial packet from [AF_INET]198.51.100.23:$p, sid=1a2b3c4d 5e6f7a8b"
  echo "<29>$(ts $B $((t+1))) vpn-gw ovpn-server[812]: AUTH-PAM: BACKGROUND: user 'jdupont' failed to authenticate: Authentication failure"
  echo "<29>$(ts $B $((t+1))) vpn-gw ovpn-server[812]: 198.51.100.23:$p TLS Auth Error: Auth Username/Password verification failed for peer"
done
} > openvpn-10-failures.log

# 10. OpenVPN: nine bad passwords from one address: below the threshold.
{
for i in $(seq 0 8); do
  echo "<29>$(ts $B $((i*12))) vpn-gw ovpn-server[812]: 198.51.100.23:$((60100+i)) TLS Auth Error: Auth Username/Password verification failed for peer"
done
} > openvpn-9-failures.log

# 11. OpenVPN: password spraying, one failure from each of 30 addresses, in nine minutes.
{
for i in $(seq 0 29); do
  echo "<29>$(ts $B $((i*18))) vpn-gw openvpn[901]: 203.0.113.$((10+i)):$((61000+i)) TLS Auth Error: Auth Username/Password verification failed for peer"
done
} > openvpn-spraying.log

# 12. vsftpd through PAM: ten failures from one address in a minute.
{
for i in $(seq 0 9); do
  echo "<85>$(ts $B $((i*5))) srv-ftp vsftpd[7710]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=scanner rhost=192.0.2.44  user=imagerie"
done
} > pam-vsftpd-10-failures.log

# 12b. remote desktop (xrdp) through PAM: ten failures from one address in a minute, a service
#      with no rules of its own (PAM brute force).
{
for i in $(seq 0 9); do
  echo "<85>$(ts $B $((i*5))) srv-ts xrdp-sesman[1402]: pam_unix(xrdp-sesman:auth): authentication failure; logname= uid=0 euid=0 tty=xrdp-sesman ruser= rhost=192.0.2.44  user=admin"
done
} > pam-xrdp-10-failures.log

# 12c. ProFTPD through PAM under its default PAM service name, "ftp" (AuthPAMConfig): ten
#      failures from one address in a minute.
{
for i in $(seq 0 9); do
  echo "<85>$(ts $B $((i*5))) srv-ftp2 proftpd[$((9100+i))]: pam_unix(ftp:auth): authentication failure; logname= uid=0 euid=0 tty=/dev/ftpd$((9100+i)) ruser= rhost=198.51.100.91  user=labo"
done
} > pam-proftpd-10-failures.log

# 13. ten password failures whose user name holds a byte that is not UTF-8 (0xff): the decoders
#     and rules must see them all (issue 5: one byte must not hide a brute force).
{
for i in $(seq 0 9); do
  printf '<38>%s srv-dpi sshd[%d]: Failed password for invalid user ad\xffmin from 183.62.140.253 port %d ssh2\n' \
    "$(ts $B $((i*5)))" $((5500+i)) $((47000+i))
done
} > ssh-10-failures-invalid-utf8.log

# --- Firewalls (key=value). FortiGate and Stormshield lines relayed by rsyslog (RFC 3164
#     header in front of the vendor's pairs), so each line has its own time.
FGT='devname="FGT-CHU" devid="FG100FTK20004321"'
fgt_vpn_fail() { # OFFSET IP USER
  echo "<185>$(ts $B $1) FGT-CHU date=2026-03-10 time=$(date -u -d "@$(( B + $1 ))" '+%H:%M:%S') $FGT eventtime=$(( (B + $1) * 1000000000 )) tz=\"+0000\" logid=\"0101039426\" type=\"event\" subtype=\"vpn\" level=\"alert\" vd=\"root\" logdesc=\"SSL VPN login fail\" action=\"ssl-login-fail\" tunneltype=\"ssl-web\" tunnelid=0 remip=$2 user=\"$3\" group=\"N/A\" dst_host=\"N/A\" reason=\"sslvpn_login_permission_denied\" msg=\"SSL user failed to logged in\""
}
fgt_deny() { # OFFSET SRCIP DSTPORT
  echo "<189>$(ts $B $1) FGT-CHU date=2026-03-10 time=$(date -u -d "@$(( B + $1 ))" '+%H:%M:%S') $FGT logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=$2 srcport=$((40000 + $1)) srcintf=\"wan1\" srcintfrole=\"wan\" dstip=192.0.2.10 dstport=$3 dstintf=\"dmz\" dstintfrole=\"dmz\" proto=6 action=\"deny\" policyid=0 policytype=\"policy\" service=\"tcp/$3\" dstcountry=\"France\" srccountry=\"Netherlands\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 appcat=\"unscanned\" crscore=30 craction=131072 crlevel=\"high\""
}
for i in $(seq 0 9); do fgt_vpn_fail $((i*12)) 203.0.113.50 jdupont; done > fortigate-vpn-10-failures.log
for i in $(seq 0 8); do fgt_vpn_fail $((i*30)) 203.0.113.50 jdupont; done > fortigate-vpn-9-failures.log
for i in $(seq 0 29); do fgt_vpn_fail $((i*18)) 198.51.100.$((10+i)) "user$i"; done > fortigate-vpn-spraying.log
for i in $(seq 0 49); do fgt_deny $i 198.51.100.77 $((20+i)); done > fortigate-deny-burst.log
for i in $(seq 0 49); do fgt_deny $((i*3)) 198.51.100.77 443; done > fortigate-deny-slow.log

sns() { # OFFSET PAIRS...
  local o=$1 t; t=$(date -u -d "@$(( B + $1 ))" '+%Y-%m-%d %H:%M:%S'); shift
  echo "<13>$(ts $B $o) SN310-CHU id=firewall time=\"$t\" fw=\"SN310-CHU\" tz=+0000 startime=\"$t\" $*"
}
for i in $(seq 0 9); do
  sns $((i*10)) "pri=5 confid=01 slotlevel=2 ruleid=0 srcif=\"Ethernet0\" srcifname=\"out\" user=\"jdupont\" src=203.0.113.60 method=\"LDAP\" error=1 msg=\"Authentication failed\" logtype=\"auth\""
done > stormshield-auth-10-failures.log
for i in $(seq 0 49); do
  sns $i "pri=5 confid=01 slotlevel=2 ruleid=14 srcif=\"Ethernet0\" srcifname=\"out\" ipproto=tcp proto=tcp src=198.51.100.88 srcport=$((50000+i)) dst=192.0.2.20 dstport=$((1000+i)) action=block logtype=\"filter\""
done > stormshield-block-burst.log

ufw() { # OFFSET SRCIP DPT
  echo "<4>$(ts $B $1) srv-web kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=$2 DST=192.0.2.30 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=$((4000 + $1)) DF PROTO=TCP SPT=$((51000 + $1)) DPT=$3 WINDOW=64240 RES=0x00 SYN URGP=0"
}
for i in $(seq 0 49); do ufw $i 198.51.100.99 $((1+i)); done > ufw-block-burst.log
for i in $(seq 0 49); do ufw $((i*3)) 198.51.100.99 22; done > ufw-block-slow.log

# 10. Linux-PAM before 0.99 ("sshd(pam_unix)[pid]:" tag), as in a 2005 /var/log/messages: no PRI,
#     no "Failed password" line (sshd's own lines went to /var/log/secure). Ten failures from
#     one address in 90 s, every other one for an unknown account (then "check pass; user
#     unknown" first and no user=).
{
BL=$(date -u -d '2026-06-14 15:16:01' +%s)
for i in $(seq 0 9); do
  t=$((i*10)); pid=$((19939+i))
  if [ $((i % 2)) -eq 0 ]; then
    echo "$(ts $BL $t) combo sshd(pam_unix)[$pid]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4  user=root"
  else
    echo "$(ts $BL $t) combo sshd(pam_unix)[$pid]: check pass; user unknown"
    echo "$(ts $BL $t) combo sshd(pam_unix)[$pid]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "
  fi
done
} > ssh-legacy-pam-10-failures.log

# 11. The same with a host name in rhost= (sshd resolved the client), and nine from an address:
#     the host name is counted apart (source.domain), the address stays below the threshold.
{
BL=$(date -u -d '2026-06-15 04:06:18' +%s)
for i in $(seq 0 9); do
  echo "$(ts $BL $((i*12))) combo sshd(pam_unix)[$((21416+i))]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root"
done
for i in $(seq 0 8); do
  echo "$(ts $BL $((i*12+5))) combo sshd(pam_unix)[$((21430+i))]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=61.0.81.77  user=guest"
done
} > ssh-legacy-pam-hostname.log

# 12. A scanner: SSH protocol errors in the wordings of OpenSSH 4.x to 9.x, one source, 20 lines
#     in 100 s (and 19 for the threshold test). Then 20 pre-authentication disconnections from
#     one source, and one of OpenSSH 6.x that names no address (counted apart, per site).
proto_errors() {  # SOURCE -> one line per wording
  local a=$1
  echo "Did not receive identification string from $a port 50001"
  echo "Did not receive identification string from $a"
  echo "Bad protocol version identification 'GET / HTTP/1.1' from $a port 50003"
  echo "Bad protocol version identification 'HELP' from $a"
  echo "Protocol major versions differ for $a: SSH-2.0-OpenSSH_5.3 vs. SSH-1.5-NmapNSE_1.0"
  echo "Protocol major versions differ for $a port 50006: SSH-2.0-OpenSSH_7.4 vs. SSH-1.5-Nmap-SSH1-Hostkey"
  echo "Unable to negotiate with $a port 50007: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]"
  echo "fatal: Unable to negotiate with $a: no matching host key type found. Their offer: ssh-dss [preauth]"
  echo "banner exchange: Connection from $a port 50009: invalid format"
  echo "ssh_dispatch_run_fatal: Connection from $a port 50010: message authentication code incorrect [preauth]"
}
{
i=0
while read -r m; do echo "<38>$(ts $B $((i*5))) srv-dmz sshd[$((7000+i))]: $m"; i=$((i+1)); done < <(proto_errors 198.51.100.23; proto_errors 198.51.100.23)
} > ssh-scan-protocol-errors.log
head -n 19 ssh-scan-protocol-errors.log > ssh-scan-19.log

preauth_closes() {
  local a=$1
  echo "Connection closed by $a port 50100 [preauth]"
  echo "Connection closed by $a [preauth]"
  echo "Connection closed by invalid user admin $a port 50102 [preauth]"
  echo "Connection closed by authenticating user root $a port 50103 [preauth]"
  echo "Disconnected from invalid user test $a port 50104 [preauth]"
  echo "Disconnected from authenticating user root $a port 50105 [preauth]"
  echo "Disconnected from $a port 50106 [preauth]"
  echo "Connection reset by $a port 50107 [preauth]"
  echo "Received disconnect from $a port 50108:11: Bye Bye [preauth]"
  echo "Received disconnect from $a port 50109:11: Normal Shutdown, Thank you for playing [preauth]"
  echo "Received disconnect from $a: 11: Bye Bye [preauth]"
  echo "Received disconnect from $a: 11: Bye Bye"
  echo "Received disconnect from $a: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]"
  echo "error: Received disconnect from $a port 50113:14: No supported authentication methods available [preauth]"
  echo "Connection closed by $a"
  echo "Timeout before authentication for $a port 50115"
  echo "fatal: Timeout before authentication for $a"
  echo "Disconnecting invalid user admin $a port 50117: Change of username or service not allowed: (admin,ssh-connection) -> (root,ssh-connection) [preauth]"
  echo "Connection closed by $a port 50118 [preauth]"
  echo "Received disconnect from $a port 50119:11: Bye Bye [preauth]"
  echo "Disconnecting: Change of username or service not allowed: (root,ssh-connection) -> (admin,ssh-connection) [preauth]"
}
{
i=0
while read -r m; do echo "<38>$(ts $B $((i*5))) srv-dmz sshd[$((7100+i))]: $m"; i=$((i+1)); done < <(preauth_closes 198.51.100.24)
} > ssh-scan-preauth-disconnects.log

# 13. OpenSSH 8.x+ banner failures name no address: counted per site (20 in 100 s).
{
for i in $(seq 0 19); do
  case $((i % 4)) in
    0) m="kex_exchange_identification: Connection closed by remote host" ;;
    1) m="error: kex_exchange_identification: read: Connection reset by peer" ;;
    2) m='kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"' ;;
    3) m="kex_exchange_identification: banner line contains invalid characters" ;;
  esac
  echo "<38>$(ts $B $((i*5))) srv-dmz sshd[$((7200+i))]: $m"
done
} > ssh-scan-kex.log
# ten password failures (as in ssh-10-failures.log), then the guessed password accepted from
# the same address 20 s after the last failure, and the session it opens.
{
cat ssh-10-failures.log
echo "<38>$(ts $B 76) srv-dpi sshd[2221]: Accepted password for root from 183.62.140.253 port 51240 ssh2"
echo "<86>$(ts $B 76) srv-dpi sshd[2221]: pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)"
} > ssh-10-failures-then-accepted.log
