import BerthConfig
import BerthPlan
import BerthRuntime
import Foundation

/// Compose `build`: every image the plan needs is built before the rollout changes anything, so a
/// failed build leaves networks, volumes, containers and routes as they were.
extension ApplyEngine {
    struct BuildFailure: Sendable {
        var project: String
        var service: String
        var message: String
    }

    /// Builds the images of the services the plan creates or rolls out that have `build` and whose
    /// tag (`<project>-<service>:<digest>`) the engine does not have yet. Output lines are `.build` events.
    func buildImages(_ prepared: PreparedApply) async -> [BuildFailure] {
        var failures: [BuildFailure] = []
        for action in prepared.plan.actions {
            let service: ServiceSpec
            switch action {
            case .createService(let s): service = s
            case .rolloutService(let r): service = r.service
            default: continue
            }
            guard service.spec.build != nil, let project = prepared.desired.project(service.project) else { continue }
            if Task.isCancelled {
                failures.append(BuildFailure(project: service.project, service: service.name, message: "cancelled before its build"))
                break
            }
            let start = ContinuousClock.now
            let elapsed = { @Sendable () -> Double in (ContinuousClock.now - start).inSeconds }
            let events = self.events
            events(ApplyEvent(.step, phase: .building, project: service.project, service: service.name, message: "building \(service.spec.image)"))
            do {
                let built = try await runtime.buildImage(service, projectDirectory: project.directory) { line in
                    events(ApplyEvent(.build, project: service.project, service: service.name, message: line, elapsed: elapsed()))
                }
                events(ApplyEvent(.step, phase: .building, project: service.project, service: service.name,
                                  message: built ? "built \(service.spec.image)" : "image \(service.spec.image) is present, not built again",
                                  elapsed: elapsed()))
            } catch {
                let message = "the build of \(service.project)/\(service.name) failed: \(error)"
                events(ApplyEvent(.serviceFailed, project: service.project, service: service.name, message: message, elapsed: elapsed()))
                failures.append(BuildFailure(project: service.project, service: service.name, message: message))
            }
        }
        return failures
    }

    /// The report of an apply stopped by failed builds: nothing was deployed.
    func buildFailureReport(_ failures: [BuildFailure], plan: Plan, deployment: String) -> ApplyReport {
        let projects = plan.projects.map { name -> ApplyReport.ProjectResult in
            let own = failures.filter { $0.project == name }.map(\.message)
            if own.isEmpty {
                return .init(project: name, result: .skipped, messages: ["not deployed: a build failed, so this apply changed nothing"])
            }
            return .init(project: name, result: .failed, messages: own + ["nothing was changed"])
        }
        events(ApplyEvent(.finished, message: "apply finished with failures"))
        return ApplyReport(projects: projects, deployment: deployment, proxyReloads: 0, historyError: nil)
    }
}
