import ArgumentParser
import BerthRender
import Foundation

/// `berth tasks [ID] --server URL`: the daemon's task queue (client mode only).
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List a berth serve daemon's tasks, or show one (needs --server or BERTH_SERVER).",
        discussion: """
            Examples:
              BERTH_SERVER=http://127.0.0.1:8088 BERTH_TOKEN=… berth tasks --state running
              berth --server http://127.0.0.1:8088 tasks t-0123456789abcdef --follow
            """
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "A task id: show that task.")
    var id: String?

    @Option(help: "Only tasks in this state (queued, running, succeeded, failed, cancelled, interrupted).")
    var state: String?

    @Option(help: "Only tasks of this project.")
    var project: String?

    @Flag(help: "With a task id: print its progress until it ends (exit 3 unless it succeeded).")
    var follow = false

    @Flag(help: "Print the daemon's JSON.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "Plain output without ANSI colours.")
    var noColor = false

    func validate() throws {
        if follow && id == nil { throw ValidationError("--follow needs a task id") }
        if id != nil && (state != nil || project != nil) { throw ValidationError("--state and --project filter the list; leave them out with a task id") }
    }

    func run() async throws {
        guard let client = try server.client() else {
            throw ValidationError("berth tasks talks to a daemon: pass --server URL (or set BERTH_SERVER) and a token (BERTH_TOKEN)")
        }
        try await ClientFailures.mapped {
            if let id {
                if follow {
                    let printer = ClientProgress(json: json, terminal: Terminal(color: !noColor))
                    try await ClientEvents.follow(client, task: id) { printer.event($0) }
                    let task = try client.decode(ClientModel.Task.self, try await client.request(.GET, "/v1/tasks/\(id)").body)
                    printer.summary(task)
                    if task.state != "succeeded" { throw BerthExit(.failure) }
                    return
                }
                let reply = try await client.request(.GET, "/v1/tasks/\(id)")
                if json { FileHandle.standardOutput.write(reply.body); return }
                print(Self.line(try client.decode(ClientModel.Task.self, reply.body)))
                return
            }
            var query: [String] = []
            if let state { query.append("state=\(state)") }
            if let project { query.append("project=\(project)") }
            let reply = try await client.request(.GET, "/v1/tasks" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if json { FileHandle.standardOutput.write(reply.body); return }
            let tasks = try client.decode([ClientModel.Task].self, reply.body)
            if tasks.isEmpty { print("No tasks.") }
            for task in tasks { print(Self.line(task)) }
        }
    }

    static func line(_ t: ClientModel.Task) -> String {
        let projects = t.projects?.joined(separator: ",") ?? "all projects"
        let kind = t.kind == "deploy" ? "" : " \(t.kind)"
        return "\(t.id)  \(t.state)  \(t.percent)%\(kind)  \(projects)  by \(t.createdBy) at \(ISO8601DateFormatter().string(from: t.createdAt))  \(t.message)"
    }
}

/// The daemon's refusals end the command as the local one would end: exit 1 for refused input
/// (400/401/403/404/409/422), 3 for everything else.
enum ClientFailures {
    static func mapped(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let failure as ServerClient.Failure {
            Terminal.standardError("error: \(failure.message)")
            throw BerthExit(failure.inputError ? .invalidInput : .failure)
        }
    }
}
