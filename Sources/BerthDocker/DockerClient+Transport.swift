import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A complete (non-streaming) answer of the engine.
struct DockerResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var data: Data { Data(body.readableBytesView) }
}

extension DockerClient {
    /// Largest body read into memory (inspect, list); streams are not limited.
    static let maximumBodySize = 64 * 1024 * 1024

    /// `path` under the negotiated version prefix, e.g. `/v1.41/containers/json`.
    nonisolated func versioned(_ path: String) async throws -> String {
        "/v\(try await apiVersion())\(path)"
    }

    /// Sends a request to the versioned API and collects the answer; non-2xx (and non-304) answers throw.
    nonisolated func send(
        _ method: HTTPMethod, _ path: String, query: QueryString = QueryString(), json: (any Encodable)? = nil,
        body: Data? = nil, headers: [(String, String)] = [], timeout: Duration? = nil, context: String
    ) async throws -> DockerResponse {
        let fullPath = try await versioned(path)
        return try await sendRaw(method, fullPath + query.encoded, json: json, body: body, headers: headers, timeout: timeout,
                                 context: context)
    }

    /// `send`, then decodes the JSON body as `T`.
    nonisolated func get<T: Decodable>(_ type: T.Type, _ path: String, query: QueryString = QueryString(), context: String) async throws -> T {
        let response = try await send(.GET, path, query: query, context: context)
        return try decode(type, from: response, context: context)
    }

    /// Sends to an exact path (no version prefix) and collects the answer.
    nonisolated func sendRaw(
        _ method: HTTPMethod, _ pathAndQuery: String, json: (any Encodable)? = nil, body: Data? = nil,
        headers: [(String, String)] = [], timeout: Duration? = nil, context: String
    ) async throws -> DockerResponse {
        var request = try makeRequest(method, pathAndQuery, json: json, headers: headers, context: context)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = NIODeadline.now() + TimeAmount(timeout ?? requestTimeout)
        do {
            let response = try await http.execute(request, deadline: deadline)
            let body = try await response.body.collect(upTo: Self.maximumBodySize)
            let answer = DockerResponse(status: Int(response.status.code), headers: response.headers, body: body)
            try Self.check(answer, context: context)
            return answer
        } catch {
            throw transportError(error, context: context)
        }
    }

    /// Opens a streaming request: waits (at most `requestTimeout`) for the answer's head, checks its status,
    /// and returns the response whose body the caller reads for as long as it wants.
    nonisolated func openStream(
        _ method: HTTPMethod, _ path: String, query: QueryString = QueryString(), headers: [(String, String)] = [],
        body: Data? = nil, context: String
    ) async throws -> HTTPClientResponse {
        var prepared = try makeRequest(method, try await versioned(path) + query.encoded, json: nil, headers: headers, context: context)
        if let body { prepared.body = .bytes(ByteBuffer(bytes: body)) }
        let request = prepared
        let http = self.http
        let timeout = requestTimeout
        do {
            let response = try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                group.addTask { try await http.execute(request, deadline: .distantFuture) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPClientError.deadlineExceeded
                }
                return response
            }
            if !(200..<300).contains(Int(response.status.code)) {
                let body = try await response.body.collect(upTo: Self.maximumBodySize)
                try Self.check(DockerResponse(status: Int(response.status.code), headers: response.headers, body: body), context: context)
            }
            return response
        } catch {
            throw transportError(error, context: context)
        }
    }

    nonisolated func decode<T: Decodable>(_ type: T.Type, from response: DockerResponse, context: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.data)
        } catch {
            throw DockerError(
                .decoding, status: response.status, message: "unexpected answer from the engine: \(error)", context: context,
                cause: error)
        }
    }

    private nonisolated func makeRequest(
        _ method: HTTPMethod, _ pathAndQuery: String, json: (any Encodable)?, headers: [(String, String)], context: String
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.url(pathAndQuery))
        request.method = method
        if case .unixSocket = endpoint {
            // AsyncHTTPClient sends no Host header over a unix socket, and the engine requires one.
            request.headers.add(name: "Host", value: "localhost")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            do {
                let data = try JSONEncoder().encode(json)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: data))
            } catch {
                throw DockerError(.badRequest, message: "cannot encode the request: \(error)", context: context, cause: error)
            }
        }
        return request
    }

    /// Throws the engine's error for a non-success answer (304 Not Modified counts as success).
    static func check(_ response: DockerResponse, context: String) throws {
        guard !(200..<300).contains(response.status), response.status != 304 else { return }
        throw DockerError.fromResponse(status: response.status, message: errorMessage(response), context: context)
    }

    /// Docker's `{"message": "..."}`, else the body as text, else the status.
    private static func errorMessage(_ response: DockerResponse) -> String {
        struct Body: Decodable { var message: String }
        if let body = try? JSONDecoder().decode(Body.self, from: response.data) { return body.message }
        let text = String(decoding: response.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(response.status)" : text
    }

    /// Maps what a call threw to a `DockerError`, keeping `DockerError`s and cancellation as they are.
    nonisolated func transportError(_ error: any Error, context: String) -> any Error {
        if error is DockerError || error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return DockerError(
                    .timeout, message: "the engine at \(endpoint) did not answer in time (\(error))", context: context,
                    hint: "the engine may be overloaded or stuck; check `docker info`", cause: error)
            case .cancelled:
                return CancellationError()
            default:
                break
            }
        }
        return DockerError(
            .unreachable, message: "cannot reach the Docker engine at \(endpoint): \(error)", context: context,
            hint: DockerError.unreachableHint, cause: error)
    }
}
