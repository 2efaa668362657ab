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
        let projects: [ApplyEngine.ProjectStatus]
        do {
            projects = try await ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, logger: try engine.logger()).status(repository)
        } catch {
            throw engineFailure(error)
        }
        if json {
            print(JSONOutput.encode(StatusReport(projects), pretty: true), terminator: "")
            return
        }
        if projects.isEmpty { print("No projects deployed on this Docker host.") }
        let t = options.terminal
        for p in projects {
            let last = p.lastDeployment.map { " — last deployment \($0.id) \($0.result.rawValue) at \(ISO8601DateFormatter().string(from: $0.finishedAt))" } ?? ""
            print(t.paint("project \(p.project)", .bold) + last)
            for s in p.services {
                let health = s.healthy == s.total ? t.paint("\(s.healthy)/\(s.total) healthy", .green) : t.paint("\(s.healthy)/\(s.total) healthy", .yellow)
                print("  \(s.service): \(s.running)/\(s.total) running, \(health), \(s.images.joined(separator: ", ")), deployment \(s.deployments.joined(separator: ", "))")
                for r in s.routes { print("    → \(r)") }
            }
        }
    }
}
