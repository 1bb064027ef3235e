"""FortiGate and Stormshield key=value logs sent as the firewalls send them (FortiOS without a
syslog header), through `vigie serve`: the shipped kv decoders feed the shipped rules, and a
hostile key=value line is counted, not fatal."""
import socket
import unittest

from harness import Vigie, VigieTestCase, wait_for

FGT_FAIL = ('<185>date=2026-03-10 time=10:15:{s:02d} devname="FGT-CHU" devid="FG100FTK20004321" '
            'logid="0101039426" type="event" subtype="vpn" level="alert" vd="root" logdesc="SSL VPN login fail" '
            'action="ssl-login-fail" tunneltype="ssl-web" remip={ip} user="jdupont" group="N/A" '
            'reason="sslvpn_login_permission_denied" msg="SSL user failed to logged in"')


class Firewalls(VigieTestCase):
    def setUp(self):
        super().setUp()
        self.vigie = self.track(Vigie(self.tmp).start())

    def alerts(self, rule_id, ip):
        return self.vigie.query("SELECT count(*) FROM alerts WHERE rule_id = ? AND key LIKE ?", rule_id,
                                f"%{ip}%")[0][0]

    def test_fortigate_sslvpn_brute_force_over_udp_and_hostile_lines(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            # Hostile first: 3,000 pairs in one line, an unterminated quote, runs of '='.
            many = "devid=FGX logid=1 type=event " + " ".join(f"k{i}=v" for i in range(3000))
            for line in (f"<185>{many}", '<185>devid=FGX logid=1 type=event msg="cut', "<185>" + "=" * 5000):
                s.sendto(line.encode(), ("127.0.0.1", self.vigie.port))
            for i in range(10):
                s.sendto(FGT_FAIL.format(s=i, ip="203.0.113.50").encode(), ("127.0.0.1", self.vigie.port))
        wait_for(lambda: self.alerts("vigie-fortigate-sslvpn-bruteforce", "203.0.113.50") == 1,
                 what="the FortiGate SSL-VPN brute-force alert")
        self.assertEqual(self.vigie.stop(), 0, self.vigie.log_text())
        self.assertEqual(self.vigie.counter("vigie_decoder_kv_truncated_total", decoder="fortigate"), 1)
        self.assertEqual(self.vigie.counter("vigie_decoder_kv_malformed_total", decoder="fortigate"), 1)

    def test_stormshield_major_alarm_over_tcp(self):
        line = ('<9>id=firewall time="2026-03-10 10:15:02" fw="SN310-CHU" tz=+0100 startime="2026-03-10 10:15:02" '
                'pri=1 confid=01 slotlevel=2 ruleid=3 ipproto=tcp proto=http src=198.51.100.66 srcport=40022 '
                'dst=192.0.2.20 dstport=80 action=block msg="Possible SQL injection in the URL" class=protocol '
                'classification=0 alarmid=254 logtype="alarm"')
        with socket.create_connection(("127.0.0.1", self.vigie.port), timeout=5) as s:
            s.sendall((line + "\n").encode())
        wait_for(lambda: self.alerts("vigie-stormshield-major-alarm", "198.51.100.66") == 1,
                 what="the Stormshield major-alarm alert")


if __name__ == "__main__":
    unittest.main()
