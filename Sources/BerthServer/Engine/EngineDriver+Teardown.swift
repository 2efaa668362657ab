import BerthConfig
import BerthEngine
import Foundation

extension EngineDriver {
    /// A teardown task: each of its projects loses its routes, containers and networks, as `berth down`
    /// does (volumes are kept). Queued when a project is removed from the repository (DELETE
    /// /v1/projects/{name}, or a pull that removed it); a project still in the repository is refused.
    func teardown(_ task: DeployTask, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> DeployResult {
        let repository: Repository
        do { repository = try self.repository() } catch {
            return DeployResult(succeeded: false, message: "the configuration is invalid; nothing was done:\n\(error)", projects: [])
        }
        let projects = task.projects ?? []
        if let kept = projects.first(where: { repository.project($0) != nil }) {
            return DeployResult(succeeded: false, message: "project \(kept) is still in the repository; remove projects/\(kept) first (DELETE /v1/projects/\(kept))", projects: [])
        }
        let runtime = try await runtime()
        let counter = ProgressCounter()
        let engine = ApplyEngine(runtime: runtime, stateDirectory: stateDirectory) { event in
            guard let update = Self.progress(event, counter: counter) else { return }
            progress(update)
        }
        let outcomes = try await engine.withLock(repository.platform, wait: lockWait) { () -> [ProjectOutcome] in
            var outcomes: [ProjectOutcome] = []
            for project in projects {
                try Task.checkCancellation()
                let report = try await engine.down(project, repository: repository, volumes: false)
                if report.projects.isEmpty {
                    outcomes.append(ProjectOutcome(project: project, result: "succeeded", messages: ["nothing of \(project) ran on this Docker host"]))
                }
                outcomes += report.projects.map { ProjectOutcome(project: $0.project, result: $0.result.rawValue, messages: $0.messages) }
            }
            return outcomes
        }
        let failed = outcomes.filter { $0.result != "succeeded" }.map(\.project)
        return DeployResult(succeeded: failed.isEmpty,
                            message: failed.isEmpty ? "torn down: \(projects.joined(separator: ", "))" : "teardown failed for \(failed.joined(separator: ", "))",
                            projects: outcomes)
    }
}
