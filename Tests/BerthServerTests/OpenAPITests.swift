import BerthConfig
@testable import BerthServer
import Foundation
import Testing
import TestSupport

@Suite("OpenAPI document")
struct OpenAPITests {
    /// The daemon's real router, over a real (temporary) store.
    func routerRoutes() async throws -> Set<String> {
        var routes: Set<String> = []
        try await withTemporaryStore { store, dir in
            let driver = EngineDriver(configDirectory: dir.path, stateDirectory: dir, dockerHost: nil, lockWait: TimeSpan(milliseconds: 1000))
            let services = APIServices(store: store, queue: TaskQueue(store: store, maxParallel: 1), driver: driver, metrics: ServerMetrics())
            routes = Set(Daemon.router(services).routes.map { "\($0.method.rawValue) \($0.path)" })
        }
        return routes
    }

    /// "METHOD /path" of every operation in the served JSON (read back as JSON, as a client would).
    static func documentedRoutes(_ json: String) throws -> Set<String> {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
    }

    @Test func everyRouteOfTheRouterIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let registered = try await routerRoutes()
        let documented = try Self.documentedRoutes(OpenAPI.document.json())
        #expect(registered.count >= 19, "\(registered.sorted())")
        #expect(registered.subtracting(documented).isEmpty,
                "routes missing from the OpenAPI document (add them in Sources/BerthServer/OpenAPI/OpenAPI.swift): \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but not routed: \(documented.subtracting(registered).sorted())")
    }

    @Test func theComparisonCatchesAMissingRoute() throws {
        // The check above must be able to fail: a document without one operation misses that route.
        let full = try Self.documentedRoutes(OpenAPI.document.json())
        var object = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.json().utf8)) as? [String: Any])
        var paths = try #require(object["paths"] as? [String: Any])
        paths["/v1/audit"] = nil
        object["paths"] = paths
        let cut = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(full.subtracting(try Self.documentedRoutes(cut)) == ["GET /v1/audit"])
    }

    @Test func everyOperationHasAnIDAndTheErrorAnswersOfItsAuth() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.json().utf8)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: [String: [String: Any]]])
        var ids: [String] = []
        for (path, ops) in paths {
            for (method, op) in ops {
                ids.append(op["operationId"] as? String ?? "")
                let responses = op["responses"] as? [String: Any] ?? [:]
                if path == "/v1/hooks/git" {
                    // Authenticated by the body's HMAC signature, not by a token.
                    #expect(responses["401"] != nil && op["security"] as? [Any] != nil && (op["security"] as? [Any])?.isEmpty == true)
                } else if path.hasPrefix("/v1/") || path == "/metrics" {
                    #expect(responses["401"] != nil && responses["403"] != nil, "\(method) \(path) lacks 401/403")
                    #expect(op["security"] == nil, "\(method) \(path) must use the bearer default")
                }
                if path.contains("{") { #expect(responses["404"] != nil || path.hasSuffix("/logs"), "\(method) \(path) lacks 404") }
            }
        }
        #expect(Set(ids).count == ids.count && !ids.contains(""))
        let events = try #require(paths["/v1/events"]?["get"]?["responses"] as? [String: [String: Any]])
        #expect((events["200"]?["content"] as? [String: Any])?["text/event-stream"] != nil)
    }

    /// openapi-spec-validator (PyPI, installed by scripts/setup.sh) checks both the JSON and the YAML form.
    @Test(arguments: ["json", "yaml"]) func openapiSpecValidatorAcceptsTheDocument(_ format: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("openapi.\(format)")
        try (format == "json" ? OpenAPI.document.json() : OpenAPI.document.yaml()).write(to: file, atomically: true, encoding: .utf8)
        let result = try Fixtures.run(["openapi-spec-validator", file.path])
        #expect(result.status == 0 && result.output.contains("OK"), "openapi-spec-validator (run scripts/setup.sh if missing):\n\(result.output)")
    }
}
