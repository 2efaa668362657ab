import BerthConfig
import Foundation
import Hummingbird

/// Tenant stacks: `POST /v1/projects {template, name, params}` writes `projects/<name>/` from
/// `templates/<template>/` (validated first, committed in a git repository) and queues its deploy;
/// `DELETE /v1/projects/{name}` removes it the same way and queues its teardown.
enum TenantRoutes {
    struct CreateRequest: Decodable {
        var template: String
        var name: String
        var params: [String: String]?
        static let keys: Set<String> = ["template", "name", "params"]
    }

    struct Accepted: Encodable {
        var project: String
        var commit: String?
        var task: DeployTask
        var location: String
    }

    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.post("/v1/projects") { request, context -> Response in
            let token = try context.caller()
            let body = try await request.body.collect(upTo: 64 * 1024)
            let target = (try? parse(Data(buffer: body)))?.name ?? "-"
            return try await services.audited(token, "project.create", target) {
                let create = try parse(Data(buffer: body))
                try Access.requireTenant(token, create.name)
                let change = try await apply {
                    try await services.repository.create(template: create.template, name: create.name, params: create.params ?? [:], author: token.name)
                }
                return try await accepted(services, .deploy, create.name, change, token, status: .accepted,
                                          what: "created from template \(create.template)")
            }
        }
        router.delete("/v1/projects/:project") { _, context -> Response in
            let token = try context.caller()
            let name = context.parameters.get("project") ?? ""
            return try await services.audited(token, "project.delete", name) {
                try Access.requireTenant(token, name)
                let change = try await apply { try await services.repository.remove(name, author: token.name) }
                return try await accepted(services, .teardown, name, change, token, status: .accepted, what: "removed")
            }
        }
    }

    static func accepted(_ services: APIServices, _ kind: TaskKind, _ name: String, _ change: ConfigRepository.Change, _ token: APIToken,
                         status: HTTPResponse.Status, what: String) async throws -> (Response, String) {
        let task = try await services.queue.enqueue(DeployTask(kind: kind, projects: [name], priority: .normal, createdBy: token.name))
        let location = "/v1/tasks/\(task.id)"
        let response = try JSONResponse.make(Accepted(project: name, commit: change.commit, task: task, location: location),
                                             status: status, headers: [.location: location])
        return (response, "\(what); commit \(change.commit ?? "none (not a git repository)"); \(kind.rawValue) \(task.id)")
    }

    /// Maps the repository's errors onto API errors.
    static func apply(_ body: () async throws -> ConfigRepository.Change) async throws -> ConfigRepository.Change {
        do { return try await body() } catch let error as ConfigRepository.ChangeError {
            switch error {
            case .invalid(let config):
                throw APIError(.unprocessableContent, "invalid_config", "the change was refused; nothing was written:\n\(config)")
            case .unknownTemplate(let message): throw APIError(.unprocessableContent, "unknown_template", message)
            case .invalidName(let message): throw APIError(.unprocessableContent, "invalid_name", message)
            case .exists(let message): throw APIError(.conflict, "project_exists", message)
            case .notFound(let message): throw APIError(.notFound, "not_found", message)
            case .failed(let message): throw APIError(.internalServerError, "repository_failed", message)
            }
        }
    }

    static func parse(_ data: Data) throws -> CreateRequest {
        let shape = "{\"template\": \"web\", \"name\": \"team-a\", \"params\": {\"host\": \"a.example.com\"}}"
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(.badRequest, "invalid_body", "the body must be a JSON object: \(shape)")
        }
        let unknown = Set(object.keys).subtracting(CreateRequest.keys).sorted()
        if !unknown.isEmpty {
            throw APIError(.badRequest, "invalid_body", "unknown key(s) \(unknown.joined(separator: ", ")); known: template, name, params")
        }
        do {
            return try JSONDecoder().decode(CreateRequest.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError(.badRequest, "invalid_body", "\(key.stringValue) is missing: \(shape)")
        } catch {
            throw APIError(.badRequest, "invalid_body", "template and name are strings and params an object of strings: \(shape)")
        }
    }
}
