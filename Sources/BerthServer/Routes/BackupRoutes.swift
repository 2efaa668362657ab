import BerthBackup
import BerthConfig
import Foundation
import Hummingbird

/// `POST /v1/backups {projects?}` queues a backup task (as the schedules do); `GET /v1/backups?project=` lists
/// the backup records (`berth backup list --json`), within the token's projects.
enum BackupRoutes {
    struct BackupRequest: Decodable {
        var projects: [String]?
        static let keys: Set<String> = ["projects"]
    }

    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.post("/v1/backups") { request, context -> Response in
            let token = try context.caller()
            let body = try await request.body.collect(upTo: 16 * 1024)
            return try await services.audited(token, "backup", "-") {
                let asked = try parse(Data(buffer: body))
                try Access.requireDeploy(token, projects: asked.projects)
                let repository: Repository
                do { repository = try services.driver.repository() } catch {
                    throw APIError(.unprocessableContent, "invalid_config", "the configuration repository is invalid; nothing was queued:\n\(error)")
                }
                guard repository.platform.backups != nil else {
                    throw APIError(.unprocessableContent, "backups_not_configured",
                                   "platform.yml has no 'backups' repository; add one (docs/config.md, 'backups'); nothing was queued")
                }
                let withBackups = try services.driver.backupSchedules().keys.sorted()
                let projects = asked.projects ?? withBackups
                let none = projects.filter { !withBackups.contains($0) }
                if !none.isEmpty || projects.isEmpty {
                    throw APIError(.unprocessableContent, "nothing_to_back_up",
                                   (projects.isEmpty ? "no project lists a volume or database under backups"
                                       : "\(none.joined(separator: ", ")) back(s) up no volume or database (backups in project.yml)")
                                   + "; projects with backups: \(withBackups.isEmpty ? "none" : withBackups.joined(separator: ", ")); nothing was queued")
                }
                let task = try await services.queue.enqueue(DeployTask(kind: .backup, projects: projects, createdBy: token.name))
                let location = "/v1/tasks/\(task.id)"
                let response = try JSONResponse.make(DeploymentRoutes.Accepted(task: task, location: location), status: .accepted,
                                                     headers: [.location: location])
                return (response, "accepted: \(task.id) (backup of \(projects.joined(separator: ",")))")
            }
        }
        router.get("/v1/backups") { request, context -> Response in
            let token = try context.caller()
            let project = request.uri.queryParameters.get("project")
            try Access.requireRead(token, project: project)
            let records: [BackupRecord]
            do { records = try services.driver.backupRecords() } catch {
                throw APIError(.serviceUnavailable, "backups_unreadable", "the backup records cannot be read: \(error)")
            }
            let visible = records.filter { token.allows($0.project) && (project == nil || $0.project == project) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try BackupStore.encoder.encode(Array(visible.reversed())))))
        }
    }

    static func parse(_ data: Data) throws -> BackupRequest {
        if data.isEmpty { return BackupRequest() }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(.badRequest, "invalid_body", "the body must be a JSON object: {\"projects\": [...]}")
        }
        let unknown = Set(object.keys).subtracting(BackupRequest.keys).sorted()
        if !unknown.isEmpty { throw APIError(.badRequest, "invalid_body", "unknown key(s) \(unknown.joined(separator: ", ")); known: projects") }
        guard let request = try? JSONDecoder().decode(BackupRequest.self, from: data) else {
            throw APIError(.badRequest, "invalid_body", "projects must be an array of project names")
        }
        if let projects = request.projects, projects.isEmpty {
            throw APIError(.badRequest, "invalid_body", "projects is empty: leave it out to back up every project with backups, or name some")
        }
        return request
    }
}
