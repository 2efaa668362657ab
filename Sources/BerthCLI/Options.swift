import ArgumentParser
import BerthConfig
import BerthPlan
import Foundation

/// Options every command that reads a configuration repository takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: [.short, .customLong("config")], help: "The configuration repository (platform.yml and projects/).")
    var config: String = "."

    @Flag(name: .customLong("no-color"), help: "Plain output without ANSI colours (also when NO_COLOR is set or output is not a terminal).")
    var noColor = false

    var terminal: Terminal { Terminal(color: !noColor) }

    /// Loads and validates the repository; throws `ConfigError` with every problem found.
    /// Warnings go to standard error (`--json` output on standard output stays one document).
    func load() throws -> Repository {
        let repository = try RepositoryLoader().load(config)
        for warning in repository.warnings {
            FileHandle.standardError.write(Data((terminal.paint("warning:", .yellow) + " \(warning)\n").utf8))
        }
        return repository
    }

    func desiredState(_ repository: Repository, actual: ActualState = .empty) throws -> DesiredState {
        do {
            return try DesiredStateBuilder(repository: repository, existingSubnets: actual.subnets).build()
        } catch let error as SubnetAllocator.Exhausted {
            throw ConfigError([Diagnostic(repository.platform.network.location, error.description)])
        }
    }
}
