import ArgumentParser
import BerthEngine
import BerthRender
import Foundation
import NIOCore

/// `berth --server URL apply`: queues a deploy on the daemon (`POST /v1/deployments`), follows it over SSE
/// and prints its progress as the local apply does (`--json`: the same JSON lines), then the summary.
/// Exit code 3 when the task did not succeed, as a failed local apply.
struct ClientApply {
    var client: ServerClient
    var projects: [String]
    var force: Bool
    var json: Bool
    var yes: Bool
    var terminal: Terminal

    func run() async throws {
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                throw ValidationError("apply changes the platform: pass --yes to confirm when not on a terminal")
            }
            print("Deploy \(projects.isEmpty ? "every project" : projects.joined(separator: ", ")) on \(client.base)? [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("Nothing changed.")
                return
            }
        }
        var body: [String: Any] = ["force": force]
        if !projects.isEmpty { body["projects"] = projects }
        let reply = try await client.request(.POST, "/v1/deployments", json: try JSONSerialization.data(withJSONObject: body))
        let accepted = try client.decode(ClientModel.Accepted.self, reply.body)
        Terminal.standardError("berth: queued task \(accepted.task.id) on \(client.base)")
        let printer = ClientProgress(json: json, terminal: terminal)
        try await ClientEvents.follow(client, task: accepted.task.id) { printer.event($0) }
        let task = try client.decode(ClientModel.Task.self, try await client.request(.GET, accepted.location).body)
        printer.summary(task)
        if task.state != "succeeded" { throw BerthExit(.failure) }
    }
}

/// Reads a task's Server-Sent Events until the daemon ends the stream (after the task's final state).
enum ClientEvents {
    static func follow(_ client: ServerClient, task: String, _ handle: (ClientModel.Event) -> Void) async throws {
        var pending = ""
        try await client.stream("/v1/tasks/\(task)/events", accept: "text/event-stream") { buffer in
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let block = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                guard let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                      let event = try? ServerClient.decoder.decode(ClientModel.Event.self, from: Data(data.utf8)) else { continue }
                handle(event)
            }
        }
    }
}

/// The daemon's events printed as `berth apply` prints the engine's: `  project/service: message`, `✓ project`,
/// `✗ project failed`, `- … skipped`; with `--json` one JSON line each (event, phase, project, service,
/// message, time).
struct ClientProgress {
    var json: Bool
    var terminal: Terminal

    func emit(_ document: Document) {
        FileHandle.standardOutput.write(Data((document.json(pretty: false) + "\n").utf8))
    }

    func event(_ e: ClientModel.Event) {
        guard e.kind == "progress" else { return }
        let kind = Self.kind(e)
        if json {
            emit(.object([
                "event": .string(kind), "phase": e.phase.map(Document.string), "project": e.project.map(Document.string),
                "service": e.service.map(Document.string), "message": .string(e.message),
                "time": .string(ApplyEvent.timeFormat.string(from: e.time)),
            ]))
            return
        }
        let key = [e.project, e.service].compactMap { $0 }.joined(separator: "/")
        switch kind {
        case "service_failed": print(terminal.paint("✗ \(key): \(e.message)", .red))
        case "project_done": print(terminal.paint("✓ \(key)", .green))
        case "project_failed": print(terminal.paint("✗ \(key) failed", .red))
        case "project_skipped", "service_skipped": print(terminal.paint("- \(key) \(e.message)", .yellow))
        default: print("  \(key): \(e.message)")
        }
    }

    /// The engine's event kind, from the phase and whether the event names a service.
    static func kind(_ e: ClientModel.Event) -> String {
        let scope = e.service == nil ? "project" : "service"
        switch e.phase {
        case "done": return "\(scope)_done"
        case "failed": return "\(scope)_failed"
        case "skipped": return "\(scope)_skipped"
        default: return e.service == nil ? "project" : "step"
        }
    }

    func summary(_ task: ClientModel.Task) {
        if json {
            emit(.object([
                ("event", .string("summary")), ("task", .string(task.id)), ("state", .string(task.state)),
                ("succeeded", .bool(task.state == "succeeded")), ("message", .string(task.message)),
                ("projects", .array(task.results.map {
                    .object([("project", .string($0.project)), ("succeeded", .bool($0.result == "succeeded")), ("result", .string($0.result)),
                             ("messages", .strings($0.messages))])
                })),
            ]))
            return
        }
        if task.results.isEmpty {
            print(task.message)
            return
        }
        print("\nTask \(task.id): \(task.message)")
        for p in task.results {
            print("  \(p.result == "succeeded" ? terminal.paint("✓", .green) : terminal.paint("✗", .red)) \(p.project)")
            for m in p.messages { print("      \(m.replacingOccurrences(of: "\n", with: "\n      "))") }
        }
    }
}
