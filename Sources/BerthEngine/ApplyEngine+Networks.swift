import BerthConfig
import BerthPlan
import BerthRuntime

/// What only the engine can check about networks, before anything changes: external networks and
/// `container:` targets exist, fixed subnets are free, and a user network's settings did not change.
extension ApplyEngine {
    func checkNetworks(_ desired: DesiredState, actual: ActualState) async throws {
        var problems: [String] = []
        let userNetworks = desired.networks.filter { $0.role == .user }
        let engineNetworks = userNetworks.isEmpty ? [] : try await runtime.allNetworks()
        for project in desired.projects {
            for name in project.externalNetworks {
                guard try await runtime.networkLabels(name) == nil else { continue }
                problems.append("project '\(project.name)' joins the external network '\(name)', which does not exist on this Docker host; create it (docker network create \(name)) or remove 'external' so that Berth creates the network")
            }
            for service in project.services {
                guard case .container(let name)? = service.spec.parsedNetworkMode else { continue }
                // network_mode service:x became container:<x's replica>, which this apply creates.
                if project.services.contains(where: { name.hasPrefix("\(project.name)-\($0.name)-") }) { continue }
                let exists = try await runtime.containerExists(name)
                if !exists {
                    problems.append("service '\(service.name)' of project '\(project.name)' shares the network of container '\(name)' (network_mode: container:\(name)), which does not exist; start it first or change network_mode")
                }
            }
        }
        for network in userNetworks {
            if let existing = actual.networks.first(where: { $0.name == network.name }) {
                let wanted = network.labels[DesiredStateBuilder.networkSettingsLabel]
                if existing.settings != wanted {
                    problems.append("network \(network.name) of project '\(network.project)' exists with other settings (subnet \(existing.subnet ?? "none")) than compose.yml gives it (subnet \(network.subnet)); a network cannot change while containers use it: run berth down \(network.project) and apply again, or restore its settings")
                }
                continue
            }
            guard let subnet = IPv4Network(parsing: network.subnet) else { continue }
            for other in engineNetworks where other.name != network.name {
                if let clash = other.subnets.compactMap(IPv4Network.init(parsing:)).first(where: { $0.overlaps(subnet) }) {
                    problems.append("subnet \(subnet) of network \(network.name) (project '\(network.project)') overlaps subnet \(clash) of the existing network '\(other.name)'\(other.managed ? "" : ", which Berth does not manage"); choose another subnet in compose.yml, or remove that network")
                }
            }
        }
        if !problems.isEmpty { throw PrepareError(message: problems.joined(separator: "\n") + "\nnothing was changed.") }
    }
}
