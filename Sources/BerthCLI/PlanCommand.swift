import ArgumentParser
import BerthConfig
import BerthPlan

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would create (+), roll out (~) and remove (-).",
        discussion: """
            Secret values are never shown; environment values appear as (sensitive).
            The actual state is read from the Docker engine by `berth apply`; `plan` compares \
            against an empty engine.

            Examples:
              berth plan -c ./platform
              berth plan --project blog --json
              berth plan --detailed-exitcode   # exit 2 when there are changes
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @Option(name: .customLong("project"), help: "Only this project (repeatable).")
    var projects: [String] = []

    @Flag(help: "Roll out services even when their configuration is unchanged.")
    var force = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has changes, 0 when it has none.")
    var detailedExitCode = false

    func run() throws {
        let repository = try options.load()
        try ProjectSelection.check(projects, in: repository)
        let desired = try options.desiredState(repository)
        let plan = Planner(options: .init(force: force, projects: projects.isEmpty ? nil : Set(projects)))
            .plan(desired: desired, actual: .empty)
        if json {
            print(PlanFormatter.json(plan).json(), terminator: "")
        } else {
            print(PlanFormatter(terminal: options.terminal).text(plan), terminator: "")
        }
        if detailedExitCode && plan.hasChanges { throw BerthExit(.changesPending) }
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
