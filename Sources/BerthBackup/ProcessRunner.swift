import BerthSystem
import Foundation
import Glibc

/// Runs the programs a backup needs (restic, docker) with a bounded time, capturing their outputs in
/// files of a private scratch directory (an output can be large: `restic ls`, a `psql` result).
struct ProcessRunner: Sendable {
    var timeout: Duration
    var scratch: URL

    struct Result: Sendable {
        var termination: ChildProcess.Termination
        var stdout: Data
        var stderr: Data
        var timedOut: Bool
        /// Stopped early because its standard error reported a permanent failure (see `permanentErrors`).
        var aborted: Bool = false
        var succeeded: Bool { termination.succeeded && !timedOut && !aborted }
        var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, `environment` (the whole environment) and optional standard input.
    func run(_ executable: String, _ arguments: [String], environment: [String: String], input: Data? = nil,
             directory: String? = nil) async throws -> Result {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let base = scratch.appendingPathComponent("run-\(UUID().uuidString)").path
        defer { for suffix in [".out", ".err", ".in"] { unlink(base + suffix) } }
        var inputFD: Int32 = -1
        if let input {
            guard FileManager.default.createFile(atPath: base + ".in", contents: input, attributes: [.posixPermissions: 0o600]) else {
                throw BackupError(.backupRecordFailed, "cannot write \(base).in", hint: "check that the state directory is writable")
            }
            inputFD = open(base + ".in", O_RDONLY | O_CLOEXEC)
        }
        defer { if inputFD >= 0 { close(inputFD) } }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, environment: environment, directory: directory,
                                     stdin: inputFD >= 0 ? .fileDescriptor(inputFD) : .null,
                                     stdout: .file(base + ".out"), stderr: .file(base + ".err"))
        } catch {
            throw BackupError(.backupNotConfigured, "\(error.description)", hint: "install \(executable) (scripts/setup.sh installs restic and docker.io)")
        }
        let (termination, stop) = await Self.wait(child, timeout: timeout, watch: base + ".err")
        let out = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let err = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Result(termination: termination, stdout: out, stderr: err, timedOut: stop == .timeout, aborted: stop == .permanentError)
    }

    enum Stop: Sendable { case none, timeout, permanentError }

    /// Messages after which restic only retries for minutes what cannot succeed (a refused key, a denied
    /// write): the program is stopped at once instead.
    static let permanentErrors = ["access denied", "accessdenied", "signaturedoesnotmatch", "invalidaccesskeyid", "nosuchbucket"]

    static func reportsPermanentError(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return false }
        let text = String(decoding: data.suffix(65_536), as: UTF8.self).lowercased()
        return permanentErrors.contains { text.contains($0) }
    }

    /// Waits for `child`, stopping it (SIGTERM, then SIGKILL 5 s later) once `timeout` has passed, or
    /// as soon as the file `watch` (its standard error) reports a permanent error.
    static func wait(_ child: ChildProcess, timeout: Duration, watch: String? = nil) async -> (ChildProcess.Termination, Stop) {
        let stop: Stop = await withTaskGroup(of: Stop.self) { group in
            group.addTask { _ = await child.wait(); return .none }
            group.addTask {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                var reason = Stop.timeout
                while clock.now < deadline {
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { return .none }  // cancelled: the child ended
                    if let watch, reportsPermanentError(watch) { reason = .permanentError; break }
                }
                guard child.isRunning else { return .none }
                child.send(SIGTERM)
                try? await Task.sleep(for: .seconds(5))  // a cancelled sleep only shortens the grace period
                child.send(SIGKILL)
                return reason
            }
            var result = Stop.none
            if let first = await group.next(), first != .none { result = first }
            group.cancelAll()
            if let second = await group.next(), second != .none { result = second }
            return result
        }
        return (await child.wait(), stop)
    }
}
