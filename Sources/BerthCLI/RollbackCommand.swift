import ArgumentParser
import BerthConfig
import BerthEngine
import BerthProxy
import BerthRuntime

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll a project (or one service) back to the previous deployment, without downtime.",
        discussion: """
            Berth keeps the last deployments of each project; rollback starts the previous spec's \
            replicas beside the current ones and switches the proxy exactly like a rollout.

            Examples:
              berth rollback blog
              berth rollback blog web -c ./platform
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions

    @Argument(help: "The project.")
    var project: String

    @Argument(help: "Only this service.")
    var service: String?

    @Flag(help: "Stream progress as JSON lines.")
    var json = false

    func run() async throws {
        let printer = ProgressPrinter(json: json, terminal: options.terminal)
        try await JSONOutput.reportingErrors(json: json, emit: { printer.emit(.error($0)) }) { try await rollback(printer) }
    }

    private func rollback(_ printer: ProgressPrinter) async throws {
        let repository = try options.load()
        try ProjectSelection.check([project], in: repository)
        let runtime = try await engine.runtime()
        let applyEngine = ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, events: printer.event, logger: try engine.logger())
        let report: ApplyReport
        do {
            report = try await applyEngine.withLock(repository.platform, wait: nil) {
                try await applyEngine.rollback(project, service: service, repository: repository)
            }
        } catch {
            throw engineFailure(error)
        }
        try printer.conclude(report)
    }
}
