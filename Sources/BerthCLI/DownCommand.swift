import ArgumentParser
import BerthConfig
import BerthEngine
import BerthProxy
import BerthRuntime

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Tear a project down: its routes, containers and networks (volumes only with --volumes).",
        discussion: """
            Examples:
              berth down blog -c ./platform
              berth down blog --volumes
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions

    @Argument(help: "The project to tear down.")
    var project: String

    @Flag(help: "Also remove the project's volumes (their data is deleted).")
    var volumes = false

    @Option(name: .customLong("wait-lock"), help: "Wait this long for another apply to finish.")
    var waitLock: TimeSpan?

    func run() async throws {
        let repository = try options.load()
        let runtime = try await engine.runtime()
        let printer = ProgressPrinter(json: false, terminal: options.terminal)
        let applyEngine = ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, events: printer.event, logger: try engine.logger())
        let report: ApplyReport
        do {
            report = try await applyEngine.withLock(repository.platform, wait: waitLock) {
                try await applyEngine.down(project, repository: repository, volumes: volumes)
            }
        } catch {
            throw engineFailure(error)
        }
        if report.projects.isEmpty { print("Nothing of project '\(project)' runs on this Docker host.") }
        try printer.conclude(report)
    }
}
