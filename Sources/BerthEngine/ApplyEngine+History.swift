import BerthPlan
import Foundation

/// The deployment history an apply writes: one record per project and deployment.
extension ApplyEngine {
    /// Appends each project's result to its history; returns what could not be written.
    func record(_ ordered: [ApplyReport.ProjectResult], desired: DesiredState, deployment: String, started: Date) -> [String] {
        var historyErrors: [String] = []
        let store = store(desired.platform)
        for result in ordered {
            guard let project = desired.project(result.project) else { continue }
            let record = DeploymentStore.Record(
                id: deployment, project: project.name, startedAt: started, finishedAt: Date(),
                result: result.result, message: result.messages.last,
                services: project.services.map {
                    .init(name: $0.name, configHash: $0.configHash, spec: $0.spec, replicas: $0.replicas, strategy: $0.strategy)
                })
            do {
                try store.append(record)
            } catch {
                historyErrors.append("\(project.name): \(error)")
            }
        }
        return historyErrors
    }
}
