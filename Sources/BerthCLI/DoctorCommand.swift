import ArgumentParser
import BerthConfig
import BerthDocker
import BerthDoctor
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Audit the Docker host, its daemon's settings and the repository's services.",
        discussion: """
            Every check prints pass, warn or fail with a one-line why and the fix. Exit code 1 when any \
            check fails (warnings alone exit 0). Nothing is changed. The services are checked when the \
            configuration directory has a platform.yml. Checks and the JSON schema: docs/doctor.md.

            Examples:
              berth doctor -c ./platform
              berth doctor --json
              berth doctor --docker-host unix:///run/docker.sock --daemon-config /etc/docker/daemon.json
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("docker-host"), help: "Docker engine address (unix:///path or tcp://host:port); default DOCKER_HOST, then /var/run/docker.sock.")
    var dockerHost: String?

    @Option(name: .customLong("daemon-config"), help: "The daemon's configuration file (default: dockerd's --config-file, else /etc/docker/daemon.json).")
    var daemonConfig: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "List the passing service checks too (host and daemon checks are always listed).")
    var verbose = false

    func validate() throws {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: options.config, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw ValidationError("-c \(options.config): no such directory; give the configuration repository (the directory with platform.yml)")
        }
        if let daemonConfig, !FileManager.default.fileExists(atPath: daemonConfig) {
            throw ValidationError("--daemon-config \(daemonConfig): no such file; give the path of the daemon's daemon.json")
        }
    }

    func run() async throws {
        let endpoint: DockerEndpoint
        do {
            endpoint = try DockerEndpoint.resolve(explicit: dockerHost)
        } catch {
            throw ValidationError("\(error)")
        }
        let platformFile = URL(fileURLWithPath: options.config).appendingPathComponent("platform.yml")
        let repository = FileManager.default.fileExists(atPath: platformFile.path) ? try options.load() : nil
        let report = await Doctor(endpoint: endpoint, daemonConfigPath: daemonConfig).run(repository: repository)
        if json {
            print(report.document().json(), terminator: "")
        } else {
            DoctorPrinter(terminal: options.terminal, verbose: verbose).print(report, config: options.config)
        }
        if report.failed { throw BerthExit(.invalidInput) }
    }
}
