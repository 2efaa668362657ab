import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a blocking POSIX socket to 127.0.0.1 only (the network rule of the
/// tests). It exists so that the load tests know exactly what happened on the wire: an HTTP status,
/// or a connection-level error (refused, reset, closed before a response, timed out) — counted apart.
struct E2EHTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String
}

struct E2EConnectionError: Error, CustomStringConvertible {
    var message: String
    /// The request went out on a connection kept alive from an earlier request, and not one byte of
    /// a response came back: the server had closed the idle connection (the case HTTP clients retry).
    var staleKeepAlive = false
    var description: String { staleKeepAlive ? "\(message) (reused keep-alive connection)" : message }
}

final class E2EHTTPConnection {
    /// Tests only ever talk to the loopback address.
    static let address = "127.0.0.1"
    let port: UInt16
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private(set) var connectionsOpened = 0
    private var responseBytes = 0

    /// The local address the connection comes from (a loopback address: 127.0.0.1 or 127.0.0.2 …).
    let source: String?

    init(port: Int = E2E.httpPort, source: String? = nil) {
        self.port = UInt16(port)
        self.source = source
    }
    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
        buffer.removeAll()
    }

    /// One GET. `keepAlive` reuses the connection for the next request (as browsers and HTTP clients
    /// do); a connection the server closed while idle then shows up as a connection error.
    func get(host: String, path: String, headers: [String: String] = [:], timeout: Double = 5,
             keepAlive: Bool = false) throws -> E2EHTTPResponse {
        let deadline = Deadline(seconds: timeout)
        let reused = fd >= 0
        if !reused { try open(timeout: timeout) }
        responseBytes = 0
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: berth-e2e\r\nAccept: */*\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { request += "\(k): \(v)\r\n" }
        if !keepAlive { request += "Connection: close\r\n" }
        request += "\r\n"
        do {
            try writeAll(Array(request.utf8))
            let head = try readHead(deadline)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusParts = lines.first?.split(separator: " ") ?? []
            guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
                throw E2EConnectionError(message: "malformed status line: \(lines.first ?? "")")
            }
            var fields: [String: String] = [:]
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var body: [UInt8]
            var mustClose = !keepAlive || fields["connection"]?.lowercased() == "close"
            if status == 204 || status == 304 || (100..<200).contains(status) {
                body = []
            } else if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
                body = try readChunked(deadline)
            } else if let length = fields["content-length"].flatMap(Int.init) {
                body = try readExactly(length, deadline)
            } else {
                body = try readToEnd(deadline)
                mustClose = true
            }
            if mustClose { close() }
            return E2EHTTPResponse(status: status, headers: fields, body: String(decoding: body, as: UTF8.self))
        } catch var error as E2EConnectionError {
            close()
            error.staleKeepAlive = reused && responseBytes == 0
            throw error
        } catch {
            close()
            throw error
        }
    }

    private func open(timeout: Double) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw E2EConnectionError(message: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            precondition(source.hasPrefix("127."), "tests only use loopback addresses")
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                _ = Glibc.close(s)
                throw E2EConnectionError(message: "bind \(source): \(String(cString: strerror(errno)))")
            }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(Self.address)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            _ = Glibc.close(s)
            throw E2EConnectionError(message: "connect to \(Self.address):\(port): \(message)")
        }
        fd = s
        connectionsOpened += 1
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw E2EConnectionError(message: "send: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill(_ deadline: Deadline) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            if deadline.passed { throw E2EConnectionError(message: "timed out") }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                responseBytes += n
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw E2EConnectionError(message: "timed out") }
            throw E2EConnectionError(message: "recv: \(String(cString: strerror(errno)))")
        }
    }

    private func index(of pattern: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= pattern.count, start <= buffer.count - pattern.count else { return nil }
        for i in start...(buffer.count - pattern.count) where buffer[i] == pattern[0] {
            if Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        }
        return nil
    }

    private func readHead(_ deadline: Deadline) throws -> String {
        let crlf2: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = index(of: crlf2) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return head
            }
            if try !fill(deadline) {
                throw E2EConnectionError(message: buffer.isEmpty ? "connection closed before a response" : "connection closed inside the response head")
            }
        }
    }

    private func readExactly(_ count: Int, _ deadline: Deadline) throws -> [UInt8] {
        while buffer.count < count {
            if try !fill(deadline) { throw E2EConnectionError(message: "connection closed inside the body") }
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    private func readLine(_ deadline: Deadline) throws -> String {
        while true {
            if let end = index(of: [13, 10]) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            if try !fill(deadline) { throw E2EConnectionError(message: "connection closed inside a chunked body") }
        }
    }

    private func readChunked(_ deadline: Deadline) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine(deadline)
            guard let size = Int(sizeLine.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16) else {
                throw E2EConnectionError(message: "bad chunk size '\(sizeLine)'")
            }
            if size == 0 {
                while try !readLine(deadline).isEmpty {}  // trailers
                return body
            }
            body += try readExactly(size, deadline)
            _ = try readLine(deadline)
        }
    }

    private func readToEnd(_ deadline: Deadline) throws -> [UInt8] {
        while try fill(deadline) {}
        let out = buffer
        buffer.removeAll()
        return out
    }
}

enum E2EHTTP {
    /// One request on a fresh connection.
    static func get(_ host: String, _ path: String = "/", headers: [String: String] = [:], timeout: Double = 5,
                    source: String? = nil) throws -> E2EHTTPResponse {
        let connection = E2EHTTPConnection(source: source)
        defer { connection.close() }
        return try connection.get(host: host, path: path, headers: headers, timeout: timeout)
    }

    /// The status of one request, or -1 for a connection error.
    static func status(_ host: String, _ path: String = "/", headers: [String: String] = [:]) -> Int {
        (try? get(host, path, headers: headers))?.status ?? -1
    }

    static func basicAuth(_ user: String, _ password: String) -> [String: String] {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    /// Polls until `host` answers `path` with `status` (e.g. right after an apply), at most `timeout` s.
    static func waitFor(_ host: String, _ path: String = "/", status: Int = 200, timeout: Double = 15) async -> E2EHTTPResponse? {
        let deadline = Deadline(seconds: timeout)
        while !deadline.passed {
            if let r = try? get(host, path), r.status == status { return r }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// The first word of `n` answers of /cgi-bin/version (`version=N`), counted.
    static func versions(_ host: String, count: Int = 20) -> [String: Int] {
        var seen: [String: Int] = [:]
        for _ in 0..<count {
            let key: String
            if let r = try? get(host, "/cgi-bin/version") {
                key = r.status == 200 ? String(r.body.split(separator: " ").first ?? "") : "HTTP \(r.status)"
            } else {
                key = "connection error"
            }
            seen[key, default: 0] += 1
        }
        return seen
    }
}

/// A bounded load generator: `concurrency` threads, each sending GETs back to back to 127.0.0.1
/// until `duration` has passed, `maxRequestsPerWorker` were sent, or `finish()`. Every request has a
/// timeout. HTTP statuses ≥ 500, other non-2xx statuses and connection-level errors are counted
/// separately.
///
/// With `keepAlive` (the default, as browsers and HTTP clients work) a worker reuses its connection.
/// When the server closes an idle kept-alive connection just as the next request goes out (what a
/// Caddy config reload does to idle connections), the request fails without a byte of response:
/// that is counted in `staleKeepAliveCloses`, and with `retryStale` it is retried once on a fresh
/// connection, as HTTP clients do for idempotent requests (RFC 9110 §9.2.2). `connectionErrors`
/// counts requests that got no HTTP response in the end.
final class E2ELoad: @unchecked Sendable {
    struct Stats: Sendable, CustomStringConvertible {
        var requests = 0
        var ok = 0
        var non2xx = 0
        var serverErrors = 0
        var connectionErrors = 0
        var staleKeepAliveCloses = 0
        /// 2xx answers whose body does not start with the expected prefix (e.g. an empty 200 from a
        /// proxy without a matching route).
        var unexpectedBodies = 0
        var connectionsOpened = 0
        var statuses: [Int: Int] = [:]
        /// First word of each 2xx body (`version=1`), counted.
        var bodies: [String: Int] = [:]
        var errorSamples: [String] = []
        var seconds: Double = 0

        var description: String {
            "\(requests) requests in \(String(format: "%.1f", seconds))s: \(ok) 2xx, \(non2xx) non-2xx, \(serverErrors) ≥500, "
                + "\(connectionErrors) connection errors, \(staleKeepAliveCloses) stale keep-alive closes, "
                + "\(unexpectedBodies) unexpected bodies, \(connectionsOpened) connections; "
                + "statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")); "
                + "bodies \(bodies.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " "))"
                + (errorSamples.isEmpty ? "" : "; errors: \(errorSamples.joined(separator: " | "))")
        }
    }

    let host: String
    let path: String
    let concurrency: Int
    let duration: Double
    let maxRequestsPerWorker: Int
    let timeout: Double
    let expectBodyPrefix: String?
    let keepAlive: Bool
    let retryStale: Bool
    /// Pause between two requests of one worker, so that the two cores also serve the rollout.
    let pauseMicroseconds: UInt32

    private let lock = NSLock()
    private var stats = Stats()
    private var stopping = false
    private let group = DispatchGroup()
    private var started = Stopwatch()

    init(host: String, path: String = "/cgi-bin/version", concurrency: Int = 4, duration: Double = 60,
         maxRequestsPerWorker: Int = 20_000, timeout: Double = 5, expectBodyPrefix: String? = "version=",
         keepAlive: Bool = true, retryStale: Bool = true, pauseMicroseconds: UInt32 = 2_000) {
        self.keepAlive = keepAlive
        self.retryStale = retryStale
        self.host = host
        self.path = path
        self.concurrency = concurrency
        self.duration = min(duration, 120)
        self.maxRequestsPerWorker = maxRequestsPerWorker
        self.timeout = timeout
        self.expectBodyPrefix = expectBodyPrefix
        self.pauseMicroseconds = pauseMicroseconds
    }

    /// Starts the workers and returns at once. BERTH_E2E_LOAD_MODE picks how the workers connect:
    /// `keepalive-retry` (default), `keepalive-raw` (no retry: every stale keep-alive close counts as a
    /// connection error; a Caddy reload then costs up to one error per open connection) or `close`
    /// (a new connection per request).
    static func start(host: String, path: String = "/cgi-bin/version", concurrency: Int = 4, duration: Double = 60) -> E2ELoad {
        let mode = ProcessInfo.processInfo.environment["BERTH_E2E_LOAD_MODE"] ?? "keepalive-retry"
        let load = E2ELoad(host: host, path: path, concurrency: concurrency, duration: duration,
                           keepAlive: mode != "close", retryStale: mode == "keepalive-retry")
        load.start()
        return load
    }

    func start() {
        started = Stopwatch()
        for _ in 0..<concurrency {
            group.enter()
            let thread = Thread { [self] in
                worker()
                group.leave()
            }
            thread.start()
        }
    }

    var snapshot: Stats {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// Stops the workers and waits for them (each ends after at most one request timeout).
    func finish() async -> Stats {
        lock.withLock { stopping = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        return lock.withLock {
            stats.seconds = started.seconds
            return stats
        }
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func worker() {
        let deadline = Deadline(seconds: duration - started.seconds)
        let connection = E2EHTTPConnection()
        var sent = 0
        while !shouldStop && !deadline.passed && sent < maxRequestsPerWorker {
            sent += 1
            do {
                record(try connection.get(host: host, path: path, timeout: timeout, keepAlive: keepAlive))
            } catch let error as E2EConnectionError where error.staleKeepAlive && retryStale {
                recordStale(error)
                do {
                    record(try connection.get(host: host, path: path, timeout: timeout, keepAlive: keepAlive))
                } catch {
                    record(error)
                    usleep(20_000)
                }
            } catch {
                record(error)
                usleep(20_000)
            }
            if pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
        }
        connection.close()
        lock.lock()
        stats.connectionsOpened += connection.connectionsOpened
        lock.unlock()
    }

    private func record(_ response: E2EHTTPResponse) {
        lock.lock()
        defer { lock.unlock() }
        stats.requests += 1
        stats.statuses[response.status, default: 0] += 1
        if (200..<300).contains(response.status) {
            stats.ok += 1
            stats.bodies[String(response.body.split(separator: " ").first ?? "(empty)"), default: 0] += 1
            if let prefix = expectBodyPrefix, !response.body.hasPrefix(prefix) { stats.unexpectedBodies += 1 }
        } else {
            stats.non2xx += 1
            if response.status >= 500 { stats.serverErrors += 1 }
            if stats.errorSamples.count < 10 {
                stats.errorSamples.append("\(timestamp()) HTTP \(response.status) \(response.body.prefix(120))")
            }
        }
    }

    private func recordStale(_ error: E2EConnectionError) {
        lock.lock()
        defer { lock.unlock() }
        stats.staleKeepAliveCloses += 1
        if stats.errorSamples.count < 10 { stats.errorSamples.append("\(timestamp()) \(error), retried") }
    }

    private func record(_ error: any Error) {
        lock.lock()
        defer { lock.unlock() }
        stats.requests += 1
        stats.connectionErrors += 1
        if (error as? E2EConnectionError)?.staleKeepAlive == true { stats.staleKeepAliveCloses += 1 }
        if stats.errorSamples.count < 10 { stats.errorSamples.append("\(timestamp()) \(error)") }
    }

    private func timestamp() -> String { String(format: "+%.2fs", started.seconds) }
}

/// One request in its own thread (e.g. a slow request that must survive a switch).
final class E2EBackgroundRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<E2EHTTPResponse, any Error>?
    private let group = DispatchGroup()

    init(host: String, path: String, timeout: Double) {
        group.enter()
        let thread = Thread { [self] in
            let r = Result { try E2EHTTP.get(host, path, timeout: timeout) }
            lock.lock()
            result = r
            lock.unlock()
            group.leave()
        }
        thread.start()
    }

    func value() async -> Result<E2EHTTPResponse, any Error> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        return lock.withLock { result! }
    }
}
