// The Windows decoder through the parser, as workers and `vigie replay` run it: one failed logon
// (Security 4625) written by each shipper gives the same Sigma fields and ECS aliases.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "ingest/syslog/parser.hpp"

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;

namespace {

core::Event parse(std::string line) {
  static core::Metrics metrics;
  static SyslogParser parser(std::make_shared<config::Config>(), metrics);
  RawMessage m;
  m.data = std::move(line);
  m.received = *core::parse_rfc3339("2026-11-30T08:20:00Z");
  return parser.parse(m, "file:test");
}

std::string value(const core::Event& e, std::string_view name) {
  const auto v = e.get(name);
  return v ? std::string(*v) : std::string("<absent>");
}

// The same 4625 (network logon of "admin" from 10.29.4.17 refused), in each shipper's shape.
const std::string kEvtx =
    R"({"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},)"
    R"("System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing",)"
    R"("Guid":"{54849625-5478-4994-A5BA-3E3B0328C30D}"}},"EventID":4625,"Version":0,"Level":0,)"
    R"("TimeCreated":{"#attributes":{"SystemTime":"2026-11-30T08:15:02.123Z"}},"Channel":"Security",)"
    R"("Computer":"DC01.chu.local"},)"
    R"("EventData":{"SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"admin",)"
    R"("TargetDomainName":"CHU","Status":"0xc000006d","LogonType":3,"WorkstationName":"PC-17",)"
    R"("IpAddress":"10.29.4.17","IpPort":"51234"}}})";

const std::string kEvtxDataList =
    R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},)"
    R"("EventID":{"#attributes":{"Qualifiers":""},"#text":4625},"Channel":"Security","Computer":"DC01.chu.local"},)"
    R"("EventData":{"Data":[{"#attributes":{"Name":"SubjectUserName"},"#text":"-"},)"
    R"({"#attributes":{"Name":"TargetUserName"},"#text":"admin"},)"
    R"({"#attributes":{"Name":"TargetDomainName"},"#text":"CHU"},)"
    R"({"#attributes":{"Name":"Status"},"#text":"0xc000006d"},)"
    R"({"#attributes":{"Name":"LogonType"},"#text":3},)"
    R"({"#attributes":{"Name":"WorkstationName"},"#text":"PC-17"},)"
    R"({"#attributes":{"Name":"IpAddress"},"#text":"10.29.4.17"},)"
    R"({"#attributes":{"Name":"IpPort"},"#text":"51234"},)"
    R"({"#attributes":{"Name":"Empty"},"#text":null},"unnamed"]}}})";

const std::string kNxlog =
    R"({"EventTime":"2026-11-30 09:15:02","Hostname":"DC01.chu.local","Keywords":-9218868437227405312,)"
    R"("EventType":"AUDIT_FAILURE","SeverityValue":4,"Severity":"ERROR","EventID":4625,)"
    R"("SourceName":"Microsoft-Windows-Security-Auditing","ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}",)"
    R"("Version":0,"Channel":"Security","SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"admin",)"
    R"("TargetDomainName":"CHU","Status":"0xc000006d","LogonType":"3","WorkstationName":"PC-17",)"
    R"("IpAddress":"10.29.4.17","IpPort":"51234"})";

const std::string kWinlogbeat =
    R"({"@timestamp":"2026-11-30T08:15:02.123Z","event":{"code":"4625","kind":"event","outcome":"failure",)"
    R"("provider":"Microsoft-Windows-Security-Auditing"},"host":{"name":"dc01"},)"
    R"("winlog":{"channel":"Security","event_id":"4625","provider_name":"Microsoft-Windows-Security-Auditing",)"
    R"("computer_name":"DC01.chu.local","record_id":"91321",)"
    R"("event_data":{"SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"admin",)"
    R"("TargetDomainName":"CHU","Status":"0xc000006d","LogonType":"3","WorkstationName":"PC-17",)"
    R"("IpAddress":"10.29.4.17","IpPort":"51234"}}})";

const std::string kWinlogbeat6 =
    R"({"@timestamp":"2026-11-30T08:15:02.123Z","beat":{"name":"dc01"},"computer_name":"DC01.chu.local",)"
    R"("event_id":4625,"level":"Information","log_name":"Security","record_number":"91321",)"
    R"("source_name":"Microsoft-Windows-Security-Auditing","type":"wineventlog",)"
    R"("event_data":{"SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"admin",)"
    R"("TargetDomainName":"CHU","Status":"0xc000006d","LogonType":"3","WorkstationName":"PC-17",)"
    R"("IpAddress":"10.29.4.17","IpPort":"51234"}})";

// evtx_dump --separate-json-attributes: an element's attributes in "<element>_attributes".
const std::string kEvtxSeparate =
    R"({"Event":{"System":{"Provider_attributes":{"Name":"Microsoft-Windows-Security-Auditing"},)"
    R"("EventID":4625,"TimeCreated_attributes":{"SystemTime":"2026-11-30T08:15:02.123Z"},)"
    R"("Channel":"Security","Computer":"DC01.chu.local"},)"
    R"("EventData":{"SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"admin",)"
    R"("TargetDomainName":"CHU","Status":"0xc000006d","LogonType":"3","WorkstationName":"PC-17",)"
    R"("IpAddress":"10.29.4.17","IpPort":"51234"}}})";

void check_failed_logon(const core::Event& e) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"EventID", "4625"},
      {"Channel", "Security"},
      {"Provider_Name", "Microsoft-Windows-Security-Auditing"},
      {"Computer", "DC01.chu.local"},
      {"TargetUserName", "admin"},
      {"TargetDomainName", "CHU"},
      {"SubjectUserName", "-"},
      {"LogonType", "3"},
      {"Status", "0xc000006d"},
      {"IpAddress", "10.29.4.17"},
      {"IpPort", "51234"},
      {"event.code", "4625"},
      {"event.module", "windows"},
      {"host.hostname", "DC01.chu.local"},
      {"user.name", "admin"},
      {"user.domain", "CHU"},
      {"source.ip", "10.29.4.17"},
      {"source.port", "51234"},
  };
  for (const auto& [k, v] : expected) {
    CAPTURE(k);
    CHECK(value(e, k) == v);
  }
}

}  // namespace

TEST_CASE("a 4625 gives the same Sigma fields and ECS aliases in every shipper's shape") {
  SUBCASE("evtx_dump, EventData by name") {
    const auto e = parse(kEvtx);
    check_failed_logon(e);
    // The nested names stay; the System time is the event time.
    CHECK(value(e, "Event.EventData.TargetUserName") == "admin");
    CHECK(value(e, "Event.System.EventID") == "4625");
    CHECK(e.time == *core::parse_rfc3339("2026-11-30T08:15:02.123Z"));
  }
  SUBCASE("evtx_dump, EventData as a list of named Data items, EventID with attributes") {
    const auto e = parse(kEvtxDataList);
    check_failed_logon(e);
    CHECK(value(e, "Empty") == "<absent>");  // null is absent, as JsonFlattener has it
  }
  SUBCASE("evtx_dump --separate-json-attributes") {
    const auto e = parse(kEvtxSeparate);
    check_failed_logon(e);
    CHECK(e.time == *core::parse_rfc3339("2026-11-30T08:15:02.123Z"));
  }
  SUBCASE("Winlogbeat 6.x (top-level event_data)") { check_failed_logon(parse(kWinlogbeat6)); }
  SUBCASE("NXLog to_json()") { check_failed_logon(parse(kNxlog)); }
  SUBCASE("NXLog to_json() after a syslog header (im_msvistalog + om_tcp)") {
    const auto e = parse("<14>Nov 30 09:15:02 DC01 Microsoft-Windows-Security-Auditing[4]: " + kNxlog);
    check_failed_logon(e);
  }
  SUBCASE("Winlogbeat") {
    const auto e = parse(kWinlogbeat);
    check_failed_logon(e);
    CHECK(value(e, "winlog.event_data.TargetUserName") == "admin");
    CHECK(value(e, "host.name") == "dc01");  // the shipper's own ECS fields are left as written
  }
}

TEST_CASE("Windows aliases: '-' and invalid addresses are not source.ip; the subject names a 4688") {
  const auto e = parse(
      R"({"Event":{"System":{"EventID":4688,"Channel":"Security","Computer":"WS1"},"EventData":{)"
      R"("SubjectUserName":"jdupont","SubjectDomainName":"CHU","TargetUserName":"-","IpAddress":"-",)"
      R"("NewProcessName":"C:\\Windows\\System32\\vssadmin.exe","CommandLine":"vssadmin delete shadows /all /quiet",)"
      R"("ParentProcessName":"C:\\Windows\\System32\\cmd.exe"}}})");
  CHECK(value(e, "user.name") == "jdupont");
  CHECK(value(e, "user.domain") == "CHU");
  CHECK(value(e, "source.ip") == "<absent>");
  CHECK(value(e, "process.executable") == "C:\\Windows\\System32\\vssadmin.exe");
  CHECK(value(e, "process.command_line") == "vssadmin delete shadows /all /quiet");
  CHECK(value(e, "process.parent.executable") == "C:\\Windows\\System32\\cmd.exe");

  const auto bad = parse(R"({"EventID":4625,"Channel":"Security","IpAddress":"10.29.4.300","IpPort":"0"})");
  CHECK(value(bad, "EventID") == "4625");
  CHECK(value(bad, "source.ip") == "<absent>");
  CHECK(value(bad, "source.port") == "<absent>");  // 0: a local logon, no port
}

TEST_CASE("Sysmon: Image and CommandLine as process fields, DOMAIN\\user split") {
  const auto e =
      parse(R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,)"
            R"("Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS2"},"EventData":{"ProcessId":4242,)"
            R"("Image":"C:\\Windows\\System32\\wbadmin.exe","CommandLine":"wbadmin delete catalog -quiet",)"
            R"("ParentImage":"C:\\Windows\\explorer.exe","User":"CHU\\jdupont"}}})");
  CHECK(value(e, "Image") == "C:\\Windows\\System32\\wbadmin.exe");
  CHECK(value(e, "process.executable") == "C:\\Windows\\System32\\wbadmin.exe");
  CHECK(value(e, "process.command_line") == "wbadmin delete catalog -quiet");
  CHECK(value(e, "process.parent.executable") == "C:\\Windows\\explorer.exe");
  CHECK(value(e, "process.pid") == "4242");
  CHECK(value(e, "user.name") == "jdupont");
  CHECK(value(e, "user.domain") == "CHU");
}

TEST_CASE("UserData items take their own name (1102: the audit log was cleared)") {
  const auto e = parse(
      R"({"Event":{"System":{"EventID":1102,"Channel":"Security","Computer":"DC01"},"UserData":{)"
      R"("LogFileCleared":{"#attributes":{"xmlns":"http://manifests.microsoft.com/win/2004/08/windows/eventlog"},)"
      R"("SubjectUserName":"adm-x","SubjectDomainName":"CHU"}}}})");
  CHECK(value(e, "SubjectUserName") == "adm-x");
  CHECK(value(e, "user.name") == "adm-x");
  CHECK(value(e, "xmlns") == "<absent>");
}

TEST_CASE("what the body says wins; JSON that is not a Windows event is left alone") {
  // A body carrying its own user.name and EventID keeps them.
  const auto e = parse(R"({"EventID":"4625","Channel":"Security","TargetUserName":"admin","user":{"name":"x"}})");
  CHECK(value(e, "user.name") == "x");
  CHECK(value(e, "event.module") == "windows");

  const auto other = parse(R"({"EventID":7,"msg":"an application's own event id"})");
  CHECK(value(other, "event.module") == "<absent>");
  CHECK(value(other, "event.code") == "<absent>");
  const auto plain = parse(R"({"source":{"ip":"10.0.0.1"},"TargetUserName":"admin"})");
  CHECK(value(plain, "user.name") == "<absent>");
}

TEST_CASE("a Data list of a thousand items adds at most JsonFlattener::kMaxFields names") {
  std::string data;
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) data += ",";
    data += R"({"#attributes":{"Name":"P)" + std::to_string(i) + R"("},"#text":"v"})";
  }
  const std::string list = "[" + data + "]";  // FieldList views it: it must outlive the decode
  FieldList fields = {
      {"Event.System.EventID", "4625"}, {"Event.System.Channel", "Security"}, {"Event.EventData.Data", list}};
  WindowsDecoder d;
  CHECK(d.decode(fields) == WindowsShape::evtx);
  CHECK(d.added().size() == JsonFlattener::kMaxFields);
  CHECK(d.added().front() == std::pair<std::string_view, std::string_view>("EventID", "4625"));
  CHECK(d.added().back().first == "P253");  // EventID, Channel, then P0..P253
  // The same decoder serves the next event from a clean slate.
  FieldList next = {{"winlog.event_id", "4624"}, {"winlog.channel", "Security"}};
  CHECK(d.decode(next) == WindowsShape::winlogbeat);
  CHECK(d.added().front() == std::pair<std::string_view, std::string_view>("EventID", "4624"));
  FieldList plain = {{"message", "hello"}};
  CHECK(d.decode(plain) == WindowsShape::none);
  CHECK(d.added().empty());
}
