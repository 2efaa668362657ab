import BerthSystem
import CBerthSystem
import Foundation
import Glibc

/// One psql session kept open inside the database's container: the backup exports its transaction's
/// snapshot (`pg_export_snapshot()`), counts the tables in it, and pg_dump dumps that same snapshot
/// (`--snapshot`), so the recorded row counts are exactly the dump's, whatever writes happen meanwhile.
/// Each request ends with a marker query; the session ends (COMMIT) with `finish`.
final class PsqlSession: Sendable {
    private let child: ChildProcess
    private let input: Int32
    private let output: Int32
    private let stderrPath: String
    static let marker = "__berth_end_of_answer__"

    init(docker: DockerCLI, container: String, user: String, database: String, scratch: URL) throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stderrPath = scratch.appendingPathComponent("psql-\(UUID().uuidString).err").path
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0]
        guard berth_pipe_cloexec(&stdinPipe) == 0 else { throw BackupError(.backupDockerFailed, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard berth_pipe_cloexec(&stdoutPipe) == 0 else {
            close(stdinPipe[0]); close(stdinPipe[1])
            throw BackupError(.backupDockerFailed, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        signal(SIGPIPE, SIG_IGN)
        do {
            child = try ChildProcess("docker", ["exec", "-i", container, "psql", "-X", "-q", "-A", "-t", "-F", "\t", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1"],
                                     environment: docker.environment, stdin: .fileDescriptor(stdinPipe[0]), stdout: .fileDescriptor(stdoutPipe[1]),
                                     stderr: .file(stderrPath))
        } catch {
            for fd in stdinPipe + stdoutPipe { close(fd) }
            throw BackupError(.backupNotConfigured, "\(error)", hint: "install the docker CLI")
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        input = stdinPipe[1]
        output = stdoutPipe[0]
    }

    deinit {
        close(input)
        close(output)
        child.send(SIGKILL)
        unlink(stderrPath)
    }

    /// Sends `sql` and returns the rows it printed (tab-separated fields).
    func rows(_ sql: String, step: String, timeout: Duration) async throws -> [[String]] {
        let request = sql + "\nSELECT '\(Self.marker)';\n"
        let (input, output, marker) = (self.input, self.output, Self.marker)
        let watchdog = Task { [child] in
            try await Task.sleep(for: timeout)
            child.send(SIGKILL)
        }
        defer { watchdog.cancel() }
        let lines: [String]? = await withCheckedContinuation { continuation in
            Thread {
                var bytes = Array(request.utf8)
                var offset = 0
                while offset < bytes.count {
                    let n = bytes.withUnsafeMutableBytes { write(input, $0.baseAddress! + offset, $0.count - offset) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { continuation.resume(returning: nil); return }
                    offset += n
                }
                bytes = []
                var text = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { continuation.resume(returning: nil); return }
                    text.append(contentsOf: buffer[0..<n])
                    if text.count >= marker.count + 1, String(decoding: text.suffix(marker.count + 1), as: UTF8.self) == marker + "\n" {
                        let all = String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
                        continuation.resume(returning: Array(all.dropLast()))
                        return
                    }
                }
            }.start()
        }
        guard let lines else {
            _ = await child.wait()
            let stderr = String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self)
            throw BackupError(.dumpFailed, "\(step): psql ended: \(Restic.lastLines(stderr))", hint: "check that the database is up and the user may read it")
        }
        return lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Ends the transaction and the session (psql quits; a session that is gone already is fine:
    /// its transaction ended with it, and a read-only transaction has nothing to lose).
    func finish() async {
        let commit = Array("COMMIT;\n\\q\n".utf8)
        _ = commit.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
        _ = await ProcessRunner.wait(child, timeout: .seconds(30))
    }
}
