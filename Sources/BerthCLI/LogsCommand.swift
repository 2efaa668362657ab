import ArgumentParser
import BerthConfig
import BerthEngine
import BerthProxy
import BerthRuntime
import Foundation

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show the logs of a project's containers, each line prefixed with its container.",
        discussion: """
            Examples:
              berth logs blog
              berth logs blog web -f --since 10m
            """
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var server: ServerOptions

    @Argument(help: "The project.")
    var project: String

    @Argument(help: "Only this service.")
    var service: String?

    @Flag(name: .shortAndLong, help: "Keep following new lines.")
    var follow = false

    @Option(help: "Only lines newer than this duration (e.g. 10m) .")
    var since: TimeSpan?

    @Option(help: "Lines per container from the end.")
    var tail: Int = 100

    func run() async throws {
        if let client = try server.client() {
            if since != nil { throw ValidationError("--since is not available with --server; use --tail") }
            return try await ClientFailures.mapped {
                try await ClientLogs(client: client, project: project, service: service, follow: follow, tail: tail).run()
            }
        }
        let runtime = try await engine.runtime()
        let containers = try await runtime.managedContainers().filter {
            $0.role == nil && $0.actual.project == project && (service == nil || $0.actual.service == service)
        }
        guard !containers.isEmpty else {
            throw RuntimeFailure("no containers of \(project)\(service.map { "/\($0)" } ?? "") on this Docker host; see `berth status`")
        }
        let sinceDate = since.map { Date().addingTimeInterval(-$0.seconds) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in containers.sorted(by: { $0.actual.name < $1.actual.name }) {
                group.addTask {
                    try await runtime.streamLogs(c.actual.id, since: sinceDate, tail: tail, follow: follow) { line in
                        print("\(c.actual.name) | \(line)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
