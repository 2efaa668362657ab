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
        let projects = try client.decode([ClientModel.ProjectStatus].self, try await client.request(.GET, "/v1/projects").body)
        if json {
            print(Self.document(projects), terminator: "")
            return
        }
        if projects.isEmpty { print("No projects deployed on this Docker host.") }
        let t = terminal
        for p in projects {
            let last = p.lastDeployment.map { " — last deployment \($0.id) \($0.result) at \(ISO8601DateFormatter().string(from: $0.finishedAt))" } ?? ""
            print(t.paint("project \(p.project)", .bold) + last)
            for s in p.services {
                let text = "\(s.healthy)/\(s.replicas) healthy"
                let health = s.healthy == s.replicas ? t.paint(text, .green) : t.paint(text, .yellow)
                print("  \(s.service): \(s.running)/\(s.replicas) running, \(health), \(s.images.joined(separator: ", ")), deployment \(s.deployments.joined(separator: ", "))")
                for r in s.routes { print("    → \(r)") }
            }
        }
    }

    /// The daemon's answer as the engine's own StatusReport, so that `--json` is byte for byte what the
    /// local command prints.
    static func document(_ projects: [ClientModel.ProjectStatus]) -> String {
        let report = StatusReport(projects: projects.map { p in
            StatusReport.Project(
                project: p.project,
                lastDeployment: p.lastDeployment.map { d in
                    DeploymentSummary(id: d.id, result: DeploymentStore.DeploymentResult(rawValue: d.result) ?? .failed, finishedAt: d.finishedAt)
                },
                services: p.services.map { s in
                    ApplyEngine.ServiceStatus(project: p.project, service: s.service, running: s.running, healthy: s.healthy, total: s.replicas,
                                              images: s.images, deployments: s.deployments, routes: s.routes)
                })
        })
        return JSONOutput.encode(report, pretty: true)
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
        let status: ClientModel.ProjectStatus
        do {
            status = try client.decode(ClientModel.ProjectStatus.self, try await client.request(.GET, "/v1/projects/\(project)").body)
        } catch let failure as ServerClient.Failure where failure.status == 404 {
            throw noContainers
        }
        guard status.services.contains(where: { $0.replicas > 0 && (service == nil || $0.service == service) }) else { throw noContainers }
        try await client.stream("/v1/projects/\(project)/logs?\(query)", accept: "text/plain") { buffer in
            FileHandle.standardOutput.write(Data(buffer.readableBytesView))
        }
    }
}
