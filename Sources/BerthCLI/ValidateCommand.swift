import ArgumentParser
import BerthConfig
import BerthRender

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the configuration repository strictly and report every problem.",
        discussion: """
            Every problem is printed as path:line:col: message. Nothing is changed.

            Examples:
              berth validate -c ./platform
              berth validate --json
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let repository: Repository
        do {
            repository = try options.load()
            _ = try options.desiredState(repository)
        } catch let error as ConfigError {
            if json {
                print(Self.report(valid: false, problems: error.diagnostics).json(), terminator: "")
                throw BerthExit(.invalidInput)
            }
            throw error
        }
        if json {
            print(Self.report(valid: true, problems: [], repository: repository).json(), terminator: "")
            return
        }
        let enabled = repository.enabledProjects
        let services = enabled.reduce(0) { $0 + $1.compose.services.count }
        let routes = enabled.reduce(0) { $0 + $1.config.ingress.count }
        let disabled = repository.projects.count - enabled.count
        print(options.terminal.paint("✓", .green)
            + " \(options.config): valid — \(enabled.count) project\(enabled.count == 1 ? "" : "s"), \(services) services, \(routes) routes"
            + (disabled > 0 ? " (\(disabled) disabled)" : ""))
        // validate is offline: external networks are checked by apply, before it changes anything.
        for project in enabled {
            for (key, name) in NetworkPlan.externalNetworks(project, repository.platform.network.legacyProxyNetworks) {
                let location = project.compose.networkLocations[key].map { "\($0): " } ?? ""
                print("note: \(location)external network '\(name)' of project '\(project.name)' must exist on the Docker host; berth apply checks it before changing anything")
            }
        }
    }

    private static func diagnostic(_ d: Diagnostic) -> Document {
        .object([
            ("file", .string(d.location.file)), ("line", .int(d.location.line)),
            ("column", .int(d.location.column)), ("message", .string(d.message)),
        ])
    }

    static func report(valid: Bool, problems: [Diagnostic], repository: Repository? = nil) -> Document {
        .object([
            "valid": .bool(valid),
            "projects": repository.map { .strings($0.enabledProjects.map(\.name)) },
            "problems": .array(problems.map(diagnostic)),
            "warnings": .array((repository?.warnings ?? []).map(diagnostic)),
        ])
    }
}
