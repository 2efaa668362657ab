import BerthConfig
import Foundation
import Hummingbird

/// `POST /v1/deployments` queues a deploy; `GET /v1/deployments?project=` is a project's history.
enum DeploymentRoutes {
    struct DeployRequest: Decodable {
        var projects: [String]?
        var force: Bool?
        var priority: TaskPriority?
        static let keys: Set<String> = ["projects", "force", "priority"]
    }

    struct Accepted: Encodable {
        var task: DeployTask
        var location: String
    }

    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.post("/v1/deployments") { request, context -> Response in
            let token = try context.caller()
            let body = try await request.body.collect(upTo: 64 * 1024)
            return try await services.audited(token, "deploy", "-") {
                let deploy = try parse(Data(buffer: body))
                if let projects = deploy.projects, projects.isEmpty {
                    throw APIError(.badRequest, "invalid_body", "projects is empty: leave it out to deploy every project, or name some")
                }
                try Access.requireDeploy(token, projects: deploy.projects)
                let unknown: [String]
                do {
                    unknown = try services.driver.unknownProjects(deploy.projects ?? [])
                } catch let error as ConfigError {
                    throw APIError(.unprocessableContent, "invalid_config", "the configuration repository is invalid; nothing was queued:\n\(error)")
                }
                if !unknown.isEmpty {
                    throw APIError(.unprocessableContent, "unknown_project", unknown.joined(separator: "\n") + "; nothing was queued")
                }
                let task = try await services.queue.enqueue(DeployTask(projects: deploy.projects, force: deploy.force ?? false,
                                                                       priority: deploy.priority ?? .normal, createdBy: token.name))
                let location = "/v1/tasks/\(task.id)"
                let response = try JSONResponse.make(Accepted(task: task, location: location), status: .accepted, headers: [.location: location])
                return (response, "accepted: \(task.id) (\(task.projects?.joined(separator: ",") ?? "all projects"))")
            }
        }
        router.get("/v1/deployments") { request, context -> Response in
            let token = try context.caller()
            guard let project = request.uri.queryParameters.get("project") else {
                throw APIError(.badRequest, "missing_parameter", "name the project: /v1/deployments?project=NAME")
            }
            try Access.requireRead(token, project: project)
            return try JSONResponse.make(try services.driver.history(project))
        }
    }

    /// The body must be a JSON object with only the known keys; anything else is a 400 that says what is wrong.
    static func parse(_ data: Data) throws -> DeployRequest {
        if data.isEmpty { return DeployRequest() }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(.badRequest, "invalid_body", "the body must be a JSON object: {\"projects\": [...], \"force\": false, \"priority\": \"normal\"}")
        }
        let unknown = Set(object.keys).subtracting(DeployRequest.keys).sorted()
        if !unknown.isEmpty {
            throw APIError(.badRequest, "invalid_body", "unknown key(s) \(unknown.joined(separator: ", ")); known: projects, force, priority")
        }
        do {
            return try JSONDecoder().decode(DeployRequest.self, from: data)
        } catch DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c) {
            throw APIError(.badRequest, "invalid_body", "\(c.codingPath.map(\.stringValue).joined(separator: ".")): wrong type (projects: array of strings, force: boolean, priority: high|normal)")
        } catch DecodingError.dataCorrupted(let c) {
            throw APIError(.badRequest, "invalid_body", "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription) (priority is high or normal)")
        }
    }
}
