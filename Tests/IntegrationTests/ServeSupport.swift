import Foundation
import Testing
import TestSupport

/// A `berth serve` started by a test on a free 127.0.0.1 port, and a client for it (curl, so that the
/// daemon is driven from outside as any client would).
final class ServeDaemon: Sendable {
    let process: E2EBackgroundCommand
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    private init(process: E2EBackgroundCommand, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts `berth serve -c REPO --state-dir STATE --listen 127.0.0.1:0` and waits until /healthz answers.
    static func start(_ s: E2EScenario, _ extra: [String] = [], environment: [String: String] = [:]) async throws -> ServeDaemon {
        let process = try BerthBinary.start(["serve", "-c", s.repo.path, "--state-dir", s.stateDir.path, "--listen", "127.0.0.1:0"] + extra,
                                            environment: environment)
        let deadline = Deadline(seconds: 30)
        while !deadline.passed {
            if let line = process.currentOutput.split(separator: "\n").first(where: { $0.contains("listening on http://127.0.0.1:") }),
               let port = Int(line.split(separator: ":").last ?? "") {
                let daemon = ServeDaemon(process: process, port: port)
                if await daemon.call("GET", "/healthz").status == 200 { return daemon }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.kill9()
        let result = await process.wait(timeout: 5)
        throw E2EFailure("berth serve did not start:\n\(result)")
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    }

    func call(_ method: String, _ path: String, token: String? = nil, body: String? = nil,
              headers: [String: String] = [:], timeout: Double = 30) async -> Reply {
        var args = ["curl", "-sS", "-i", "--max-time", String(Int(timeout)), "-X", method, "-w", "\n%{http_code}"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = await E2ECommand.run(args + [base + path], timeout: timeout + 5)
        var text = result.stdout
        guard let last = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: last)...]) else {
            return Reply(status: -1, headers: [:], body: result.description)
        }
        text = String(text[..<last])
        let parts = text.components(separatedBy: "\r\n\r\n")
        var fields: [String: String] = [:]
        for line in (parts.first ?? "").components(separatedBy: "\r\n").dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return Reply(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// One Server-Sent Event as received.
    struct Event {
        var id: Int64
        var kind: String
        var data: [String: Any]
    }

    /// Reads an SSE stream until the server ends it (or `timeout`).
    func events(_ path: String, token: String, lastEventID: Int64? = nil, timeout: Double = 150) async -> (status: Int, events: [Event]) {
        var headers: [String: String] = ["Accept": "text/event-stream"]
        if let lastEventID { headers["Last-Event-ID"] = String(lastEventID) }
        let reply = await call("GET", path, token: token, headers: headers, timeout: timeout)
        var events: [Event] = []
        for block in reply.body.components(separatedBy: "\n\n") {
            var id: Int64?, kind = "", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            if let id, let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] {
                events.append(Event(id: id, kind: kind, data: object))
            }
        }
        return (reply.status, events)
    }

    /// `POST /v1/deployments` with `body`; the queued task's id (the reply in the failure when there is none).
    func queueDeploy(_ body: String = "{}", token: String) async throws -> String {
        let reply = await call("POST", "/v1/deployments", token: token, body: body)
        return try #require((reply.object["task"] as? [String: Any])?["id"] as? String, "\(reply)")
    }

    /// Polls GET /v1/tasks/{id} until the task is in a final state; returns it.
    func waitForTask(_ id: String, token: String, timeout: Double = 150) async -> [String: Any] {
        let deadline = Deadline(seconds: timeout)
        var last: [String: Any] = [:]
        while !deadline.passed {
            last = await call("GET", "/v1/tasks/\(id)", token: token).object
            if let state = last["state"] as? String, !["queued", "running"].contains(state) { return last }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    func terminate() { if process.isRunning { kill(process.pid, SIGTERM) } }

    /// Ends the daemon (SIGTERM, then SIGKILL after `timeout`) and returns how it ended.
    func stop(timeout: Double = 60) async -> E2ECommandResult {
        terminate()
        return await process.wait(timeout: timeout)
    }
}

extension E2EScenario {
    /// `berth token create NAME --scope S [--project P]...`; returns the printed token.
    func createToken(_ name: String, scope: String, projects: [String] = [], expires: String? = nil) async throws -> String {
        var args = ["token", "create", name, "--scope", scope, "--state-dir", stateDir.path]
        for p in projects { args += ["--project", p] }
        if let expires { args += ["--expires", expires] }
        let result = try await BerthBinary.runAsync(args, timeout: 30)
        guard result.status == 0 else { throw E2EFailure("token create failed: \(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
