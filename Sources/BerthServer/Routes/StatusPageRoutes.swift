import Foundation
import Hummingbird

/// `GET /` (the status page), `GET|POST /login`, `POST /logout`. The page is for a browser: it takes a
/// session cookie that /login sets for a read or admin token (HttpOnly, SameSite=Lax, 12 h), or a bearer
/// header. The cookie is honoured on these routes only, never on /v1 (no cross-site request can use it there).
enum StatusPageRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/") { request, _ -> Response in
            let token: APIToken
            switch try await viewer(request, services) {
            case .none: return html(StatusPage.loginPage(message: nil), status: .unauthorized)
            case .refused(let message): return html(StatusPage.loginPage(message: message), status: .unauthorized)
            case .forbidden(let message): return html(StatusPage.loginPage(message: message), status: .forbidden)
            case .token(let t): token = t
            }
            return html(try await StatusPage.gather(services, token: token).html, status: .ok)
        }
        router.get("/login") { request, _ -> Response in
            guard let secret = request.uri.queryParameters.get("token") else { return html(StatusPage.loginPage(message: nil), status: .ok) }
            return try await signIn(secret, services)
        }
        router.post("/login") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let secret = formField("token", in: String(buffer: body)), !secret.isEmpty else {
                return html(StatusPage.loginPage(message: "Enter a token."), status: .badRequest)
            }
            return try await signIn(secret, services)
        }
        router.post("/logout") { request, _ -> Response in
            if let secret = request.cookies[Sessions.cookieName]?.value { await services.sessions.close(secret) }
            return Response(status: .seeOther, headers: [.location: "/login",
                                                         .setCookie: "\(Sessions.cookieName)=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"])
        }
    }

    enum Viewer { case none, refused(String), forbidden(String), token(APIToken) }

    /// Who looks at the page: a bearer header first, else the session cookie.
    static func viewer(_ request: Request, _ services: APIServices) async throws -> Viewer {
        let token: APIToken
        if request.headers[.authorization] != nil {
            do { token = try await TokenAuthMiddleware(store: services.store).authenticate(request) } catch let error as APIError {
                return .refused(error.message)
            }
        } else if let secret = request.cookies[Sessions.cookieName]?.value {
            guard let hash = await services.sessions.tokenHash(secret), let found = try await services.store.token(hash: hash),
                  found.revokedAt == nil, !found.isExpired() else {
                return .refused("Your session ended (signed out, expired, or its token was revoked). Sign in again.")
            }
            token = found
        } else {
            return .none
        }
        guard token.scope == .read || token.scope == .admin else {
            return .forbidden("The token '\(token.name)' has scope \(token.scope.rawValue); the status page needs read or admin.")
        }
        return .token(token)
    }

    /// Signs in with a read or admin token; every attempt, refused ones included, is in the audit log
    /// (`session.login`, by the token's name when it is known).
    static func signIn(_ secret: String, _ services: APIServices) async throws -> Response {
        let token = try await services.store.token(hash: APIToken.hash(of: secret.trimmingCharacters(in: .whitespaces)))
        let refusal: (message: String, status: HTTPResponse.Status)? =
            if token == nil || token?.revokedAt != nil {
                ("This token is not known or was revoked (see berth token list).", .unauthorized)
            } else if let token, token.isExpired() {
                ("The token '\(token.name)' expired; create a new one with berth token create.", .unauthorized)
            } else if let token, token.scope != .read && token.scope != .admin {
                ("The token '\(token.name)' has scope \(token.scope.rawValue); the status page needs read or admin.", .forbidden)
            } else {
                nil
            }
        try await services.store.append(AuditEntry(token: token?.name ?? "-", action: "session.login", target: "status page",
                                                   status: Int(refusal?.status.code ?? 303),
                                                   result: refusal.map { "denied: \($0.message)" } ?? "signed in"))
        if let refusal { return html(StatusPage.loginPage(message: refusal.message), status: refusal.status) }
        guard let token else { return html(StatusPage.loginPage(message: nil), status: .unauthorized) }
        let session = await services.sessions.open(tokenHash: token.hash)
        let maxAge = Int(Sessions.lifetime.components.seconds)
        return Response(status: .seeOther, headers: [
            .location: "/",
            .setCookie: "\(Sessions.cookieName)=\(session); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(maxAge)",
            .cacheControl: "no-store",
        ])
    }

    /// One field of an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
