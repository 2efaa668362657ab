import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the `berth serve` API (docs/api.md), for the CLI's client mode.
struct ServerClient: Sendable {
    var base: String
    var token: String

    struct Reply {
        var status: Int
        var body: Data
    }

    /// An answer the daemon refused, or a daemon that cannot be reached: printed as `error: …` with the
    /// exit code the local command would have (1: the input was refused; 3: a runtime failure).
    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var message: String
        var description: String { message }
        var inputError: Bool { [400, 401, 403, 404, 409, 422].contains(status) }
    }

    private struct ErrorBody: Decodable {
        struct Detail: Decodable { var code: String; var message: String }
        var error: Detail
    }

    func request(_ method: HTTPMethod, _ path: String, json body: Data? = nil, timeout: TimeAmount = .seconds(60)) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do { response = try await HTTPClient.shared.execute(request, timeout: timeout) } catch {
            throw Failure(status: 0, message: "cannot reach the daemon at \(base): \(error); is berth serve running there?")
        }
        let data = Data(try await response.body.collect(upTo: 64 * 1024 * 1024).readableBytesView)
        let status = Int(response.status.code)
        if status >= 400 { throw failure(status, data) }
        return Reply(status: status, body: data)
    }

    /// A streamed GET: every chunk of the body as it arrives, until the server ends it.
    func stream(_ path: String, accept: String, chunk: (ByteBuffer) async throws -> Void) async throws {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: accept)
        let response: HTTPClientResponse
        do { response = try await HTTPClient.shared.execute(request, deadline: .distantFuture) } catch {
            throw Failure(status: 0, message: "cannot reach the daemon at \(base): \(error); is berth serve running there?")
        }
        let status = Int(response.status.code)
        if status >= 400 { throw failure(status, Data(try await response.body.collect(upTo: 1024 * 1024).readableBytesView)) }
        for try await buffer in response.body { try await chunk(buffer) }
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try Self.decoder.decode(type, from: data) } catch {
            throw Failure(status: 0, message: "the daemon at \(base) answered something berth cannot read (\(error)); is it the same berth version?")
        }
    }

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    private func failure(_ status: Int, _ data: Data) -> Failure {
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: data)).map { "\($0.error.message) (\(status) \($0.error.code))" }
            ?? "the daemon answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))"
        return Failure(status: status, message: message)
    }
}

/// What the daemon answers, as the client reads it (the API's JSON, snake_case keys).
enum ClientModel {
    struct Outcome: Decodable {
        var project: String
        var result: String
        var messages: [String]
    }

    struct Task: Decodable {
        var id: String
        var kind: String
        var projects: [String]?
        var state: String
        var step: Int
        var total: Int
        var percent: Int
        var message: String
        var phase: String?
        var results: [Outcome]
        var createdBy: String
        var createdAt: Date
        enum CodingKeys: String, CodingKey {
            case id, kind, projects, state, step, total, percent, message, phase, results
            case createdBy = "created_by", createdAt = "created_at"
        }
        var isFinal: Bool { !["queued", "running"].contains(state) }
    }

    struct Accepted: Decodable {
        var task: Task
        var location: String
    }

    struct Event: Decodable {
        var id: Int64
        var kind: String
        var time: Date
        var state: String?
        var phase: String?
        var project: String?
        var service: String?
        var percent: Int?
        var message: String
    }
}
