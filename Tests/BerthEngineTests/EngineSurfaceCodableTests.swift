import BerthConfig
import BerthDocker
@testable import BerthEngine
import BerthPlan
import BerthRuntime
import Foundation
import Testing
import TestSupport

/// The engine's typed surface as JSON: the shapes `berth plan/apply/status --json` print.
@Suite struct EngineSurfaceCodableTests {
    static func object(_ value: some Encodable) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try #require(try JSONSerialization.jsonObject(with: encoder.encode(value)) as? [String: Any])
    }

    static func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test func eventsEncodeTheirKindPhaseAndLeaveOutWhatTheyLack() throws {
        let step = ApplyEvent(.step, phase: .waitingReady, project: "blog", service: "web", message: "waiting", elapsed: 1.23456)
        let o = try Self.object(step)
        #expect(o["event"] as? String == "step" && o["phase"] as? String == "waiting_ready")
        #expect(o["project"] as? String == "blog" && o["service"] as? String == "web" && o["message"] as? String == "waiting")
        #expect(o["elapsed"] as? Double == 1.235)
        #expect((o["time"] as? String)?.contains(".") == true, "time has fractions: \(o)")
        let lock = try Self.object(ApplyEvent(.lockAcquired, message: "berth-x-lock"))
        #expect(Set(lock.keys) == ["event", "message", "elapsed", "time"], "\(lock)")
        var back = try Self.roundTrip(step)
        #expect(abs(back.time.timeIntervalSince(step.time)) < 0.001)
        back.time = step.time
        back.elapsed = step.elapsed
        #expect(back == step)
        #expect(ApplyEvent(.projectCancelled, project: "blog", message: "x").phase == .cancelled)
    }

    @Test func theReportKeepsItsSummaryShape() throws {
        let report = ApplyReport(projects: [
            .init(project: "blog", result: .succeeded, messages: []),
            .init(project: "shop", result: .failed, messages: ["service web: not ready"],
                  errors: [ErrorReport(RolloutError(service: "web", reason: "not ready", rolledBack: true, code: .readinessTimeout))]),
        ], deployment: "20261201-abc", proxyReloads: 2)
        let o = try Self.object(report)
        #expect(o["deployment"] as? String == "20261201-abc" && o["succeeded"] as? Bool == false && o["cancelled"] as? Bool == false)
        #expect(o["proxy_reloads"] as? Int == 2 && o["history_error"] is NSNull, "history_error is null, not absent: \(o)")
        let projects = try #require(o["projects"] as? [[String: Any]])
        #expect(projects.map { $0["result"] as? String } == ["succeeded", "failed"])
        #expect(projects.map { $0["succeeded"] as? Bool } == [true, false])
        let error = try #require((projects[1]["errors"] as? [[String: Any]])?.first)
        #expect(error["code"] as? String == "readiness_timeout" && error["domain"] as? String == "rollout", "\(error)")
        #expect(try Self.roundTrip(report) == report)
        let cancelled = ApplyReport(projects: [.init(project: "blog", result: .cancelled, messages: [])], deployment: "d", proxyReloads: 0)
        #expect(cancelled.cancelled && !cancelled.succeeded)
    }

    @Test func aPlanEncodesEveryActionKindWithoutSecretValues() throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: example.test\n",
            "projects/app/compose.yml": "services:\n  web: {image: nginx, environment: {TOKEN: s3cr3t-value}}\n",
            "projects/app/project.yml": "ingress:\n  - {service: web, hosts: [app.example.test], port: 80}\n",
        ])
        defer { Fixtures.cleanup(root) }
        let repository = try Fixtures.load(root)
        let desired = try DesiredStateBuilder(repository: repository).build()
        let plan = Planner(options: .init()).plan(desired: desired, actual: .empty)
        let report = PlanReport(plan)
        let encoder = JSONEncoder()
        let text = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(!text.contains("s3cr3t-value"), "a secret value in the plan: \(text)")
        let o = try Self.object(report)
        #expect(o["changes"] as? Bool == true && o["proxy_change"] is NSNull, "\(o)")
        #expect(Set(o.keys) == ["changes", "summary", "actions", "routes", "notes", "left_out", "proxy_change", "dns_change"])
        let actions = try #require(o["actions"] as? [[String: Any]])
        let network = try #require(actions.first { $0["kind"] as? String == "network" })
        #expect(network["subnet"] is String && network["internal"] is Bool && network["role"] is String && network["service"] == nil)
        let service = try #require(actions.first { $0["kind"] as? String == "service" })
        #expect(service["action"] as? String == "create" && service["service"] as? String == "web" && service["image"] as? String == "nginx")
        #expect((service["environment"] as? [String: String]) == ["TOKEN": "(sensitive)"])
        #expect(service["config_hash"] is String && service["strategy_reason"] is String && service["subnet"] == nil)
        let route = try #require((o["routes"] as? [[String: Any]])?.first)
        #expect(route["protocol"] as? String == "http" && route["hosts"] as? [String] == ["app.example.test"] && route["entrypoint"] == nil)
        #expect(try Self.roundTrip(report) == report)
    }

    @Test func applyOutputLinesRoundTrip() throws {
        let plan = PlanReport(Plan(actions: [], routes: []), proxyChange: "create the proxy")
        let lines: [ApplyOutput] = [
            .planned(plan), .unchanged,
            .summary(ApplyReport(projects: [], deployment: "d", proxyReloads: 0)),
            .error(ErrorReport(LockError(holder: "pid 1 on h since t"))),
        ]
        for line in lines { #expect(try Self.roundTrip(line) == line) }
        let planned = try Self.object(ApplyOutput.planned(plan))
        #expect(planned["event"] as? String == "planned" && planned["proxy_change"] as? String == "create the proxy" && planned["plan"] is [String: Any])
        #expect(try Self.object(ApplyOutput.unchanged) as NSDictionary == ["event": "finished", "changes": false] as NSDictionary)
        let summary = try Self.object(ApplyOutput.summary(ApplyReport(projects: [], deployment: "d", proxyReloads: 3)))
        #expect(summary["event"] as? String == "summary" && summary["proxy_reloads"] as? Int == 3)
        let error = try Self.object(ApplyOutput.error(ErrorReport(LockError(holder: "pid 1"))))
        #expect((error["error"] as? [String: Any])?["code"] as? String == "lock_held")
        let event = try Self.roundTrip(ApplyOutput.event(ApplyEvent(.finished, message: "apply succeeded", elapsed: 0)))
        guard case .event(let e) = event else { Issue.record("\(event)"); return }
        #expect(e.kind == .finished)
    }

    @Test func statusIsAnArrayOfProjects() throws {
        let service = ApplyEngine.ServiceStatus(project: "blog", service: "web", running: 2, healthy: 1, total: 2, images: ["nginx"],
                                                deployments: ["d1"], routes: ["blog.example → web:80"])
        let report = StatusReport(projects: [
            .init(project: "blog", lastDeployment: DeploymentSummary(id: "d1", result: .cancelled, finishedAt: Date(timeIntervalSince1970: 1_800_000_000)),
                  services: [service]),
            .init(project: "new", lastDeployment: nil, services: []),
        ])
        let data = try JSONEncoder().encode(report)
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 2)
        let last = try #require(array[0]["last_deployment"] as? [String: Any])
        #expect(last["result"] as? String == "cancelled" && last["finished_at"] as? String == "2027-01-15T08:00:00Z", "\(last)")
        #expect(array[1]["last_deployment"] == nil, "absent when there is none")
        let s = try #require((array[0]["services"] as? [[String: Any]])?.first)
        #expect(s["replicas"] as? Int == 2 && s["healthy"] as? Int == 1 && s["running"] as? Int == 2 && s["routes"] as? [String] == ["blog.example → web:80"])
        #expect(try Self.roundTrip(report) == report)
    }
}

/// One error type per domain, each with a stable code, a cause and a hint.
@Suite struct EngineErrorCodeTests {
    @Test func errorsOfEachDomainMapOntoTheirCode() {
        let cases: [(any Error, ErrorDomain, ErrorCode)] = [
            (ConfigError([Diagnostic(Location(file: "platform.yml", line: 3, column: 1), "unknown key 'domian'")]), .config, .configInvalid),
            (DockerError(.unreachable, message: "no socket", context: "connecting"), .docker, .dockerUnreachable),
            (DockerError(.conflict, message: "name in use", context: "creating container x"), .docker, .dockerConflict),
            (LockError(holder: "pid 1 on h since t"), .lock, .lockHeld),
            (Readiness.NotReady(container: "web-1", reason: "not ready after 30s", details: [], timedOut: true), .rollout, .readinessTimeout),
            (Readiness.NotReady(container: "web-1", reason: "exited with code 1", details: []), .rollout, .notReady),
            (RolloutError(service: "web", reason: "x", rolledBack: true), .rollout, .rolloutFailed),
            (CancellationError(), .apply, .cancelled),
            (PrepareError(message: "project 'x' already runs"), .apply, .platformConflict),
            (DeploymentStore.Unreadable(file: "/s/x.json", reason: "bad"), .state, .historyUnreadable),
            (ApplyEngine.RollbackError(message: "nothing to roll back"), .apply, .rollbackImpossible),
            (CocoaError(.fileNoSuchFile), .apply, .internalError),
        ]
        for (error, domain, code) in cases {
            let mapped = berthError(error)
            #expect(mapped.domain == domain && mapped.code == code, "\(error) → \(mapped.domain)/\(mapped.code)")
            #expect(!mapped.cause.isEmpty)
        }
    }

    @Test func theTextStaysWhatTheCLIPrintedAndTheReportHasEveryField() throws {
        let docker = DockerError(.unreachable, message: "connection refused", context: "connecting to unix:///x.sock", hint: DockerError.unreachableHint)
        #expect(berthError(docker).description == docker.description)
        let lock = LockError(holder: "pid 7 on host since then")
        #expect(lock.description == "another berth apply holds the deploy lock (pid 7 on host since then); wait for it, or pass --wait-lock 5m")
        let config = ConfigError([Diagnostic(Location(file: "projects/a/project.yml", line: 2, column: 5), "unknown key 'hots'")])
        let report = ErrorReport(config)
        #expect(report.code == .configInvalid && report.message == config.description && report.cause.contains("projects/a/project.yml:2:5"))
        #expect(report.hint != nil)
        let data = try JSONEncoder().encode(ErrorReport(RuntimeErrorLike()))
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(o.keys) == ["domain", "code", "message", "cause", "hint"] && o["hint"] is NSNull, "\(o)")
    }

    struct RuntimeErrorLike: Error {}
}
