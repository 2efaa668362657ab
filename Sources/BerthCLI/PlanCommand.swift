import ArgumentParser
import BerthConfig
import BerthEngine
import BerthPlan
import BerthRender

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would create (+), roll out (~) and remove (-).",
        discussion: """
            Secret values are never shown; environment values appear as (sensitive).
            Without --live, `plan` compares against an empty engine (offline); with --live it reads the \
            Docker engine and the proxy as `berth apply` does (route changes included) and changes nothing.

            Examples:
              berth plan -c ./platform
              berth plan --live --detailed-exitcode   # exit 2 when apply would change something
              berth plan --project blog --json
              berth plan --detailed-exitcode   # exit 2 when there are changes
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions

    @Flag(help: "Plan against the live Docker engine and proxy (as apply does), changing nothing.")
    var live = false

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @Option(name: .customLong("project"), help: "Only this project (repeatable).")
    var projects: [String] = []

    @Flag(help: "Roll out services even when their configuration is unchanged.")
    var force = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has changes, 0 when it has none.")
    var detailedExitCode = false

    func run() async throws {
        try await JSONOutput.reportingErrors(json: json) { try await plan() }
    }

    private func plan() async throws {
        let repository = try options.load()
        try ProjectSelection.check(projects, in: repository)
        let plan: Plan
        var proxyChange: String?
        var dnsChange: String?
        if live {
            var applyOptions = ApplyOptions()
            applyOptions.force = force
            applyOptions.projects = projects.isEmpty ? nil : Set(projects)
            let runtime = try await engine.runtime()
            do {
                let prepared = try await ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, logger: try engine.logger())
                    .prepare(repository, options: applyOptions)
                plan = prepared.plan
                proxyChange = prepared.proxyChange
                dnsChange = prepared.dnsChange
            } catch {
                throw engineFailure(error)
            }
        } else {
            let desired = try options.desiredState(repository)
            plan = Planner(options: .init(force: force, projects: projects.isEmpty ? nil : Set(projects)))
                .plan(desired: desired, actual: .empty)
        }
        if json {
            var report = PlanReport(plan, proxyChange: proxyChange)
            report.dnsChange = dnsChange
            print(JSONOutput.encode(report, pretty: true), terminator: "")
        } else {
            if let proxyChange { print(options.terminal.paint("+", .green) + " \(proxyChange)") }
            if let dnsChange { print(options.terminal.paint("~", .yellow) + " \(dnsChange)") }
            if !((proxyChange != nil || dnsChange != nil) && !plan.hasChanges) {
                print(PlanFormatter(terminal: options.terminal).text(plan), terminator: "")
            }
        }
        if detailedExitCode && (plan.hasChanges || proxyChange != nil || dnsChange != nil) { throw BerthExit(.changesPending) }
    }
}

enum ProjectSelection {
    /// Unknown `--project` names are input errors, with a suggestion.
    static func check(_ names: [String], in repository: Repository) throws {
        let known = repository.projects.map(\.name)
        let problems = names.filter { !known.contains($0) }.map {
            Diagnostic(Location(file: "--project"), "no project named '\($0)' in projects/\(Suggestion.hint(for: $0, in: known))")
        }
        if !problems.isEmpty { throw ConfigError(problems) }
    }
}
