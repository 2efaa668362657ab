import Foundation
import Glibc

/// A stub DNS client over UDP (one query, one answer; `berth dns check`). Each query has a fresh id
/// and is retried once; an answer with another id or question is ignored until the timeout.
public struct DNSClient: Sendable {
    /// `IPv4:PORT`, `[IPv6]:PORT`, or an address alone (port 53).
    public var server: String
    public var timeout: Duration = .seconds(2)
    public var attempts = 2

    public init(server: String) {
        self.server = server
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The server's answer to `name`/`type` (RD set, for a resolver; an authoritative server ignores it).
    public func query(_ name: String, _ type: DNSType) throws -> DNSMessage {
        let (family, address) = try Self.socketAddress(server)
        var lastError: any Error = Failure(message: "no answer from \(server) for \(name) \(type) within \(timeout)")
        for _ in 0..<max(1, attempts) {
            let id = UInt16.random(in: 0...UInt16.max)
            let question = try DNSMessage.query(id: id, name: name, type: type).encoded()
            do {
                return try exchange(question, id: id, name: name, type: type, family: family, address: address)
            } catch let error as Failure {
                lastError = error
            }
        }
        throw lastError
    }

    private func exchange(_ packet: [UInt8], id: UInt16, name: String, type: DNSType, family: Int32, address: [UInt8]) throws -> DNSMessage {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // Connected, so that an ICMP port-unreachable comes back as ECONNREFUSED instead of a timeout.
        let connected = address.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard connected == 0 else { throw Failure(message: "cannot reach \(server): \(String(cString: strerror(errno)))") }
        let sent = packet.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == packet.count else { throw Failure(message: "cannot send to \(server): \(String(cString: strerror(errno)))") }
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65535)
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            let millis = max(1, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, millis)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                // ECONNREFUSED: the ICMP port-unreachable of a port nobody listens on.
                throw Failure(message: "no DNS server answers on \(server) (\(String(cString: strerror(errno))))")
            }
            guard let answer = try? DNSMessage(decoding: Array(buffer[0..<count])), answer.isResponse, answer.id == id,
                  answer.questions.first.map({ $0.name == Self.normalized(name) && $0.type == type }) ?? true
            else { continue }
            return answer
        }
        throw Failure(message: "no answer from \(server) for \(name) \(type) within \(timeout)")
    }

    static func normalized(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The sockaddr bytes of `server` and its family.
    public static func socketAddress(_ server: String) throws -> (Int32, [UInt8]) {
        var host = server
        var port: UInt16 = 53
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let p = UInt16(rest.dropFirst()), p > 0 else { throw Failure(message: "'\(server)' has no valid port") }
                port = p
            }
        } else if server.filter({ $0 == ":" }).count == 1, let colon = server.firstIndex(of: ":") {
            host = String(server[..<colon])
            guard let p = UInt16(server[server.index(after: colon)...]), p > 0 else { throw Failure(message: "'\(server)' has no valid port (IP:PORT, such as 127.0.0.1:53)") }
            port = p
        }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            return (AF_INET, withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            return (AF_INET6, withUnsafeBytes(of: &v6) { Array($0) })
        }
        throw Failure(message: "'\(server)' is not a DNS server address (IP:PORT, such as 127.0.0.1:53, or [::1]:53)")
    }

    /// The first `nameserver` of /etc/resolv.conf (the system resolver), or nil.
    public static func systemResolver(resolvConf: String = "/etc/resolv.conf") -> String? {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver" {
                let address = String(words[1])
                return address.contains(":") ? "[\(address)]:53" : "\(address):53"
            }
        }
        return nil
    }
}
