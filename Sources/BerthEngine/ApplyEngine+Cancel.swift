import BerthConfig
import BerthPlan
import Foundation

/// A cancelled apply: it stops at the next safe point and is recorded as `cancelled`.
extension ApplyEngine {
    /// The report of an apply cancelled before any project's rollout began (during its builds, while
    /// creating networks, before the proxy): every project of the plan is `cancelled`, in the history too.
    func cancelledReport(_ plan: Plan, prepared: PreparedApply, deployment: String, started: Date, before step: String) -> ApplyReport {
        let message = "cancelled before \(step); no service was changed"
        let projects = plan.projects.map { name -> ApplyReport.ProjectResult in
            events(ApplyEvent(.projectCancelled, project: name, message: message))
            return .init(project: name, result: .cancelled, messages: [message], errors: [ErrorReport(ApplyError.cancelled())])
        }
        let historyErrors = record(projects, desired: prepared.desired, deployment: deployment, started: started)
        events(ApplyEvent(.finished, message: "apply cancelled"))
        return ApplyReport(projects: projects, deployment: deployment, proxyReloads: 0,
                           historyError: historyErrors.isEmpty ? nil
                               : "the deployment history could not be written: " + historyErrors.joined(separator: "; "))
    }
}

/// Runs `body` to its end even when the calling task is cancelled: clean-up (removing replicas that
/// never took traffic, switching routes back, retiring replicas after a switch, releasing the lock)
/// must not stop half way. The body runs in a task of its own, which the caller's cancellation does
/// not reach; the caller still waits for it.
func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await body() }.value
}

func shielded<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    await Task { await body() }.value
}
