import CBerthSystem
import Glibc
import Foundation
import Synchronization

/// A program started with `posix_spawn`, for everything Berth and its tests run (sops, age-keygen,
/// iptables, nsenter, docker…). Foundation's `Process` is not used: on Linux its `run()` over-reads
/// `/proc/self/fd` entries and crashes now and then in a process with many open descriptors
/// (swift-corelibs-foundation #5472, in Swift 6.3.1).
///
/// The child gets only its three standard descriptors (every other one is closed in it), default
/// signal dispositions and an empty signal mask, whatever the parent set up. One thread per child
/// waits for it to end and reaps it, so `wait` never blocks Swift's cooperative threads.
public final class ChildProcess: Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// The parent's own standard input.
        case inherit
        /// A descriptor the caller owns (it stays open in the parent).
        case fileDescriptor(Int32)
    }

    /// Where one of the child's outputs goes.
    public enum Output: Sendable {
        case null
        case inherit
        /// A file, created or truncated (appended to with `append: true`).
        case file(String, append: Bool = false)
        /// A descriptor the caller owns (it stays open in the parent).
        case fileDescriptor(Int32)
    }

    /// How the child ended.
    public struct Termination: Sendable, Hashable, CustomStringConvertible {
        /// The exit status, or the signal's number when `signaled`.
        public var status: Int32
        public var signaled: Bool

        public init(status: Int32, signaled: Bool) {
            self.status = status
            self.signaled = signaled
        }

        public var succeeded: Bool { !signaled && status == 0 }
        public var description: String { signaled ? "killed by signal \(status)" : "exit status \(status)" }
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var executable: String
        public var errno: Int32
        public var description: String { "cannot run \(executable): \(String(cString: strerror(errno)))" }
    }

    public let pid: pid_t
    public let executable: String
    private let state = Mutex(State())

    private struct State {
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
        var blocked: [DispatchSemaphore] = []
    }

    /// Starts `executable` (a path; without a slash it is looked up on the parent's `PATH`).
    /// - Parameters:
    ///   - environment: the child's whole environment; nil passes the parent's on.
    ///   - directory: the child's working directory; nil keeps the parent's.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        stdin: Input = .null, stdout: Output = .null, stderr: Output = .null
    ) throws(LaunchError) {
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch stdin {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .inherit: break
        case .fileDescriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 0)
        }
        for (target, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            case .file(let path, let append):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
            case .fileDescriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        if let directory { berth_spawn_addchdir(&actions, directory) }
        berth_spawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            env.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attributes, argv, env)
            : posix_spawnp(&child, executable, &actions, &attributes, argv, env)
        guard result == 0 else { throw LaunchError(executable: executable, errno: result) }
        pid = child
        let thread = Thread { [self] in reap() }
        thread.name = "berth-wait-\(child)"
        thread.start()
    }

    /// Blocks its own thread until the child ends (waitid without reaping), then, holding the state's
    /// lock, reaps it and records how it ended: `send` never signals a reaped (maybe reused) pid.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let (waiters, blocked, termination) = state.withLock { state in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, 0) } while reaped == -1 && errno == EINTR
            // ECHILD (someone else reaped it) reads as exit 127.
            let termination = reaped == pid ? Self.termination(status) : Termination(status: 127, signaled: false)
            state.termination = termination
            defer { state.waiters = []; state.blocked = [] }
            return (state.waiters, state.blocked, termination)
        }
        waiters.forEach { $0.resume(returning: termination) }
        blocked.forEach { $0.signal() }
    }

    private static func termination(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        if signal == 0 { return Termination(status: (status >> 8) & 0xff, signaled: false) }
        return Termination(status: signal, signaled: true)
    }

    /// How the child ended; nil while it runs.
    public var termination: Termination? { state.withLock { $0.termination } }
    public var isRunning: Bool { termination == nil }

    /// Waits for the child to end.
    public func wait() async -> Termination {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Termination? in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Waits for the child to end, blocking the calling thread (for synchronous callers only).
    public func waitBlocking() -> Termination {
        let semaphore = DispatchSemaphore(value: 0)
        if let done = state.withLock({ state -> Termination? in
            if state.termination == nil { state.blocked.append(semaphore) }
            return state.termination
        }) {
            return done
        }
        semaphore.wait()
        return termination!
    }

    /// Sends `signal` unless the child has already been reaped (its pid may belong to another process then).
    public func send(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { _ = kill(pid, signal) }
        }
    }
}
