import Foundation
import Hummingbird
import Synchronization

/// What the routes use: the store, the queue, the engine driver, metrics, and the shutdown flag that ends
/// long-lived streams (SSE, followed logs) so that a graceful shutdown is not held open by a client.
public final class APIServices: Sendable {
    public let store: any TaskStore
    public let queue: TaskQueue
    public let driver: EngineDriver
    public let metrics: ServerMetrics
    /// The status page's sign-in sessions.
    public let sessions = Sessions()
    /// The configuration repository's writer (tenant projects, the git webhook's fast-forwards).
    public let repository: ConfigRepository
    /// The git webhook's HMAC secret (`BERTH_WEBHOOK_SECRET`); nil: the webhook is off.
    public let webhookSecret: String?
    let statusCache = StatusCache()
    private let stopping = Atomic<Bool>(false)

    public init(store: any TaskStore, queue: TaskQueue, driver: EngineDriver, metrics: ServerMetrics, webhookSecret: String? = nil) {
        self.store = store
        self.queue = queue
        self.driver = driver
        self.metrics = metrics
        self.repository = ConfigRepository(directory: driver.configDirectory)
        self.webhookSecret = webhookSecret
    }

    public var isStopping: Bool { stopping.load(ordering: .relaxed) }
    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Records a mutating call in the audit log.
    func audit(_ token: APIToken, _ action: String, _ target: String, _ status: Int, _ result: String) async throws {
        try await store.append(AuditEntry(token: token.name, action: action, target: target, status: status, result: result))
    }

    /// Runs a mutating route: a 403 or 4xx it throws is audited as denied or failed, as is its success.
    func audited(_ token: APIToken, _ action: String, _ target: String,
                 _ body: () async throws -> (Response, String)) async throws -> Response {
        do {
            let (response, result) = try await body()
            try await audit(token, action, target, Int(response.status.code), result)
            return response
        } catch let error as APIError {
            try await audit(token, action, target, error.status.code, (error.status == .forbidden ? "denied: " : "failed: ") + error.message)
            throw error
        }
    }
}

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()

    /// The body `make` answers: the JSON and a line break.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
