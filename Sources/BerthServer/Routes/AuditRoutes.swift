import Hummingbird

/// `GET /v1/audit?limit=N` (admin): the audit log, newest first.
enum AuditRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/v1/audit") { request, context -> Response in
            try Access.requireAdmin(try context.caller())
            guard let limit = Int(request.uri.queryParameters.get("limit") ?? "200"), (1...10_000).contains(limit) else {
                throw APIError(.badRequest, "invalid_parameter", "limit must be between 1 and 10000")
            }
            return try JSONResponse.make(try await services.store.audit(limit: limit))
        }
    }
}
