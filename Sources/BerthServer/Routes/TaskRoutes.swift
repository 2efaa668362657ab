import Foundation
import Hummingbird

/// `GET /v1/tasks?state=&project=`, `GET /v1/tasks/{id}`, `POST /v1/tasks/{id}/cancel`.
enum TaskRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/v1/tasks") { request, context -> Response in
            let token = try context.caller()
            let query = request.uri.queryParameters
            var state: TaskState?
            if let raw = query.get("state") {
                guard let s = TaskState(rawValue: raw) else {
                    throw APIError(.badRequest, "invalid_parameter", "state '\(raw)' is not one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = s
            }
            let project = query.get("project")
            if let project, token.scope == .read { try Access.requireRead(token, project: project) }
            let tasks = try await services.store.tasks(state: state, project: project, limit: 200).filter { Access.canSee(token, $0) }
            return try JSONResponse.make(tasks)
        }
        router.get("/v1/tasks/:id") { _, context -> Response in
            try JSONResponse.make(try await visibleTask(context, services))
        }
        router.post("/v1/tasks/:id/cancel") { _, context -> Response in
            let token = try context.caller()
            let id = context.parameters.get("id") ?? ""
            return try await services.audited(token, "cancel", id) {
                let task = try await visibleTask(context, services)
                try Access.requireCancel(token, task)
                switch try await services.queue.cancel(id, by: token.name) {
                case .removed(let t): return (try JSONResponse.make(t), "cancelled (was queued)")
                case .stopping(let t): return (try JSONResponse.make(t, status: .accepted), "stopping (was running)")
                case .alreadyFinal(let t):
                    throw APIError(.conflict, "task_final", "the task \(t.id) is already \(t.state.rawValue); nothing to cancel")
                case .notFound: throw APIError(.notFound, "not_found", "no task \(id)")
                }
            }
        }
    }

    /// The task named in the path, if the caller may see it (404 when it does not exist, 403 when it is not theirs).
    static func visibleTask(_ context: APIContext, _ services: APIServices) async throws -> DeployTask {
        let token = try context.caller()
        let id = context.parameters.get("id") ?? ""
        guard let task = try await services.store.task(id) else { throw APIError(.notFound, "not_found", "no task \(id); see GET /v1/tasks") }
        guard Access.canSee(token, task) else {
            throw Access.forbidden(token.scope == .deploy
                ? "the token '\(token.name)' may read only the tasks it created"
                : "the task \(id) touches projects outside the token '\(token.name)'")
        }
        return task
    }
}
