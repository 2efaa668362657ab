import BerthRuntime
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Caddy's admin API, over a unix socket (never published beyond the host) or a loopback address.
public struct CaddyAdmin: Sendable {
    public enum Endpoint: Sendable, Hashable {
        case unixSocket(String)
        case http(String)  // e.g. "127.0.0.1:2019"
    }

    public var endpoint: Endpoint
    var timeout: TimeAmount = .seconds(15)

    public init(endpoint: Endpoint) { self.endpoint = endpoint }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    func url(_ path: String) -> String {
        switch endpoint {
        case .unixSocket(let socket):
            return URL(httpURLWithSocketPath: socket, uri: path)?.absoluteString ?? "http://localhost\(path)"
        case .http(let address):
            return "http://\(address)\(path)"
        }
    }

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, timeout: TimeAmount? = nil) async throws -> (status: UInt, body: Data) {
        // The HTTP client retries a failed connect until the request's deadline: a socket file that
        // does not exist will not appear by itself, so say so at once.
        if case .unixSocket(let socket) = endpoint, !FileManager.default.fileExists(atPath: socket) {
            throw Failure(message: "Caddy's admin socket \(socket) does not exist (is the proxy container running with this state directory?)")
        }
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        request.headers.add(name: "Host", value: "localhost")
        // Caddy replaces its admin server on every load and closes the connections of the old one, so a
        // kept-alive connection may be dead by the next request (the read-back of a load): one connection
        // per request (a unix-socket connect costs microseconds).
        request.headers.add(name: "Connection", value: "close")
        // Caddy rejects admin requests whose Origin it does not know; none is sent.
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout ?? self.timeout)
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return (response.status.code, Data(bytes.readableBytesView))
        } catch {
            throw Failure(message: "Caddy's admin API (\(endpoint)) did not answer \(method.rawValue) \(path): \(error)")
        }
    }

    /// Replaces Caddy's whole configuration (one reload) and confirms it by reading it back.
    public func load(_ config: Data) async throws {
        let (status, body) = try await request(.POST, "/load", body: config)
        guard status == 200 else {
            throw Failure(message: "Caddy refused the configuration (HTTP \(status)): \(String(decoding: body, as: UTF8.self).prefix(600))")
        }
        // The read-back may reach the admin server Caddy is just replacing, which closes it (about one load
        // in 200 under load): a GET is safe to repeat, so it is, briefly; the load itself is never repeated.
        var attempt = 0
        var readBack: (status: UInt, body: Data)?
        while readBack == nil {
            do { readBack = try await request(.GET, "/config/") } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let (readStatus, current) = readBack!
        guard readStatus == 200, Self.sameJSON(current, config, ignoring: ["admin"]) else {
            throw Failure(message: "Caddy's configuration read back differs from what Berth loaded")
        }
    }

    /// Whether the admin API answers (within 5 s).
    public func ready() async -> Bool {
        (try? await request(.GET, "/config/", timeout: .seconds(5)).status) == 200
    }

    public func config() async throws -> Data {
        let (status, body) = try await request(.GET, "/config/")
        guard status == 200 else { throw Failure(message: "reading Caddy's configuration failed (HTTP \(status))") }
        return body
    }

    public struct UpstreamStatus: Decodable, Sendable {
        public var address: String
        public var numRequests: Int
        public var fails: Int

        enum CodingKeys: String, CodingKey {
            case address, numRequests = "num_requests", fails
        }
    }

    /// In-flight request counts per upstream address (`host:port`).
    public func upstreams() async throws -> [UpstreamStatus] {
        let (status, body) = try await request(.GET, "/reverse_proxy/upstreams")
        guard status == 200 else { throw Failure(message: "reading Caddy's upstreams failed (HTTP \(status))") }
        return (try? JSONDecoder().decode([UpstreamStatus].self, from: body)) ?? []
    }

    static func sameJSON(_ a: Data, _ b: Data, ignoring keys: Set<String>) -> Bool {
        guard var x = (try? JSONSerialization.jsonObject(with: a)) as? [String: Any],
              var y = (try? JSONSerialization.jsonObject(with: b)) as? [String: Any] else { return false }
        for key in keys {
            x[key] = nil
            y[key] = nil
        }
        return NSDictionary(dictionary: x).isEqual(to: y)
    }
}
