import BerthDocker
import Foundation
import Testing
import TestSupport

@testable import BerthDoctor

@Suite struct ReportTests {
    func containers(_ json: String) throws -> [ContainerSummary] {
        try JSONDecoder().decode([ContainerSummary].self, from: Data(json.utf8))
    }

    @Test func portsBeyondLoopbackFailExceptTheProxys() throws {
        let list = try containers("""
            [{"Id": "1", "Names": ["/berth-x-proxy"], "State": "running", "Labels": {"berth.role": "proxy"},
              "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 80, "Type": "tcp"}]},
             {"Id": "2", "Names": ["/db"], "State": "running",
              "Ports": [{"IP": "0.0.0.0", "PrivatePort": 5432, "PublicPort": 5432, "Type": "tcp"},
                        {"IP": "::", "PrivatePort": 5432, "PublicPort": 5432, "Type": "tcp"}]},
             {"Id": "3", "Names": ["/lan"], "State": "running",
              "Ports": [{"IP": "192.168.1.5", "PrivatePort": 80, "PublicPort": 8081, "Type": "tcp"}]},
             {"Id": "4", "Names": ["/local"], "State": "running",
              "Ports": [{"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 8082, "Type": "tcp"}, {"PrivatePort": 9000, "Type": "tcp"}]}]
            """)
        let findings = HostChecks.publishedPorts(list)
        #expect(findings.map(\.subject) == ["db", "lan"])
        #expect(findings[0].status == .fail)
        #expect(findings[0].why.contains("5432/tcp (all addresses)"))
        #expect(findings[0].fix.contains("127.0.0.1:5432:5432"))
        #expect(findings[1].status == .warn)
        #expect(findings[1].why.contains("192.168.1.5:8081/tcp"))
        #expect(HostChecks.publishedPorts(Array(list.suffix(1))).map(\.status) == [.pass])
    }

    @Test func theJSONDocumentHasTheDocumentedFields() throws {
        let report = DoctorReport(endpoint: "unix:///var/run/docker.sock", findings: [
            Finding(.liveRestore, .pass, why: "on"),
            Finding(.privileged, .warn, subject: "p/s", why: "privileged: true (allowed by policy.privileged)", fix: "remove it", allowedBy: "policy.privileged"),
            Finding(.dockerUser, .fail, why: "open", fix: "iptables -I DOCKER-USER …"),
        ], repositoryChecked: true)
        #expect(report.failed)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.document().json().utf8)) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["summary"] as? [String: Int] == ["pass": 1, "warn": 1, "fail": 1])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == 3)
        #expect(Set(checks[1].keys) == ["id", "group", "title", "status", "subject", "location", "why", "fix", "allowed_by"])
        #expect(checks[1]["id"] as? String == "service.privileged")
        #expect(checks[1]["group"] as? String == "services")
        #expect(checks[1]["allowed_by"] as? String == "policy.privileged")
        #expect(checks[0]["fix"] is NSNull)
        #expect(!DoctorReport(endpoint: "x", findings: [Finding(.icc, .warn, why: "on", fix: "off")], repositoryChecked: false).failed)
    }

    @Test func everyCheckIsDocumented() {
        for id in CheckID.allCases {
            #expect(id.rawValue.hasPrefix(id.group.rawValue == "services" ? "service." : id.group.rawValue + "."))
            #expect(!id.title.isEmpty && !id.rationale.isEmpty && !id.remedy.isEmpty)
        }
    }

    /// docs/doctor.md carries the generated table between two markers; `BERTH_UPDATE_DOCS=1 swift test
    /// --filter ReportTests` rewrites it.
    @Test func theDocumentationTableIsGeneratedFromTheChecks() throws {
        let url = Fixtures.packageRoot.appendingPathComponent("docs/doctor.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- doctor-checks:begin (generated from CheckID; do not edit) -->\n"
        let end = "<!-- doctor-checks:end -->"
        let start = try #require(text.range(of: begin), "docs/doctor.md has no \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
        let table = CheckID.markdownTable()
        if ProcessInfo.processInfo.environment["BERTH_UPDATE_DOCS"] == "1" {
            try text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: table).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == table, "docs/doctor.md's table is stale; run BERTH_UPDATE_DOCS=1 swift test --filter ReportTests")
    }
}
