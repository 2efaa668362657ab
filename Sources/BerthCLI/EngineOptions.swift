import ArgumentParser
import BerthConfig
import BerthDocker
import BerthEngine
import BerthProxy
import BerthRuntime
import Foundation
import Logging

/// Options of the commands that talk to a Docker engine.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("docker-host"), help: "Docker engine address (unix:///path or tcp://host:port); default DOCKER_HOST, then /var/run/docker.sock.")
    var dockerHost: String?

    @Option(name: .customLong("state-dir"), help: "Where Berth keeps deployment history and the proxy's files (default BERTH_STATE_DIR or /var/lib/berth).")
    var stateDir: String?

    @Flag(help: "Log the engine's steps to standard error, with project/service/deployment metadata (level info; BERTH_LOG_LEVEL sets another).")
    var verbose = false

    /// The engine's logger: silent unless --verbose or BERTH_LOG_LEVEL (trace, debug, info, notice,
    /// warning, error, critical) asks for log lines on standard error.
    func logger(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger {
        let level = environment["BERTH_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 }
        guard verbose || level != nil else { return ApplyEngine.silentLogger }
        var logger = Logger(label: "berth") { StreamLogHandler.standardError(label: $0) }
        if let level {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ValidationError("BERTH_LOG_LEVEL=\(level) is not a log level: use one of "
                    + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            logger.logLevel = parsed
        } else {
            logger.logLevel = Logger.Level.info
        }
        return logger
    }

    /// A BERTH_LOG_LEVEL that is no level is refused before anything runs.
    func validate() throws { _ = try logger() }

    var stateDirectory: URL {
        URL(fileURLWithPath: stateDir ?? ProcessInfo.processInfo.environment["BERTH_STATE_DIR"] ?? "/var/lib/berth")
    }

    /// Connects to Docker; an unreachable engine is a runtime failure with what to do.
    func runtime() async throws -> DockerRuntime {
        do {
            return try await DockerRuntime.connect(host: dockerHost)
        } catch {
            throw engineFailure(error)
        }
    }
}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension PullPolicy: ExpressibleByArgument {}
