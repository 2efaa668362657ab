import BerthSystem
import Foundation

/// In-flight requests to an old replica, read from the kernel: the replica's established TCP
/// connections on the port the proxy uses, looked at inside the replica's network namespace
/// (`nsenter -t PID -n ss -tni`). Traefik has no per-server in-flight counter, and it keeps idle
/// keep-alive connections to a server it no longer routes to (for its 90 s idle timeout), so an open
/// connection alone is not a request, nor is a spare connection the proxy dialled ahead and never
/// used (`bytes_received` absent). A connection carries one when the replica has unsent or unread
/// bytes, has sent nothing yet (a new connection's first request: `bytes_sent` absent), received data
/// more than `skew` ms after it last sent (a request on a reused connection it has not answered), or
/// sent data within the last `quietTime` ms (an answer still being streamed). Measured on Traefik 3.7
/// (idle keep-alive: lastsnd within 0–8 ms of lastrcv; in flight on a reused connection: lastrcv far
/// below lastsnd; first request: no bytes_sent).
public struct ConnectionWatch: Sendable {
    public var quietTime: Int = 50
    /// The kernel's timestamps tick in 4 ms steps: an idle connection's two times differ by up to 8 ms.
    public var skew: Int = 12

    public init() {}

    public struct Connection: Sendable, Hashable {
        public var recvQ: Int
        public var sendQ: Int
        public var peer: String
        /// Milliseconds since the replica last sent / received data (nil when ss did not say).
        public var lastSend: Int?
        public var lastReceive: Int?
        /// tcp_info bytes_sent / bytes_received (0 when ss leaves them out: nothing yet).
        public var bytesSent: Int = 0
        public var bytesReceived: Int = 0
    }

    /// Whether the watch can run here: Berth on the Docker host, as root, with nsenter and ss.
    public static func available(pid: Int32) -> Bool {
        pid > 0 && FileManager.default.isReadableFile(atPath: "/proc/\(pid)/ns/net") && tool("nsenter") != nil && tool("ss") != nil
    }

    static func tool(_ name: String) -> String? {
        for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// The connections of `pid`'s network namespace whose local port is `port`; nil when they cannot be read.
    public func connections(pid: Int32, port: Int) async -> [Connection]? {
        guard let nsenter = Self.tool("nsenter"), let ss = Self.tool("ss") else { return nil }
        let output = await Self.run(nsenter, ["-t", String(pid), "-n", ss, "-Htni", "state", "established", "( sport = :\(port) )"])
        return output.map(Self.parse)
    }

    /// How many of the connections carry a request.
    public func inFlight(_ connections: [Connection]) -> Int {
        connections.filter { c in
            if c.recvQ > 0 || c.sendQ > 0 { return true }
            // A connection the proxy opened but never sent a request on (Go dials ahead and keeps the
            // spare connection idle) carries nothing.
            if c.bytesReceived == 0 { return false }
            if c.bytesSent == 0 { return true }
            // ss leaves out a time that is 0 (data this very millisecond).
            let sent = c.lastSend ?? 0
            let received = c.lastReceive ?? 0
            return received + skew < sent || sent < quietTime
        }.count
    }

    /// `ss -Htni` output: a line per connection (`Recv-Q Send-Q local peer`), then its tcp_info line.
    static func parse(_ text: String) -> [Connection] {
        var result: [Connection] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if line.first?.isWhitespace == false, fields.count >= 4, let recv = Int(fields[0]), let send = Int(fields[1]) {
                result.append(Connection(recvQ: recv, sendQ: send, peer: String(fields[3]), lastSend: nil, lastReceive: nil))
            } else if !result.isEmpty {
                for field in fields {
                    if field.hasPrefix("lastsnd:") { result[result.count - 1].lastSend = Int(field.dropFirst(8)) }
                    if field.hasPrefix("lastrcv:") { result[result.count - 1].lastReceive = Int(field.dropFirst(8)) }
                    if field.hasPrefix("bytes_sent:") { result[result.count - 1].bytesSent = Int(field.dropFirst(11)) ?? 0 }
                    if field.hasPrefix("bytes_received:") { result[result.count - 1].bytesReceived = Int(field.dropFirst(15)) ?? 0 }
                }
            }
        }
        return result
    }

    static func run(_ executable: String, _ arguments: [String]) async -> String? {
        guard let result = try? await ChildProcess.run(executable, arguments), result.succeeded else { return nil }
        return result.stdoutText
    }
}
