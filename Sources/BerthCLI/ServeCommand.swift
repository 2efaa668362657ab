import ArgumentParser
import BerthConfig
import BerthServer
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: the HTTP API, bearer tokens and the deploy task queue.",
        discussion: """
            Deploys are queued tasks (POST /v1/deployments) that run the same engine as `berth apply`; their \
            progress streams as Server-Sent Events. State (tasks, events, tokens, audit log) is one SQLite file \
            under the state directory, or a PostgreSQL database (--database, BERTH_DATABASE_URL or api.database) \
            that several daemons share as one queue. Create tokens with `berth token create`. SIGTERM stops gracefully: no \
            new task starts, running tasks finish (up to --shutdown-grace), queued ones stay queued. \
            See docs/api.md for every route.

            Examples:
              berth serve -c ./platform
              berth serve -c ./platform --listen 127.0.0.1:8088 --state-dir /var/lib/berth
              BERTH_DATABASE_PASSWORD=… berth serve -c ./platform --database postgres://berth@db:5432/berth
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: DatabaseOptions

    @Option(name: .customLong("task-lease"), help: "With --database: how long a claimed task stays this daemon's without renewal (renewed every third of it).")
    var taskLease: TimeSpan = .seconds(30)

    @Option(help: "Address to listen on, HOST:PORT (port 0: any free port, printed at start).")
    var listen: String = "127.0.0.1:8088"

    @Option(help: "Tasks of different projects that run at once.")
    var parallel: Int = 2

    @Option(name: .customLong("task-timeout"), help: "A task still running after this ends failed (e.g. 30m).")
    var taskTimeout: TimeSpan = .seconds(1800)

    @Option(name: .customLong("shutdown-grace"), help: "On SIGTERM, how long running tasks may go on before they are interrupted.")
    var shutdownGrace: TimeSpan = .seconds(300)

    @Option(help: "Check the platform for drift this often (e.g. 5m) and re-apply it when it has drifted; off by default.")
    var reconcile: TimeSpan?

    func validate() throws {
        if let reconcile, reconcile.milliseconds < 1000 { throw ValidationError("--reconcile must be at least 1s") }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        if taskTimeout.milliseconds < 1000 { throw ValidationError("--task-timeout must be at least 1s") }
        _ = try address()
        if taskLease.milliseconds < 1000 { throw ValidationError("--task-lease must be at least 1s") }
    }

    func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port),
              colon != listen.startIndex else {
            throw ValidationError("--listen '\(listen)' must be HOST:PORT, e.g. 127.0.0.1:8088")
        }
        return (String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    func run() async throws {
        let (host, port) = try address()
        let repository = try options.load()  // a configuration error is an input error (exit 1), before anything starts
        var configuration = DaemonConfiguration(configDirectory: options.config, stateDirectory: engine.stateDirectory,
                                                host: host, port: port, dockerHost: engine.dockerHost)
        configuration.maxParallel = parallel
        configuration.taskTimeout = .milliseconds(taskTimeout.milliseconds)
        configuration.shutdownGrace = .milliseconds(shutdownGrace.milliseconds)
        configuration.reconcileInterval = reconcile.map { .milliseconds($0.milliseconds) }
        configuration.database = try store.resolve(repository.platform.api)
        configuration.lease = .milliseconds(taskLease.milliseconds)
        // The daemon handles SIGTERM/SIGINT itself (graceful shutdown); it runs in a task of its own so that
        // the command's cancellation on the first signal does not stop running deploys at once.
        let daemon = Task {
            try await Daemon.run(configuration) { port in
                // Written unbuffered: whoever started the daemon (a supervisor, a test) reads it at once.
                FileHandle.standardOutput.write(Data("berth serve: listening on http://\(host):\(port)\n".utf8))
            }
        }
        do {
            try await daemon.value
        } catch let error as ConfigError {
            throw error
        } catch {
            throw RuntimeFailure("\(error)")
        }
    }
}
