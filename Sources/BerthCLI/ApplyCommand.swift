import ArgumentParser
import BerthConfig
import BerthEngine
import BerthProxy
import BerthRuntime
import BerthPlan
import BerthRender
import Foundation

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the Docker host match the repository, with zero-downtime rollouts.",
        discussion: """
            Plans (as `berth plan`, against the engine's real state), shows the plan, asks for \
            confirmation on a terminal (without one it needs --yes), and executes it: new replicas \
            start beside the old, become ready, the proxy switches to them, the old drain and stop. \
            New replicas that never become ready are removed and the old keep serving (exit 3).

            Examples:
              berth apply -c ./platform --yes
              berth apply --project blog --force --yes
              berth apply --json --yes | jq .
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("project"), help: "Only this project (repeatable).")
    var projects: [String] = []

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Flag(help: "Roll out services even when their configuration is unchanged.")
    var force = false

    @Flag(help: "Stream progress as JSON lines.")
    var json = false

    @Flag(name: .customLong("prune-volumes"), help: "Also remove volumes of removed projects and volumes.")
    var pruneVolumes = false

    @Option(help: "Projects rolled out at once.")
    var parallel: Int = 4

    @Option(help: "Image pull policy: missing, always or never.")
    var pull: PullPolicy = .missing

    @Option(name: .customLong("wait-lock"), help: "Wait this long (e.g. 5m) for another apply to finish instead of failing at once.")
    var waitLock: TimeSpan?

    func validate() throws {
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        if let client = try server.client() {
            if pruneVolumes { throw ValidationError("--prune-volumes is not available with --server (the daemon never prunes volumes)") }
            return try await ClientFailures.mapped {
                try await ClientApply(client: client, projects: projects, force: force, json: json, yes: yes, terminal: options.terminal).run()
            }
        }
        let output = ProgressPrinter(json: json, terminal: options.terminal)
        try await JSONOutput.reportingErrors(json: json, emit: { output.emit(.error($0)) }) {
            try await applyChanges(output)
        }
    }

    private func applyChanges(_ output: ProgressPrinter) async throws {
        let repository = try options.load()
        try ProjectSelection.check(projects, in: repository)
        let runtime = try await engine.runtime()
        let applyEngine = ApplyEngine(runtime: runtime, stateDirectory: engine.stateDirectory, events: output.event,
                                      logger: try engine.logger())
        var applyOptions = ApplyOptions()
        applyOptions.force = force
        applyOptions.projects = projects.isEmpty ? nil : Set(projects)
        applyOptions.pruneVolumes = pruneVolumes
        applyOptions.parallelism = parallel
        applyOptions.pullPolicy = pull
        applyOptions.waitLock = waitLock

        let report: ApplyReport?
        apply: do {
            if yes {
                // A no-op apply takes no lock: plan first, lock (and plan again) only for changes.
                let first = try await applyEngine.prepare(repository, options: applyOptions)
                guard first.hasChanges else {
                    show(first, output: output)
                    report = nil
                    break apply
                }
                report = try await applyEngine.withLock(repository.platform, wait: waitLock) { () -> ApplyReport? in
                    let prepared = try await applyEngine.prepare(repository, options: applyOptions)
                    show(prepared, output: output)
                    return prepared.hasChanges ? try await applyEngine.execute(prepared, options: applyOptions) : nil
                }
            } else {
                // Plan and ask without the lock (a prompt must not keep other applies waiting); then,
                // holding it, plan again and go on only if the engine still calls for the approved plan.
                let shown = try await applyEngine.prepare(repository, options: applyOptions)
                show(shown, output: output)
                guard shown.hasChanges else { return }
                guard try confirm() else {
                    print("Nothing changed.")
                    return
                }
                report = try await applyEngine.withLock(repository.platform, wait: waitLock) {
                    let prepared = try await applyEngine.prepare(repository, options: applyOptions)
                    guard PlanReport(prepared) == PlanReport(shown) else {
                        throw ApplyError(.platformChanged, cause: "the platform changed while the plan was shown (another apply ran?); nothing was done",
                                         hint: "run berth apply again")
                    }
                    return try await applyEngine.execute(prepared, options: applyOptions)
                }
            }
        } catch {
            throw engineFailure(error)
        }
        guard let report else {
            if json { output.emit(.unchanged) }
            return
        }
        try output.conclude(report)
    }

    private func show(_ prepared: PreparedApply, output: ProgressPrinter) {
        if json {
            output.emit(.planned(PlanReport(prepared)))
        } else {
            if let change = prepared.proxyChange { print(options.terminal.paint("+", .green) + " \(change)") }
            if let change = prepared.dnsChange { print(options.terminal.paint("~", .yellow) + " \(change)") }
            if !((prepared.proxyChange != nil || prepared.dnsChange != nil) && !prepared.plan.hasChanges) {
                print(PlanFormatter(terminal: options.terminal).text(prepared.plan), terminator: "")
            }
        }
    }

    /// true to go on. On a terminal asks; anything but y/yes declines (exit 0, nothing changed).
    private func confirm() throws -> Bool {
        if yes { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("apply changes the platform: pass --yes to confirm when not on a terminal")
        }
        print("Apply these changes? [y/N] ", terminator: "")
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { return false }
        return true
    }
}
