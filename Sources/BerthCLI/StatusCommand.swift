import ArgumentParser
import BerthConfig
import BerthEngine
import BerthProxy
import BerthRuntime
import BerthRender
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each project's services: replicas running/healthy, image, deployment, routes, last deployment.",
        discussion: """
            Examples:
              berth status -c ./platform
              berth status --json
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var server: ServerOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        if let client = try server.client() {
            return try await ClientFailures.mapped { try await ClientStatus(client: client, json: json, terminal: options.terminal).run() }
        }
        try await JSONOutput.reportingErrors(json: json) { try await status() }
    }

    private func status() async throws {
        let repository = try options.load()
        let runtime = try await engine.runtime()
        let report: StatusReport
        do {
            report = try await ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, logger: try engine.logger()).statusReport(repository)
        } catch {
            throw engineFailure(error)
        }
        Self.print(report, json: json, terminal: options.terminal)
    }

    /// The report as text, or with `json` as the JSON document; the same for a daemon's answer (client mode).
    static func print(_ report: StatusReport, json: Bool, terminal t: Terminal) {
        if json {
            Swift.print(JSONOutput.encode(report, pretty: true), terminator: "")
            return
        }
        if report.projects.isEmpty { Swift.print("No projects deployed on this Docker host.") }
        for p in report.projects {
            let last = p.lastDeployment.map { " — last deployment \($0.id) \($0.result.rawValue) at \(ISO8601DateFormatter().string(from: $0.finishedAt))" } ?? ""
            Swift.print(t.paint("project \(p.project)", .bold) + last)
            for s in p.services {
                let health = t.paint("\(s.healthy)/\(s.total) healthy", s.healthy == s.total ? .green : .yellow)
                Swift.print("  \(s.service): \(s.running)/\(s.total) running, \(health), \(s.images.joined(separator: ", ")), deployment \(s.deployments.joined(separator: ", "))")
                for r in s.routes { Swift.print("    → \(r)") }
            }
        }
    }
}
