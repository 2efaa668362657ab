import BerthSystem
import CBerthSystem
import Crypto
import Foundation
import Glibc

/// `producer | consumer` with Berth in the middle: every byte passes through a relay thread that
/// counts and hashes it (SHA-256), so that the stream can be compared with what restic later gives
/// back. Both ends' exit statuses are returned: a producer that fails midway is never hidden by a
/// consumer that stored the truncated stream as a success.
struct StreamPipe: Sendable {
    struct Command: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
    }

    struct Result: Sendable {
        var producer: ChildProcess.Termination
        var consumer: ChildProcess.Termination
        var producerStderr: String
        var consumerStdout: Data
        var consumerStderr: String
        var bytes: Int64
        /// SHA-256 of the stream; empty when a `tar` digester read it instead (its files are hashed one by one).
        var sha256: String
        /// With `tree: true`: the digest of the tree the stream holds as a tar archive, or why it has none.
        var tree: Swift.Result<TreeDigest, BackupError>?
        var timedOut: Bool
        /// The consumer was stopped because it reported a permanent error.
        var consumerAborted: Bool = false
    }

    var timeout: Duration
    var scratch: URL

    /// `consumer` nil: the stream is only counted and hashed (a read-back). `tree`: the stream is a tar
    /// archive (a volume snapshot read back) whose `TreeDigest` is computed instead of a stream hash.
    func run(_ producer: Command, _ consumer: Command?, tree: Bool = false) async throws -> Result {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let base = scratch.appendingPathComponent("pipe-\(UUID().uuidString)").path
        defer { for suffix in [".perr", ".cout", ".cerr"] { unlink(base + suffix) } }
        var a: [Int32] = [0, 0], b: [Int32] = [0, 0]
        guard berth_pipe_cloexec(&a) == 0 else { throw BackupError(.backupDockerFailed, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard berth_pipe_cloexec(&b) == 0 else {
            close(a[0]); close(a[1])
            throw BackupError(.backupDockerFailed, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        // A consumer that ends early must turn into an EPIPE for the relay, not a SIGPIPE for Berth.
        signal(SIGPIPE, SIG_IGN)
        let consumerProcess: ChildProcess?, producerProcess: ChildProcess
        do {
            consumerProcess = try consumer.map { consumer in
                try ChildProcess(consumer.executable, consumer.arguments, environment: consumer.environment,
                                 stdin: .fileDescriptor(b[0]), stdout: .file(base + ".cout"), stderr: .file(base + ".cerr"))
            }
        } catch {
            for fd in a + b { close(fd) }
            throw BackupError(.backupNotConfigured, "\(error)", hint: "install \(consumer?.executable ?? "")")
        }
        close(b[0])
        do {
            producerProcess = try ChildProcess(producer.executable, producer.arguments, environment: producer.environment,
                                               stdin: .null, stdout: .fileDescriptor(a[1]), stderr: .file(base + ".perr"))
        } catch {
            close(a[0]); close(a[1]); close(b[1])
            _ = await consumerProcess?.wait()
            throw BackupError(.backupNotConfigured, error.description, hint: "install \(producer.executable)")
        }
        close(a[1])
        if consumerProcess == nil {
            // Nothing reads b: the relay writes to /dev/null instead.
            close(b[1])
            b[1] = open("/dev/null", O_WRONLY | O_CLOEXEC)
        }
        let relay = Relay(from: a[0], to: b[1], tree: tree)
        // The waits run (and enforce the timeout) while the relay copies.
        async let producerEnd = ProcessRunner.wait(producerProcess, timeout: timeout)
        async let consumerEnd = Self.wait(consumerProcess, timeout: timeout, watch: base + ".cerr")
        let relayDone: (Int64, String, Swift.Result<TreeDigest, BackupError>?) = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: relay.run()) }.start()
        }
        let (p, c) = await (producerEnd, consumerEnd)
        func text(_ suffix: String) -> String {
            String(decoding: FileManager.default.contents(atPath: base + suffix) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Result(producer: p.0, consumer: c.0, producerStderr: text(".perr"),
                      consumerStdout: FileManager.default.contents(atPath: base + ".cout") ?? Data(),
                      consumerStderr: text(".cerr"), bytes: relayDone.0, sha256: relayDone.1, tree: relayDone.2,
                      timedOut: p.1 == .timeout || c.1 == .timeout, consumerAborted: c.1 == .permanentError)
    }

    private static func wait(_ child: ChildProcess?, timeout: Duration, watch: String) async -> (ChildProcess.Termination, ProcessRunner.Stop) {
        guard let child else { return (ChildProcess.Termination(status: 0, signaled: false), .none) }
        return await ProcessRunner.wait(child, timeout: timeout, watch: watch)
    }

    /// Copies `from` to `to` until the end of `from`, hashing; closes both. A write error (the consumer
    /// is gone) stops the copy and closes `from`, so that the producer fails too.
    private struct Relay: Sendable {
        let from: Int32
        let to: Int32
        let tree: Bool

        func run() -> (Int64, String, Swift.Result<TreeDigest, BackupError>?) {
            var tar = tree ? TarTreeDigest() : nil
            var hasher = SHA256()
            var total: Int64 = 0
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            outer: while true {
                let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                buffer.withUnsafeBytes {
                    let chunk = UnsafeRawBufferPointer(rebasing: $0[0..<n])
                    if tar == nil { hasher.update(bufferPointer: chunk) } else { tar?.consume(chunk) }
                }
                total += Int64(n)
                var offset = 0
                while offset < n {
                    let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + offset, n - offset) }
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break outer }
                    offset += w
                }
            }
            close(from)
            close(to)
            let digest = tar.map { tar in Swift.Result { () throws(BackupError) in try tar.finish() } }
            return (total, tar == nil ? hasher.finalize().map { String(format: "%02x", $0) }.joined() : "", digest)
        }
    }
}
