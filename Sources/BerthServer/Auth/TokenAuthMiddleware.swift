import Foundation
import Hummingbird

/// Every route but `/healthz` needs `Authorization: Bearer <token>`: a token that exists, is not revoked
/// and not expired. Anything else is 401 (and, for a mutating call, an audit entry).
struct TokenAuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let store: any TaskStore
    /// Routes that answer without a bearer token: the status page's routes check their own session, the
    /// git webhook authenticates by its HMAC signature instead (HookRoutes).
    static let open: Set<String> = ["/healthz", "/openapi.json", "/openapi.yaml", "/", "/login", "/logout", "/v1/hooks/git"]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        if Self.open.contains(request.uri.path) { return try await next(request, context) }
        var context = context
        do {
            context.token = try await authenticate(request)
        } catch let error as APIError {
            if request.method != .get {
                try await store.append(AuditEntry(token: "-", action: "\(request.method) \(request.uri.path)", target: request.uri.path,
                                                  status: 401, result: "denied: \(error.message)"))
            }
            throw error
        }
        return try await next(request, context)
    }

    func authenticate(_ request: Request) async throws -> APIToken {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "unauthenticated", "this route needs a bearer token: Authorization: Bearer <token> (create one with berth token create)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "unauthenticated", "the Authorization header must be 'Bearer <token>'")
        }
        guard let token = try await store.token(hash: APIToken.hash(of: String(parts[1]).trimmingCharacters(in: .whitespaces))),
              token.revokedAt == nil else {
            throw APIError(.unauthorized, "invalid_token", "the bearer token is not known or was revoked; see berth token list")
        }
        if token.isExpired() {
            throw APIError(.unauthorized, "token_expired", "the token '\(token.name)' expired; create a new one with berth token create")
        }
        return token
    }
}
