import ArgumentParser
import BerthConfig
import BerthEngine
import Foundation
import Synchronization

/// The `berth` command. The executable only calls `Berth.main()`.
public struct Berth: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Run a self-hosted platform of Docker apps behind one reverse proxy, described in one git repository.",
        discussion: """
            Exit codes: 0 success, 1 invalid input (configuration or arguments), \
            2 changes pending (plan --detailed-exitcode), 3 runtime failure, \
            130 cancelled (SIGINT/SIGTERM: apply stopped at a safe point and cleaned up).

            Start with:
              berth init my-platform
              berth validate -c my-platform
              berth plan -c my-platform
              berth render -c my-platform --out out
            """,
        version: BerthVersion.current,
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, RenderCommand.self, ApplyCommand.self, StatusCommand.self,
            RollbackCommand.self, LogsCommand.self, DownCommand.self, ImportCommand.self,
            SecretsCommand.self,
            DoctorCommand.self,
            CertsCommand.self,
            ServeCommand.self,
            TokenCommand.self,
            TasksCommand.self,
            BackupCommand.self,
            DNSCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line and exits with Berth's exit codes; user errors never print a stack trace.
    public static func run(arguments: [String]? = nil) async -> Never {
        do {
            // `berth --server URL --token T apply`: client-mode options before the subcommand move after it.
            var command = try parseAsRoot(ServerOptions.hoist(arguments ?? Array(CommandLine.arguments.dropFirst())))
            if let async = command as? AsyncParsableCommand {
                // SIGINT/SIGTERM cancel the command: it stops at its next safe point and releases what it
                // holds (the deploy lock); a second signal exits at once.
                let task = Task {
                    var c = async
                    try await c.run()
                }
                let handlers = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
                    signal(sig, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                    let count = Mutex(0)
                    source.setEventHandler {
                        let n = count.withLock { $0 += 1; return $0 }
                        if n > 1 { Foundation.exit(130) }
                        Terminal.standardError("berth: interrupted; stopping at the next safe point (again to exit at once)")
                        task.cancel()
                    }
                    source.resume()
                    return source
                }
                defer { handlers.forEach { $0.cancel() } }
                try await task.value
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as ConfigError {
            Terminal.standardError(error.description)
            Foundation.exit(ExitStatus.invalidInput.rawValue)
        } catch let error as BerthExit {
            Foundation.exit(error.status.rawValue)
        } catch let error as RuntimeFailure {
            Terminal.standardError("error: \(error.message)")
            Foundation.exit(error.code == .cancelled ? ExitStatus.cancelled.rawValue : ExitStatus.failure.rawValue)
        } catch let error as any BerthError {
            Terminal.standardError("error: \(error.description)")
            Foundation.exit(ExitStatus.of(error).rawValue)
        } catch is CancellationError {
            Terminal.standardError("error: \(ApplyError.cancelled().description)")
            Foundation.exit(ExitStatus.cancelled.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Terminal.standardError(fullMessage(for: error))
            Foundation.exit(code == .validationFailure ? ExitStatus.invalidInput.rawValue : ExitStatus.failure.rawValue)
        }
    }
}

public enum BerthVersion {
    public static let current = "0.1.0"
}

/// Berth's documented exit codes.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case invalidInput = 1
    case changesPending = 2
    case failure = 3
    /// Cancelled (SIGINT/SIGTERM, as shells report a SIGINT): apply stopped at a safe point and cleaned up.
    case cancelled = 130

    /// The exit status of a Berth error: 1 for the config domain, 130 for `cancelled`, 3 otherwise.
    public static func of(_ error: any BerthError) -> ExitStatus {
        error.code == .cancelled ? .cancelled : error.domain == .config ? .invalidInput : .failure
    }
}

/// Ends a command with a given status after it has printed what it had to say.
public struct BerthExit: Error {
    public var status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}

/// A failure at run time (not the user's input): printed as `error: message`, exit code 3.
public struct RuntimeFailure: BerthError {
    public var message: String
    public var code: ErrorCode
    public init(_ message: String, code: ErrorCode = .failed) {
        self.message = message
        self.code = code
    }
    public var description: String { message }
    public var domain: ErrorDomain { .apply }
    public var cause: String { message }
    public var hint: String? { nil }
}
