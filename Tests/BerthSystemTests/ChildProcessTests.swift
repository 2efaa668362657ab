import BerthSystem
import Foundation
import Glibc
import Testing

@Suite("ChildProcess: programs started with posix_spawn")
struct ChildProcessTests {
    @Test("exit status, standard output and error are collected apart")
    func collectsBothOutputs() async throws {
        let result = try await ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.termination == .init(status: 3, signaled: false))
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err\n")
    }

    @Test("large outputs on both pipes and a large input do not stall")
    func largeOutputsDoNotStall() async throws {
        let input = Data(repeating: UInt8(ascii: "x"), count: 3_000_000)
        // cat echoes the input on stdout while 2 MB go to stderr: a one-pipe-at-a-time reader would block.
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", "head -c 2000000 /dev/zero >&2; cat"], input: input)
        #expect(result.succeeded)
        #expect(result.stdout == input)
        #expect(result.stderr.count == 2_000_000)
    }

    @Test("merged output keeps both streams; PATH lookup; environment and directory")
    func mergedOutputEnvironmentAndDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-child-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try ChildProcess.runBlocking(
            "sh", ["-c", "echo $GREETING; pwd >&2"], environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"],
            directory: dir.path, mergeOutput: true)
        #expect(result.succeeded)
        #expect(result.stdoutText.split(separator: "\n").map(String.init) == ["hello", dir.resolvingSymlinksInPath().path])
        #expect(result.stderr.isEmpty)
    }

    @Test("a program that cannot be started is a LaunchError naming it")
    func missingProgram() {
        #expect(throws: ChildProcess.LaunchError.self) {
            _ = try ChildProcess.runBlocking("/nonexistent/program", [])
        }
        do {
            _ = try ChildProcess.runBlocking("/nonexistent/program", [])
        } catch {
            #expect(error.description.contains("/nonexistent/program"))
        }
    }

    @Test("a killed child reports its signal; send after the end is harmless")
    func signals() async throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        child.send(SIGKILL)
        let termination = await child.wait()
        #expect(termination == .init(status: SIGKILL, signaled: true))
        #expect(!child.isRunning)
        child.send(SIGKILL)
        #expect(child.waitBlocking() == termination)
    }

    @Test("output to files, appended or truncated")
    func outputToFiles() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-child-\(UUID().uuidString.prefix(8))").path
        defer { unlink(path) }
        _ = await (try ChildProcess("/bin/echo", ["one"], stdout: .file(path))).wait()
        _ = await (try ChildProcess("/bin/sh", ["-c", "echo two >&2"], stderr: .file(path, append: true))).wait()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\n")
        _ = await (try ChildProcess("/bin/echo", ["three"], stdout: .file(path))).wait()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "three\n")
    }

    @Test("the child inherits no descriptor but 0, 1 and 2, and no ignored signal")
    func cleanChild() throws {
        // A descriptor open without close-on-exec in the parent…
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let result = try ChildProcess.runBlocking("/bin/sh", ["-c", "ls /proc/self/fd; grep SigIgn /proc/self/status"])
        #expect(result.succeeded)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        // ls's own listing holds 0, 1, 2 and the directory it reads (3).
        #expect(!lines.contains(String(fd)) || fd == 3)
        #expect(lines.filter { Int($0) != nil }.count <= 4)
        let ignored = lines.first { $0.hasPrefix("SigIgn:") }?.split(separator: "\t").last.map(String.init)
        #expect(ignored.flatMap { UInt64($0, radix: 16) }.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) } == 0)
    }

    @Test("hundreds of programs at once in a process with 2,000 open descriptors")
    func manyDescriptorsManyChildren() async throws {
        // Foundation's Process crashed on Linux in a process with many descriptors (#5472).
        let fds = (0..<2_000).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { fds.forEach { close($0) } }
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<200 {
                group.addTask { try await ChildProcess.run("/bin/echo", ["\(i)"]).stdoutText }
            }
            var seen = Set<String>()
            for try await line in group { seen.insert(line) }
            #expect(seen.count == 200)
        }
    }
}
