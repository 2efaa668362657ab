import BerthConfig
@testable import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The daemon's real router and middleware chain, in process (HummingbirdTesting), over a real SQLite store
/// and real tokens. The daemon as a process: IntegrationTests' Serve*E2ETests.
@Suite("The daemon's router")
struct RouterTests {
    /// Runs `body` with a client of the router and a valid token of each scope.
    func withRouter(_ body: @escaping @Sendable (any TestClientProtocol, _ admin: String, _ deploy: String, SQLiteTaskStore) async throws -> Void) async throws {
        try await withTemporaryStore { store, dir in
            let driver = EngineDriver(configDirectory: dir.path, stateDirectory: dir, dockerHost: nil, lockWait: TimeSpan(milliseconds: 1000))
            let services = APIServices(store: store, queue: TaskQueue(store: store, maxParallel: 1), driver: driver, metrics: ServerMetrics())
            var secrets: [String] = []
            for (name, scope) in [("ops", TokenScope.admin), ("ci", .deploy)] {
                let secret = APIToken.generateSecret()
                try await store.insert(APIToken(name: name, hash: APIToken.hash(of: secret), scope: scope, projects: [], expiresAt: nil))
                secrets.append(secret)
            }
            let app = Application(router: Daemon.router(services))
            let (admin, deploy) = (secrets[0], secrets[1])
            try await app.test(.router) { client in try await body(client, admin, deploy, store) }
        }
    }

    @Test func theMethodsOfAPathComeFromTheRoutesTemplates() {
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/tasks") == ["GET"])
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/tasks/t-123/cancel") == ["POST"])
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/projects") == ["GET", "POST"])
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/projects/web") == ["DELETE", "GET"])
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/nothing").isEmpty)
        #expect(MethodNotAllowedMiddleware.methods(at: "/v1/tasks/t-1/cancel/more").isEmpty)
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllowAndAnUnknownPath404() async throws {
        try await withRouter { client, admin, _, _ in
            let auth: HTTPFields = [.authorization: "Bearer \(admin)"]
            try await client.execute(uri: "/v1/tasks", method: .put, headers: auth) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                #expect(String(buffer: response.body).contains("method_not_allowed"))
            }
            try await client.execute(uri: "/v1/tasks/t-1/cancel", method: .get, headers: auth) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/v1/nothing", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/tasks", method: .put) { response in
                #expect(response.status == .unauthorized, "without a token: 401 before anything else")
            }
        }
    }

    @Test func everyStatusPageSignInIsAudited() async throws {
        try await withRouter { client, admin, deploy, store in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(admin)")) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(deploy)")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/login?token=berth_unknown", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            let logins = try await store.audit(limit: 10).filter { $0.action == "session.login" }
            let seen = Set(logins.map { "\($0.token) \($0.status) \($0.result.prefix(6))" })
            #expect(seen == ["ops 303 signed", "ci 403 denied", "- 401 denied"], "\(logins)")
            #expect(!logins.contains { $0.result.contains(admin) || $0.result.contains("berth_unknown") }, "no secret in the audit log")
        }
    }
}
