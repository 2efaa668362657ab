import BerthEngine
import BerthRender
import Foundation
import NIOCore

/// `berth --server URL status`: the daemon's `GET /v1/projects`, printed as the local `berth status` prints
/// (text, or with `--json` the same document).
struct ClientStatus {
    var client: ServerClient
    var json: Bool
    var terminal: Terminal

    func run() async throws {
        // The daemon answers with the engine's own StatusReport: `--json` is byte for byte the local output.
        let report = try client.decode(StatusReport.self, try await client.request(.GET, "/v1/projects").body)
        StatusCommand.print(report, json: json, terminal: terminal)
    }
}

/// `berth --server URL logs PROJECT [SERVICE] [-f] [--tail N]`: the daemon's
/// `GET /v1/projects/{p}/logs`, lines as the local command prints them (`container | line`).
struct ClientLogs {
    var client: ServerClient
    var project: String
    var service: String?
    var follow: Bool
    var tail: Int

    func run() async throws {
        var query = "tail=\(tail)&follow=\(follow)"
        if let service { query += "&service=\(service.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? service)" }
        // As the local command: no containers of the project (or service) is a failure, not an empty output.
        let noContainers = RuntimeFailure("no containers of \(project)\(service.map { "/\($0)" } ?? "") on the daemon's Docker host; see `berth status`")
        let status: StatusReport.Project
        do {
            status = try client.decode(StatusReport.Project.self, try await client.request(.GET, "/v1/projects/\(project)").body)
        } catch let failure as ServerClient.Failure where failure.status == 404 {
            throw noContainers
        }
        guard status.services.contains(where: { $0.total > 0 && (service == nil || $0.service == service) }) else { throw noContainers }
        try await client.stream("/v1/projects/\(project)/logs?\(query)", accept: "text/plain") { buffer in
            FileHandle.standardOutput.write(Data(buffer.readableBytesView))
        }
    }
}
