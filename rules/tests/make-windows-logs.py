#!/usr/bin/env python3
"""Regenerates the win-*.jsonl fixtures of this folder (logs_file: in rules/detection/windows-*.yml).

Windows events as the three shippers write them, one JSON line each (daemon/ingest/README.md,
"Windows events"):
  evtx   evtx_dump -o jsonl: {"Event": {"System": {...}, "EventData": {...}}}
  beat   Winlogbeat 8 (ECS): {"@timestamp", "event", "host", "winlog": {..., "event_data"}}
  nxlog  NXLog im_msvistalog + to_json() behind to_syslog_ietf()'s RFC 5424 header (NXLog's
         EventTime has no zone, so the header carries the time)
Each scenario cycles through the three shapes unless it names one, so every rule is tested on
all of them. Times are UTC on 2026-03-10 from 10:15:00. Run from this folder: ./make-windows-logs.py
"""
import datetime
import json
import os

BASE = datetime.datetime(2026, 3, 10, 10, 15, 0, tzinfo=datetime.timezone.utc)
SHAPES = ("evtx", "beat", "nxlog")

SECURITY = ("Security", "Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-a5ba-3e3b0328c30d}")
SYSTEM_SCM = ("System", "Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}")
EVENTLOG_SEC = ("Security", "Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}")
EVENTLOG_SYS = ("System", "Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}")
DEFENDER = ("Microsoft-Windows-Windows Defender/Operational", "Microsoft-Windows-Windows Defender",
            "{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}")
SYSMON = ("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}")

# Winlogbeat's event.action / task names for the ids used here (its security module).
BEAT_ACTION = {4624: "logged-in", 4625: "logon-failed", 4648: "logged-in-explicit", 4720: "added-user-account",
               4728: "added-member-to-group", 4732: "added-member-to-group", 4756: "added-member-to-group",
               4740: "locked-out-user-account", 4768: "kerberos-authentication-ticket-requested",
               4769: "kerberos-service-ticket-requested", 4771: "kerberos-preauth-failed",
               4776: "credential-validated", 1102: "audit-log-cleared", 4697: "service-installed",
               4698: "scheduled-task-created", 4662: "object-operation-performed", 4688: "created-process"}

record = [240000]


def stamp(t, digits=6):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}"[:digits] + "Z"


def evtx(t, eid, src, computer, data, user_data):
    channel, provider, guid = src
    system = {"Provider": {"#attributes": {"Name": provider, "Guid": guid}}, "EventID": eid, "Version": 0,
              "Level": 0, "Task": 0, "Opcode": 0, "Keywords": "0x8020000000000000",
              "TimeCreated": {"#attributes": {"SystemTime": stamp(t)}}, "EventRecordID": record[0],
              "Correlation": None, "Execution": {"#attributes": {"ProcessID": 708, "ThreadID": 5124}},
              "Channel": channel, "Computer": computer, "Security": None}
    ev = {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"}, "System": system}
    if user_data is not None:
        ev["UserData"] = user_data
    else:
        ev["EventData"] = data
    return json.dumps({"Event": ev}, ensure_ascii=False)


def beat(t, eid, src, computer, data, user_data):
    channel, provider, guid = src
    w = {"channel": channel, "event_id": str(eid), "provider_name": provider, "provider_guid": guid,
         "computer_name": computer, "record_id": str(record[0]), "api": "wineventlog",
         "process": {"pid": 708, "thread": {"id": 5124}}}
    if user_data is not None:
        (element, items), = user_data.items()
        w["user_data"] = dict(items, xml_name=element)
    else:
        w["event_data"] = data
    event = {"code": str(eid), "kind": "event", "provider": provider, "created": stamp(t, 3)}
    if eid in BEAT_ACTION:
        event["action"] = BEAT_ACTION[eid]
    return json.dumps({"@timestamp": stamp(t, 3), "event": event, "host": {"name": computer.lower()},
                       "agent": {"type": "winlogbeat", "version": "8.15.3"}, "ecs": {"version": "8.0.0"},
                       "log": {"level": "information"}, "winlog": w}, ensure_ascii=False)


def nxlog(t, eid, src, computer, data, user_data):
    channel, provider, guid = src
    failure = eid in (4625, 4771) or (eid == 4776 and data.get("Status") != "0x0")
    local = t.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    body = {"EventTime": local.strftime("%Y-%m-%d %H:%M:%S"), "Hostname": computer,
            "Keywords": -9218868437227405312 if failure else -9214364837600034816,
            "EventType": "AUDIT_FAILURE" if failure else "AUDIT_SUCCESS", "SeverityValue": 2,
            "Severity": "INFO", "EventID": eid, "SourceName": provider, "ProviderGuid": guid, "Version": 0,
            "OpcodeValue": 0, "RecordNumber": record[0], "ProcessID": 708, "ThreadID": 5124,
            "Channel": channel}
    if user_data is not None:
        (_, items), = user_data.items()
        body.update(items)
    else:
        body.update(data)
    body.update({"EventReceivedTime": local.strftime("%Y-%m-%d %H:%M:%S"), "SourceModuleName": "eventlog",
                 "SourceModuleType": "im_msvistalog"})
    host = computer.split(".")[0]
    app = provider.replace(" ", "_")[:48]
    return f"<14>1 {stamp(t)} {host} {app} 708 - - " + json.dumps(body, ensure_ascii=False)


WRITERS = {"evtx": evtx, "beat": beat, "nxlog": nxlog}


def write(name, events):
    """events: (seconds after BASE, event id, source, computer, data[, shape[, user_data]])"""
    lines = []
    for i, e in enumerate(events):
        sec, eid, src, computer, data = e[:5]
        shape = e[5] if len(e) > 5 and e[5] else SHAPES[i % 3]
        user_data = e[6] if len(e) > 6 else None
        record[0] += 1
        lines.append(WRITERS[shape](BASE + datetime.timedelta(seconds=sec, microseconds=123456), eid, src,
                                    computer, data, user_data))
    with open(name, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# --- logons -------------------------------------------------------------------------------------


def failed_logon(user, ip, port, ws, logon_type=3, sub="0xc000006a"):
    return {"SubjectUserSid": "S-1-0-0", "SubjectUserName": "-", "SubjectDomainName": "-",
            "SubjectLogonId": "0x0", "TargetUserSid": "S-1-0-0", "TargetUserName": user,
            "TargetDomainName": "CHU", "Status": "0xc000006d", "FailureReason": "%%2313", "SubStatus": sub,
            "LogonType": str(logon_type), "LogonProcessName": "NtLmSsp ", "AuthenticationPackageName": "NTLM",
            "WorkstationName": ws, "TransmittedServices": "-", "LmPackageName": "-", "KeyLength": "0",
            "ProcessId": "0x0", "ProcessName": "-", "IpAddress": ip, "IpPort": str(port)}


def kerberos_preauth_failed(user, ip):
    return {"TargetUserName": user, "TargetSid": "S-1-5-21-3623811015-3361044348-30300820-1131",
            "ServiceName": "krbtgt/CHU.LOCAL", "TicketOptions": "0x40810010", "Status": "0x18",
            "PreAuthType": "2", "IpAddress": "::ffff:" + ip, "IpPort": "50622", "CertIssuerName": "",
            "CertSerialNumber": "", "CertThumbprint": ""}


def ntlm_validation(user, ws, status):
    return {"PackageName": "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName": user, "Workstation": ws,
            "Status": status}


def logon(user, ip, logon_type, ws="RDS01", subject="RDS01$"):
    return {"SubjectUserSid": "S-1-5-18", "SubjectUserName": subject, "SubjectDomainName": "CHU",
            "SubjectLogonId": "0x3e7", "TargetUserSid": "S-1-5-21-3623811015-3361044348-30300820-1107",
            "TargetUserName": user, "TargetDomainName": "CHU", "TargetLogonId": "0x5a3f21c",
            "LogonType": str(logon_type), "LogonProcessName": "User32 " if logon_type == 10 else "Kerberos",
            "AuthenticationPackageName": "Negotiate", "WorkstationName": ws,
            "LogonGuid": "{c4e1b0a2-7d3f-4b19-9e2a-0f6c8d5e4a31}", "TransmittedServices": "-",
            "LmPackageName": "-", "KeyLength": "0", "ProcessId": "0x2f8",
            "ProcessName": "C:\\Windows\\System32\\svchost.exe" if logon_type == 10 else "-",
            "IpAddress": ip, "IpPort": "0", "ImpersonationLevel": "%%1833", "RestrictedAdminMode": "%%1843",
            "TargetOutboundUserName": "-", "TargetOutboundDomainName": "-", "VirtualAccount": "%%1843",
            "TargetLinkedLogonId": "0x0", "ElevatedToken": "%%1842"}


def explicit_logon(subject, target, server, process):
    return {"SubjectUserSid": "S-1-5-21-3623811015-3361044348-30300820-1104", "SubjectUserName": subject,
            "SubjectDomainName": "CHU", "SubjectLogonId": "0x4d1e2a", "LogonGuid": "{00000000-0000-0000-0000-000000000000}",
            "TargetUserName": target, "TargetDomainName": "CHU", "TargetLogonGuid": "{00000000-0000-0000-0000-000000000000}",
            "TargetServerName": server, "TargetInfo": server, "ProcessId": "0x1a2c", "ProcessName": process,
            "IpAddress": "-", "IpPort": "-"}


DC = "DC01.chu.local"

# 1. Ten failed network logons from one Internet address against five accounts in a minute:
#    brute force by source (not by account: two tries each; not spraying: five names).
write("win-logon-bruteforce-source.jsonl",
      [(i * 6, 4625, SECURITY, "RDS01.chu.local",
        failed_logon(["administrateur", "admin", "rssi", "scanner", "accueil"][i % 5], "203.0.113.45", 50210 + i, "kali"))
       for i in range(10)])
# 2. Nine of them in five minutes: below every threshold.
write("win-logon-9-failures.jsonl",
      [(i * 30, 4625, SECURITY, "RDS01.chu.local", failed_logon("admin", "203.0.113.45", 50310 + i, "kali"))
       for i in range(9)])
# 3. One account failing from ten workstations in two minutes, as a DC and the members log it
#    (4625 on the member, 4771 Kerberos pre-authentication, 4776 NTLM validation on the DC).
acct = []
for i in range(10):
    ws, ip = f"PC-URG{i + 1:02d}", f"10.29.4.{21 + i}"
    if i % 3 == 0:
        acct.append((i * 12, 4625, SECURITY, f"{ws}.chu.local", failed_logon("dr.martin", ip, 51000 + i, ws, 2)))
    elif i % 3 == 1:
        acct.append((i * 12, 4771, SECURITY, DC, kerberos_preauth_failed("dr.martin", ip)))
    else:
        acct.append((i * 12, 4776, SECURITY, DC, ntlm_validation("dr.martin", ws, "0xc000006a")))
write("win-logon-bruteforce-account.jsonl", acct)
# 4. Password spraying: twelve accounts from one address, one try each, 50 s apart (never ten
#    failures within five minutes from that address).
spray_users = ["j.dupont", "m.bernard", "s.petit", "l.robert", "c.richard", "n.durand", "a.leroy", "p.moreau",
               "e.simon", "t.laurent", "i.michel", "r.garcia"]
write("win-logon-spraying.jsonl",
      [(i * 50, 4625, SECURITY, "RDS01.chu.local", failed_logon(u, "198.51.100.23", 40100 + i, "-", 3, "0xc000006a"))
       for i, u in enumerate(spray_users)])
# 5. Lockouts (4740, written by the DC holding the PDC role): one per shape, three accounts.
write("win-lockout.jsonl",
      [(i * 20, 4740, SECURITY, DC,
        {"TargetUserName": u, "TargetDomainName": ws, "TargetSid": f"S-1-5-21-3623811015-3361044348-30300820-{1201 + i}",
         "SubjectUserSid": "S-1-5-18", "SubjectUserName": "DC01$", "SubjectDomainName": "CHU",
         "SubjectLogonId": "0x3e7"})
       for i, (u, ws) in enumerate([("dr.martin", "PC-URG03"), ("inf.bloc2", "PC-BLOC2"), ("sec.radio", "PC-RADIO1")])])
# 6. RDP logons (4624 type 10) from three addresses, one per shape; then logons that are not RDP.
write("win-rdp-logon.jsonl",
      [(i * 30, 4624, SECURITY, "RDS01.chu.local", logon(u, ip, 10))
       for i, (u, ip) in enumerate([("prestataire.pacs", "192.0.2.77"), ("adm.dupont", "10.29.8.14"),
                                    ("adm.leroy", "10.29.8.15")])])
write("win-logon-benign.jsonl",
      [(0, 4624, SECURITY, "SRV-FILE01.chu.local", logon("j.dupont", "10.29.4.17", 3, "PC-URG01", "-")),
       (5, 4624, SECURITY, "PC-URG01.chu.local", logon("j.dupont", "127.0.0.1", 2, "PC-URG01", "PC-URG01$")),
       (10, 4776, SECURITY, DC, ntlm_validation("j.dupont", "PC-URG01", "0x0")),
       (15, 4648, SECURITY, "PC-URG01.chu.local",
        explicit_logon("PC-URG01$", "j.dupont", "localhost", "C:\\Windows\\System32\\svchost.exe")),
       (20, 4625, SECURITY, "RDS01.chu.local", failed_logon("j.dupont", "10.29.4.17", 50001, "PC-URG01"))])
# 7. Explicit-credential logons (4648): PsExec and runas with another account, one per shape.
write("win-explicit-logon.jsonl",
      [(i * 30, 4648, SECURITY, "PC-INFO07.chu.local", explicit_logon(s, t, srv, p))
       for i, (s, t, srv, p) in enumerate([
           ("j.dupont", "adm-sauvegarde", "SRV-BACKUP01.chu.local", "C:\\Users\\j.dupont\\Downloads\\PsExec64.exe"),
           ("m.bernard", "administrateur", "SRV-DPI02.chu.local", "C:\\Windows\\System32\\runas.exe"),
           ("s.petit", "adm.leroy", "SRV-PACS01.chu.local", "C:\\Windows\\System32\\mstsc.exe")])])

# --- accounts and groups ------------------------------------------------------------------------

SUBJECT = {"SubjectUserSid": "S-1-5-21-3623811015-3361044348-30300820-1104", "SubjectUserName": "adm.dupont",
           "SubjectDomainName": "CHU", "SubjectLogonId": "0x8c3a1f"}


def new_account(name, sid):
    return dict({"TargetUserName": name, "TargetDomainName": "CHU", "TargetSid": sid}, **SUBJECT,
                PrivilegeList="-", SamAccountName=name, DisplayName="%%1793", UserPrincipalName="-",
                HomeDirectory="%%1793", HomePath="%%1793", ScriptPath="%%1793", ProfilePath="%%1793",
                UserWorkstations="%%1793", PasswordLastSet="%%1794", AccountExpires="%%1794",
                PrimaryGroupId="513", AllowedToDelegateTo="-", OldUacValue="0x0", NewUacValue="0x15",
                UserAccountControl="\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084", UserParameters="%%1793",
                SidHistory="-", LogonHours="%%1797")


def member_added(member_dn, member_sid, group, domain, group_sid):
    return dict({"MemberName": member_dn, "MemberSid": member_sid, "TargetUserName": group,
                 "TargetDomainName": domain, "TargetSid": group_sid}, **SUBJECT, PrivilegeList="-")


write("win-new-account.jsonl",
      [(0, 4720, SECURITY, DC, new_account("support01", "S-1-5-21-3623811015-3361044348-30300820-1301")),
       (30, 4720, SECURITY, DC, new_account("svc-maint", "S-1-5-21-3623811015-3361044348-30300820-1302")),
       (60, 4720, SECURITY, "SRV-PACS01.chu.local", new_account("pacsadmin", "S-1-5-21-1004336348-1177238915-682003330-1005"))])
DOM = "S-1-5-21-3623811015-3361044348-30300820"
write("win-privileged-group.jsonl",
      [(0, 4728, SECURITY, DC, member_added("CN=svc-maint,OU=Services,DC=chu,DC=local", f"{DOM}-1302",
                                           "Admins du domaine", "CHU", f"{DOM}-512")),
       (30, 4732, SECURITY, "SRV-PACS01.chu.local", member_added("-", f"{DOM}-1131", "Administrateurs", "Builtin",
                                                               "S-1-5-32-544")),
       (60, 4756, SECURITY, DC, member_added("CN=support01,CN=Users,DC=chu,DC=local", f"{DOM}-1301",
                                            "Enterprise Admins", "CHU", f"{DOM}-519"))])
write("win-group-benign.jsonl",
      [(0, 4728, SECURITY, DC, member_added("CN=j.dupont,OU=Urgences,DC=chu,DC=local", f"{DOM}-1140",
                                           "GG-Urgences-Lecture", "CHU", f"{DOM}-2210")),
       (30, 4732, SECURITY, "SRV-FILE01.chu.local", member_added("-", f"{DOM}-1140", "Utilisateurs du Bureau à distance",
                                                               "Builtin", "S-1-5-32-555")),
       (60, 4756, SECURITY, DC, member_added("CN=m.bernard,OU=Labo,DC=chu,DC=local", f"{DOM}-1141",
                                            "GU-Messagerie-Labo", "CHU", f"{DOM}-2311"))])

# --- tampering, persistence ---------------------------------------------------------------------

CLEARED = {"SubjectUserSid": "S-1-5-21-3623811015-3361044348-30300820-1104", "SubjectUserName": "adm.dupont",
           "SubjectDomainName": "CHU", "SubjectLogonId": "0x8c3a1f"}
write("win-log-cleared.jsonl",
      [(0, 1102, EVENTLOG_SEC, DC, None, "evtx", {"LogFileCleared": CLEARED}),
       (10, 1102, EVENTLOG_SEC, "SRV-PACS01.chu.local", None, "beat", {"LogFileCleared": CLEARED}),
       (20, 1102, EVENTLOG_SEC, "SRV-DPI02.chu.local", None, "nxlog", {"LogFileCleared": CLEARED}),
       (30, 104, EVENTLOG_SYS, "SRV-FILE01.chu.local", None, "evtx",
        {"LogFileCleared": {"SubjectUserName": "adm.dupont", "SubjectDomainName": "CHU", "Channel": "System",
                            "BackupPath": ""}}),
       (40, 104, EVENTLOG_SYS, "SRV-LABO01.chu.local", None, "beat",
        {"LogFileCleared": {"SubjectUserName": "adm.dupont", "SubjectDomainName": "CHU", "Channel": "System",
                            "BackupPath": ""}}),
       (50, 104, EVENTLOG_SYS, "PC-URG01.chu.local", None, "nxlog",
        {"LogFileCleared": {"SubjectUserName": "adm.dupont", "SubjectDomainName": "CHU", "Channel": "System",
                            "BackupPath": ""}})])
# A System 104 that is not from the Eventlog provider, and a Security 1104 (log full): not cleared.
write("win-log-benign.jsonl",
      [(0, 104, ("System", "Microsoft-Windows-Kernel-Power", "{331c3b3a-2005-44c2-ac5e-77220c37d6b4}"),
        "PC-URG01.chu.local", {"Reason": "2"}),
       (10, 1104, EVENTLOG_SEC, DC, None, None, {"FileIsFull": {}})])


def service_7045(name, path, start="demand start"):
    return {"ServiceName": name, "ImagePath": path, "ServiceType": "user mode service", "StartType": start,
            "AccountName": "LocalSystem"}


def service_4697(name, path):
    return dict(SUBJECT, ServiceName=name, ServiceFileName=path, ServiceType="0x10", ServiceStartType="3",
                ServiceAccount="LocalSystem")


write("win-service-installed.jsonl",
      [(0, 7045, SYSTEM_SCM, "SRV-PACS01.chu.local", service_7045("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe")),
       (10, 7045, SYSTEM_SCM, "SRV-DPI02.chu.local",
        service_7045("fzkwqd", "%COMSPEC% /b /c start /b /min powershell -nop -w hidden -encodedcommand JABzAD0ATgBlAHcA")),
       (20, 7045, SYSTEM_SCM, "SRV-FILE01.chu.local", service_7045("AnyDesk", "\"C:\\ProgramData\\AnyDesk\\AnyDesk.exe\" --service", "auto start")),
       (30, 4697, SECURITY, "SRV-LABO01.chu.local", service_4697("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe")),
       (40, 4697, SECURITY, "PC-URG01.chu.local", service_4697("WinDefUpd", "C:\\Users\\Public\\svchost.exe")),
       (50, 4697, SECURITY, "PC-URG02.chu.local", service_4697("Sysmon64", "C:\\Windows\\Sysmon64.exe"))])

TASK_XML = ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" "
            "xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n  <Triggers>\r\n    <LogonTrigger>"
            "\r\n      <Enabled>true</Enabled>\r\n    </LogonTrigger>\r\n  </Triggers>\r\n  <Actions Context=\"Author\">"
            "\r\n    <Exec>\r\n      <Command>C:\\Users\\Public\\update.exe</Command>\r\n    </Exec>\r\n  </Actions>"
            "\r\n</Task>")
write("win-scheduled-task.jsonl",
      [(i * 20, 4698, SECURITY, host, dict(SUBJECT, TaskName=name, TaskContent=TASK_XML, ClientProcessStartKey="5910974510923923",
                                           ClientProcessId="6612", ParentProcessId="3344", RpcCallClientLocality="0",
                                           FQDN=host))
       for i, (host, name) in enumerate([("SRV-PACS01.chu.local", "\\MicrosoftEdgeUpdateTaskMachineUA2"),
                                         ("SRV-DPI02.chu.local", "\\Updater"),
                                         ("PC-URG01.chu.local", "\\Microsoft\\Windows\\SoftwareProtectionPlatform\\Sync")])])

# --- Kerberos, replication ----------------------------------------------------------------------


def tgs(user, service, etype, status="0x0"):
    return {"TargetUserName": f"{user}@CHU.LOCAL", "TargetDomainName": "CHU.LOCAL", "ServiceName": service,
            "ServiceSid": f"{DOM}-1401", "TicketOptions": "0x40810000", "TicketEncryptionType": etype,
            "IpAddress": "::ffff:10.29.4.66", "IpPort": "49788", "Status": status,
            "LogonGuid": "{9f1d2c3b-4a5e-6f70-8192-a3b4c5d6e7f8}", "TransmittedServices": "-"}


def tgt(user, preauth, etype="0x17"):
    return {"TargetUserName": user, "TargetDomainName": "CHU.LOCAL", "TargetSid": f"{DOM}-1188",
            "ServiceName": "krbtgt", "ServiceSid": f"{DOM}-502", "TicketOptions": "0x40800010", "Status": "0x0",
            "TicketEncryptionType": etype, "PreAuthType": preauth, "IpAddress": "::ffff:10.29.4.66",
            "IpPort": "50123", "CertIssuerName": "", "CertSerialNumber": "", "CertThumbprint": ""}


write("win-kerberoasting.jsonl",
      [(i * 2, 4769, SECURITY, DC, tgs(u, svc, "0x17"))
       for i, (u, svc) in enumerate([("s.petit", "svc-sql-dpi"), ("m.bernard", "svc-pacs"), ("c.richard", "svc-backup")])])
write("win-asrep-roasting.jsonl",
      [(i * 2, 4768, SECURITY, DC, tgt(u, "0"))
       for i, u in enumerate(["svc-labo", "old.interface", "test.hl7"])])
write("win-kerberos-benign.jsonl",
      [(0, 4769, SECURITY, DC, tgs("s.petit", "svc-sql-dpi", "0x12")),
       (2, 4769, SECURITY, DC, tgs("SRV-PACS01$", "krbtgt", "0x17")),
       (4, 4769, SECURITY, DC, tgs("s.petit", "SRV-FILE01$", "0x17")),
       (6, 4769, SECURITY, DC, tgs("s.petit", "svc-pacs", "0x17", "0x1b")),
       (8, 4768, SECURITY, DC, tgt("s.petit", "2", "0x12")),
       (10, 4768, SECURITY, DC, tgt("s.petit", "15", "0x12"))])

REPL_ALL = "{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}"
REPL = "{1131f6aa-9c07-11d1-f79f-00c04fc2dcd2}"
DOMAIN_DNS = "{19195a5b-6da0-11d0-afd3-00c04fd930c9}"


def ds_access(user, domain, props):
    return {"SubjectUserSid": f"{DOM}-1104", "SubjectUserName": user, "SubjectDomainName": domain,
            "SubjectLogonId": "0x9e2b41", "ObjectServer": "DS", "ObjectType": "%" + DOMAIN_DNS,
            "ObjectName": "%{4c7a2b91-3e5d-4f08-a1c6-7d9e0b2f3a45}", "OperationType": "Object Access",
            "HandleId": "0x0", "AccessList": "%%7688\r\n\t\t\t\t", "AccessMask": "0x100",
            "Properties": "%%7688\r\n\t\t" + props + "\r\n\t" + DOMAIN_DNS + "\r\n", "AdditionalInfo": "-",
            "AdditionalInfo2": ""}


write("win-dcsync.jsonl",
      [(0, 4662, SECURITY, DC, ds_access("j.dupont", "CHU", REPL_ALL)),
       (2, 4662, SECURITY, "DC02.chu.local", ds_access("svc-sauvegarde", "CHU", REPL)),
       (4, 4662, SECURITY, "DC03.chu.local", ds_access("adm.leroy", "CHU", "{89e95b76-444d-4c62-991a-0facbeda640c}"))])
write("win-dcsync-benign.jsonl",
      [(0, 4662, SECURITY, DC, ds_access("DC02$", "CHU", REPL_ALL)),
       (2, 4662, SECURITY, DC, ds_access("MSOL_3f8a2b1c9d0e", "CHU", REPL_ALL)),
       (4, 4662, SECURITY, DC, ds_access("j.dupont", "CHU", "{bf967a86-0de6-11d0-a285-00aa003049e2}"))])

# --- Defender -----------------------------------------------------------------------------------


def detection(action, threat, path, category="Tool"):
    d = {"Product Name": "%%827", "Product Version": "4.18.24090.11",
         "Detection ID": "{5d1f7c2a-98b3-4e61-a0f4-3b2c1d9e8f70}", "Detection Time": "2026-03-10T10:15:00.102Z",
         "Threat ID": "2147730010", "Threat Name": threat, "Severity ID": "5", "Severity Name": "Severe",
         "Category ID": "34", "Category Name": category, "FWLink": "https://go.microsoft.com/fwlink/?linkid=37020&name="
         + threat + "&threatid=2147730010&enterprise=1", "Status Code": "1", "State": "1", "Source ID": "3",
         "Source Name": "%%818", "Process Name": "C:\\Windows\\explorer.exe", "Detection User": "CHU\\j.dupont",
         "Path": "file:_" + path, "Origin ID": "1", "Origin Name": "%%845", "Execution ID": "1",
         "Execution Name": "%%813", "Type ID": "0", "Type Name": "%%822", "Engine Version": "AM: 1.1.24090.11",
         "Signature Version": "AV: 1.421.1234.0"}
    if action:
        d.update({"Action ID": "2", "Action Name": "%%809", "Error Code": "0x00000000",
                  "Error Description": "The operation completed successfully. "})
    return d


write("win-defender-detection.jsonl",
      [(0, 1116, DEFENDER, "PC-URG01.chu.local", detection(False, "HackTool:Win32/Mimikatz.D", "C:\\Users\\Public\\m64.exe")),
       (1, 1117, DEFENDER, "PC-URG01.chu.local", detection(True, "HackTool:Win32/Mimikatz.D", "C:\\Users\\Public\\m64.exe")),
       (10, 1116, DEFENDER, "SRV-FILE01.chu.local",
        detection(False, "Ransom:Win32/LockBit.PA!MTB", "C:\\ProgramData\\svcupd.exe", "Ransomware"))])
PRODUCT = {"Product Name": "%%827", "Product Version": "4.18.24090.11"}
write("win-defender-disabled.jsonl",
      [(0, 5001, DEFENDER, "PC-URG01.chu.local", PRODUCT),
       (10, 5010, DEFENDER, "SRV-FILE01.chu.local", PRODUCT),
       (20, 5012, DEFENDER, "SRV-PACS01.chu.local", PRODUCT)])
# Signature update (2000) and real-time protection enabled again (5000, 5004 config change).
write("win-defender-benign.jsonl",
      [(0, 2000, DEFENDER, "PC-URG01.chu.local", dict(PRODUCT, **{"Current security intelligence Version": "1.421.1234.0"})),
       (10, 5000, DEFENDER, "PC-URG01.chu.local", PRODUCT),
       (20, 5007, DEFENDER, "PC-URG01.chu.local", dict(PRODUCT, **{"Old Value": "", "New Value": "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Scan\\ScheduleDay = 0x8"}))])

# --- process creation: shadow copies and backups ------------------------------------------------


def sysmon1(image, cmd, parent="C:\\Windows\\System32\\cmd.exe", pcmd="cmd.exe /c C:\\ProgramData\\go.bat"):
    name = image.rsplit("\\", 1)[-1]
    return {"RuleName": "-", "UtcTime": "2026-03-10 10:15:00.123", "ProcessGuid": "{7c9d1e2f-3a4b-65c6-1a0e-000000003d00}",
            "ProcessId": "6236", "Image": image, "FileVersion": "10.0.20348.1 (WinBuild.160101.0800)",
            "Description": "-", "Product": "Microsoft® Windows® Operating System", "Company": "Microsoft Corporation",
            "OriginalFileName": name.upper(), "CommandLine": cmd, "CurrentDirectory": "C:\\Windows\\system32\\",
            "User": "CHU\\adm-sauvegarde", "LogonGuid": "{7c9d1e2f-2b11-65c6-2a3f-8c0000000000}", "LogonId": "0x8c3f2a",
            "TerminalSessionId": "0", "IntegrityLevel": "High",
            "Hashes": "SHA256=0D4E2F2C2F1B0C63A8C6F0F0DB3EA5E54E0D8A1E0C0A9F1B2C3D4E5F60718293",
            "ParentProcessGuid": "{7c9d1e2f-3a4a-65c6-190e-000000003d00}", "ParentProcessId": "4412",
            "ParentImage": parent, "ParentCommandLine": pcmd, "ParentUser": "CHU\\adm-sauvegarde"}


def security4688(image, cmd, parent="C:\\Windows\\System32\\cmd.exe"):
    return dict(SUBJECT, NewProcessId="0x1b3c", NewProcessName=image, TokenElevationType="%%1937", ProcessId="0x1a20",
                CommandLine=cmd, TargetUserSid="S-1-0-0", TargetUserName="-", TargetDomainName="-",
                TargetLogonId="0x0", ParentProcessName=parent, MandatoryLabel="S-1-16-12288")


S32 = "C:\\Windows\\System32\\"
write("win-shadow-delete.jsonl",
      [(0, 1, SYSMON, "SRV-FILE01.chu.local", sysmon1(S32 + "vssadmin.exe", "vssadmin.exe  Delete Shadows /All /Quiet"), "evtx"),
       (5, 1, SYSMON, "SRV-FILE01.chu.local", sysmon1(S32 + "wbem\\WMIC.exe", "wmic  shadowcopy delete /nointeractive"), "beat"),
       (10, 4688, SECURITY, "SRV-PACS01.chu.local", security4688(S32 + "wbadmin.exe", "wbadmin  delete catalog -quiet"), "nxlog"),
       (15, 4688, SECURITY, "SRV-DPI02.chu.local", security4688(S32 + "bcdedit.exe", "bcdedit  /set {default} recoveryenabled No"), "evtx"),
       (20, 1, SYSMON, "SRV-LABO01.chu.local", sysmon1(S32 + "wbadmin.exe", "wbadmin DELETE SYSTEMSTATEBACKUP -deleteOldest"), "nxlog"),
       (25, 1, SYSMON, "SRV-LABO02.chu.local",
        sysmon1(S32 + "WindowsPowerShell\\v1.0\\powershell.exe",
                "powershell.exe -c \"Get-WmiObject Win32_Shadowcopy | ForEach-Object { $_.Delete() }\""), "beat")])
write("win-shadow-benign.jsonl",
      [(0, 1, SYSMON, "SRV-FILE01.chu.local", sysmon1(S32 + "vssadmin.exe", "vssadmin list shadows"), "evtx"),
       (5, 4688, SECURITY, "SRV-PACS01.chu.local", security4688(S32 + "wbadmin.exe", "wbadmin start backup -backupTarget:E: -include:C: -quiet"), "beat"),
       (10, 1, SYSMON, "SRV-DPI02.chu.local", sysmon1(S32 + "bcdedit.exe", "bcdedit /enum {current}"), "nxlog"),
       (15, 1, SYSMON, "SRV-FILE01.chu.local", sysmon1(S32 + "vssadmin.exe", "vssadmin create shadow /for=C:"), "beat")])
