import BerthSystem
import Foundation
import TestSupport

/// A second, real dockerd for `berth doctor`'s end-to-end tests, with the settings the test gives it. It
/// runs in a network namespace of its own (`unshare --net`): its bridges, its iptables chains (DOCKER-USER
/// included) and the ports it publishes exist only there, so nothing of the main daemon or the host's
/// firewall is touched. Inside, a veth pair `ext0`/`ext0p` with the default route stands for the external
/// interface. Its socket, data, exec root and pid file live in a directory of its own under /tmp.
final class DoctorDaemon: @unchecked Sendable {
    let dir: URL
    var socket: String { dir.appendingPathComponent("docker.sock").path }
    var host: String { "unix://\(socket)" }
    var configFile: String { dir.appendingPathComponent("daemon.json").path }
    private(set) var pid: Int32 = 0
    private var launcher: ChildProcess?

    /// Starts dockerd with `config` as its daemon.json and waits (at most 60 s) until it answers.
    init(name: String, config: String) async throws {
        // A short path: unix socket paths are limited to 108 bytes.
        dir = URL(fileURLWithPath: "/tmp/bd-\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try config.write(toFile: configFile, atomically: true, encoding: .utf8)
        let d = dir.path
        let script = """
            set -e
            ip link set lo up
            ip link add ext0 type veth peer name ext0p
            ip link set ext0 up; ip link set ext0p up
            ip addr add 192.0.2.200/24 dev ext0
            ip route add default via 192.0.2.1 dev ext0
            exec dockerd --config-file \(configFile) -H \(host) --data-root \(d)/data --exec-root \(d)/exec \
              --pidfile \(d)/docker.pid >\(d)/dockerd.log 2>&1
            """
        let process = try ChildProcess("/usr/bin/unshare", ["--net", "--fork", "--kill-child", "sh", "-c", script])
        launcher = process
        let deadline = Deadline(seconds: 60)
        while !deadline.passed {
            if let text = try? String(contentsOfFile: "\(d)/docker.pid", encoding: .utf8), let p = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                await docker(["version", "--format", "{{.Server.Version}}"]).status == 0
            {
                pid = p
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let log = (try? String(contentsOfFile: "\(d)/dockerd.log", encoding: .utf8)) ?? ""
        await stop()
        throw E2EFailure("the test's dockerd did not start:\n\(log.suffix(2000))")
    }

    /// `docker -H <this daemon> …`.
    @discardableResult
    func docker(_ arguments: [String], timeout: Double = 60) async -> E2ECommandResult {
        await E2ECommand.run(["docker", "-H", host] + arguments, timeout: timeout)
    }

    /// Runs a command in the daemon's network namespace (iptables there).
    @discardableResult
    func inNamespace(_ arguments: [String]) async -> E2ECommandResult {
        await E2ECommand.run(["nsenter", "-t", String(pid), "-n"] + arguments)
    }

    /// Imports a busybox image (`sleep`, `sh`) as `reference`, with Dockerfile-style `changes` (`USER 1000`).
    func importBusybox(_ reference: String, changes: [String] = []) async throws {
        let root = dir.appendingPathComponent("rootfs")
        try? FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent("bin/busybox").path) {
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: root.appendingPathComponent("bin/busybox").path)
            for tool in ["sh", "sleep"] {
                try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("bin/\(tool)").path, withDestinationPath: "busybox")
            }
        }
        let flags = changes.map { "-c '\($0)'" }.joined(separator: " ")
        let result = await E2ECommand.run(["sh", "-c", "tar -C \(root.path) -c . | docker -H \(host) import \(flags) - \(reference)"])
        guard result.status == 0 else { throw E2EFailure("importing \(reference) failed: \(result)") }
    }

    /// Removes every container of this daemon (with live-restore they would outlive it), stops it with
    /// SIGTERM (its own containerd with it), waits for it to exit and removes its directory.
    func stop() async {
        if pid > 0 {
            let ids = await docker(["ps", "-aq"]).stdout.split(separator: "\n").map(String.init)
            if !ids.isEmpty { await docker(["rm", "-f", "-v"] + ids) }
            kill(pid, SIGTERM)
            let deadline = Deadline(seconds: 30)
            while kill(pid, 0) == 0, !deadline.passed { try? await Task.sleep(for: .milliseconds(100)) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        if let launcher {
            launcher.send(SIGTERM)
            _ = await launcher.wait()
        }
        // The data root holds overlay mounts until dockerd is gone; what cannot be removed yet is left in /tmp.
        _ = await E2ECommand.run(["sh", "-c", "grep -o ' \(dir.path)[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"])
        try? FileManager.default.removeItem(at: dir)
    }
}
