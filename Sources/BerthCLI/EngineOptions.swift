import ArgumentParser
import BerthConfig
import BerthDocker
import BerthEngine
import BerthProxy
import BerthRuntime
import Foundation

/// Options of the commands that talk to a Docker engine.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("docker-host"), help: "Docker engine address (unix:///path or tcp://host:port); default DOCKER_HOST, then /var/run/docker.sock.")
    var dockerHost: String?

    @Option(name: .customLong("state-dir"), help: "Where Berth keeps deployment history and the proxy's files (default BERTH_STATE_DIR or /var/lib/berth).")
    var stateDir: String?

    var stateDirectory: URL {
        URL(fileURLWithPath: stateDir ?? ProcessInfo.processInfo.environment["BERTH_STATE_DIR"] ?? "/var/lib/berth")
    }

    /// Connects to Docker; an unreachable engine is a runtime failure with what to do.
    func runtime() async throws -> DockerRuntime {
        do {
            return try await DockerRuntime.connect(host: dockerHost)
        } catch {
            throw RuntimeFailure("\(error)")
        }
    }
}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension PullPolicy: ExpressibleByArgument {}
