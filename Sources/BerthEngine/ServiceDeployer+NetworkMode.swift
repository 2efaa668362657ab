import BerthConfig
import BerthPlan
import BerthRuntime

/// Compose `network_mode: service:x`: the desired state names x's replica by its hash
/// (`container:<p>-x-<hash8>-1`), so that the dependant's hash follows x. The container to join is
/// the running replica of x with that hash, whatever its name (a forced or repaired rollout of x
/// gives the new replica a suffixed name).
extension ServiceDeployer {
    func sharedNetworkMode(_ service: ServiceSpec) async throws -> String? {
        guard let mode = service.spec.networkMode,
              let target = service.dependsOn.first(where: { mode.hasPrefix("container:\(service.project)-\($0)-") })
        else { return nil }
        let hash8 = mode.dropFirst("container:\(service.project)-\(target)-".count).prefix(8)
        let replicas = try await runtime.managedContainers().filter {
            $0.role == nil && $0.actual.project == service.project && $0.actual.service == target && $0.actual.running
        }
        guard let replica = replicas.first(where: { $0.actual.configHash.hasPrefix(hash8) }) else {
            throw Failed(service: service.name, reason: "service '\(target)', whose network '\(service.name)' shares (network_mode: service:\(target)), has no running replica of its current version", rolledBack: true)
        }
        return "container:\(replica.actual.id)"
    }
}
