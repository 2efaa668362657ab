import BerthSystem
import Foundation
import Testing
import TestSupport

/// The result of a finished command: exit status (or the signal that ended it) and its output.
struct E2ECommandResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// True when the process was ended by a signal (`status` is then the signal number).
    var signaled: Bool
    var stdout: String
    var stderr: String
    var seconds: Double

    var output: String { stdout + stderr }
    var description: String {
        "exit \(signaled ? "signal \(status)" : "\(status)") after \(String(format: "%.1f", seconds))s\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
    }
}

/// A command started in the background with its output going to files (never a pipe that could
/// fill up), so that it can be waited for with a deadline or killed with SIGKILL.
final class E2EBackgroundCommand: Sendable {
    let process: ChildProcess
    let name: String
    private let outURL: URL
    private let errURL: URL
    private let started = Stopwatch()

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }

    init(executable: URL, arguments: [String], environment: [String: String] = [:]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-e2e-out-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        outURL = dir.appendingPathComponent("stdout")
        errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        name = ([executable.lastPathComponent] + arguments.prefix(2)).joined(separator: " ")
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process = try ChildProcess(executable.path, arguments, environment: env,
                                   stdout: .file(outURL.path), stderr: .file(errURL.path))
    }

    /// Sends SIGKILL (kill -9) to the process.
    func kill9() {
        process.send(SIGKILL)
    }

    /// Output written so far.
    var currentOutput: String {
        (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    }

    /// Error output written so far.
    var currentErrorOutput: String {
        (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    }

    /// 20 ms, also in a cancelled task (e.g. the clean-up after a test hit its time limit).
    private static func pause() async {
        if Task.isCancelled { usleep(20_000) } else { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Waits for the process to end; after `timeout` it is killed (and the result says so in stderr).
    func wait(timeout: Double = 180) async -> E2ECommandResult {
        let deadline = Deadline(seconds: timeout)
        var timedOut = false
        while process.isRunning {
            if deadline.passed {
                timedOut = true
                process.send(SIGKILL)
                break
            }
            await Self.pause()
        }
        // Reaped by its own thread; in a cancelled task this returns as soon as it has ended too.
        let termination = await process.wait()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        var stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        if timedOut { stderr += "\n[e2e] \(name) killed after the \(Int(timeout))s time limit" }
        try? FileManager.default.removeItem(at: outURL.deletingLastPathComponent())
        return E2ECommandResult(status: termination.status, signaled: termination.signaled,
                                stdout: stdout, stderr: stderr, seconds: started.seconds)
    }
}

enum E2ECommand {
    /// Runs a program found on PATH (through /usr/bin/env) and waits for it, at most `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 120) async -> E2ECommandResult {
        do {
            let command = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: arguments)
            return await command.wait(timeout: timeout)
        } catch {
            return E2ECommandResult(status: -1, signaled: false, stdout: "", stderr: "could not start \(arguments): \(error)", seconds: 0)
        }
    }

    @discardableResult
    static func docker(_ arguments: [String], timeout: Double = 60) async -> E2ECommandResult {
        await run(["docker"] + arguments, timeout: timeout)
    }

    /// Lines of a docker listing command (`docker ps -a --format ...`), empty lines dropped.
    static func dockerLines(_ arguments: [String]) async -> [String] {
        await docker(arguments).stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}

extension BerthBinary {
    /// Starts the built `berth` in the background (e.g. to kill it with -9 in the middle of a rollout).
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> E2EBackgroundCommand {
        try E2EBackgroundCommand(executable: url, arguments: arguments, environment: environment)
    }

    /// Runs the built `berth` and waits for it, at most `timeout` seconds.
    static func runAsync(_ arguments: [String], timeout: Double = 180) async throws -> E2ECommandResult {
        try await start(arguments).wait(timeout: timeout)
    }
}
