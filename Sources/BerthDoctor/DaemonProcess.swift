import Foundation

/// The dockerd process behind a unix-socket endpoint, found in /proc (only when Berth runs on the Docker host).
public struct DaemonProcess: Sendable, Hashable {
    public var pid: Int32
    public var commandLine: DaemonCommandLine

    /// dockerd's default socket when neither `-H` nor the configuration file's `hosts` says otherwise.
    public static let defaultSocket = "/var/run/docker.sock"

    /// The dockerd listening on `socketPath`: a dockerd whose `-H` (or default socket) is that path.
    public static func find(socketPath: String, proc: String = "/proc") -> DaemonProcess? {
        let wanted = canonical(socketPath)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            guard let comm = try? String(contentsOfFile: "\(proc)/\(entry)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .whitespacesAndNewlines) == "dockerd",
                let raw = FileManager.default.contents(atPath: "\(proc)/\(entry)/cmdline")
            else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let line = DaemonCommandLine(arguments)
            if sockets(of: line).map(canonical).contains(wanted) { return DaemonProcess(pid: pid, commandLine: line) }
        }
        return nil
    }

    /// The unix sockets a dockerd listens on: its `-H` flags, else its configuration file's `hosts`, else the default.
    static func sockets(of line: DaemonCommandLine) -> [String] {
        var hosts = line.hosts
        if hosts.isEmpty, let file = try? DaemonConfigFile.load(line.configFile ?? "/etc/docker/daemon.json"), let list = file.hosts {
            hosts = list
        }
        if hosts.isEmpty { return [defaultSocket] }
        return hosts.compactMap { host in
            if host.hasPrefix("unix://") { return String(host.dropFirst("unix://".count)) }
            if host.hasPrefix("/") { return host }
            if host == "fd://" { return defaultSocket }
            return nil
        }
    }

    /// `/var/run` is a link to `/run` on most systems: compare resolved paths.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// Whether dockerd runs in another network namespace than this process (then its firewall is read there).
    public func ownNetworkNamespace(proc: String = "/proc") -> Bool {
        let mine = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/self/ns/net")
        let its = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/\(pid)/ns/net")
        return mine != nil && its != nil && mine != its
    }
}
