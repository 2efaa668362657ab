import CBerthSystem
import Glibc
import Foundation

extension ChildProcess {
    /// What a program printed and how it ended.
    public struct Captured: Sendable {
        public var termination: Termination
        public var stdout: Data
        public var stderr: Data

        public var status: Int32 { termination.status }
        public var succeeded: Bool { termination.succeeded }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs a program to its end with `input` on its standard input, collecting both outputs (read
    /// together, so neither pipe can fill up and stall it). `mergeOutput` sends standard error into
    /// `stdout`, interleaved as the program wrote them. Blocks the calling thread: from async code
    /// use `run`.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Data? = nil, mergeOutput: Bool = false
    ) throws(LaunchError) -> Captured {
        let out = try pipe(executable), err = mergeOutput ? nil : try pipe(executable)
        let inPipe = input == nil ? nil : try pipe(executable)
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable, arguments, environment: environment, directory: directory,
                stdin: inPipe.map { .fileDescriptor($0.read) } ?? .null,
                stdout: .fileDescriptor(out.write), stderr: .fileDescriptor((err ?? out).write))
        } catch {
            for fd in [out.read, out.write, err?.read, err?.write, inPipe?.read, inPipe?.write].compactMap({ $0 }) { close(fd) }
            throw error
        }
        close(out.write)
        if let err { close(err.write) }
        if let inPipe, let input {
            close(inPipe.read)
            // Written from another thread: a program that prints before it has read everything
            // cannot stall the writer.
            let fd = inPipe.write
            Thread {
                input.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { break }
                        offset += n
                    }
                }
                close(fd)
            }.start()
        }
        let (stdout, stderr) = readToEnd(out.read, err?.read)
        return Captured(termination: child.waitBlocking(), stdout: stdout, stderr: stderr)
    }

    /// `runBlocking` on a thread of its own, so that no cooperative thread waits on the program.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Data? = nil, mergeOutput: Bool = false
    ) async throws(LaunchError) -> Captured {
        let result: Result<Captured, LaunchError> = await withCheckedContinuation { continuation in
            Thread {
                do throws(LaunchError) {
                    continuation.resume(returning: .success(try runBlocking(
                        executable, arguments, environment: environment, directory: directory, input: input, mergeOutput: mergeOutput)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        return try result.get()
    }

    private static func pipe(_ executable: String) throws(LaunchError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard berth_pipe_cloexec(&fds) == 0 else { throw LaunchError(executable: executable, errno: errno) }
        return (fds[0], fds[1])
    }

    /// Reads one or two descriptors until both are at their end (poll), then closes them.
    private static func readToEnd(_ first: Int32, _ second: Int32?) -> (Data, Data) {
        var data = [Data(), Data()]
        var open = [first, second ?? -1]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while open.contains(where: { $0 >= 0 }) {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    data[i].append(contentsOf: buffer[0..<n])
                } else if n == 0 || errno != EINTR {
                    close(fds[i].fd)
                    open[i] = -1
                }
            }
        }
        for fd in open where fd >= 0 { close(fd) }
        return (data[0], data[1])
    }
}
