/// Checks of user-declared networks and `network_mode` that span files: fixed subnets against the
/// platform's pools, Docker's default bridge and every other network; names taken twice; the
/// `policy.host_network` gate; routes and internet access of services without Berth's networks.
extension RepositoryValidator {
    func validateNetworks() {
        let legacy = platform.network.legacyProxyNetworks
        var subnets: [(net: IPv4Network, owner: String, location: Location)] = []
        var names: [String: String] = [:]  // engine name → owner
        let projects = repository.enabledProjects
        for project in projects {
            for role in ["ingress", "internal", "egress", "published"] { names["\(project.name)_\(role)"] = "Berth's own network of project '\(project.name)'" }
        }
        for project in projects {
            let file = "projects/\(project.name)/compose.yml"
            let compose = project.compose
            let at = { (key: String) in compose.networkLocations[key] ?? Location(file: file) }
            if let d = compose.networks["default"], d.external, !NetworkPlan.mappedToIngress(project, legacy).contains("default") {
                sink.error(at("default"), "network 'default' is external ('\(d.engineName(project: project.name, key: "default"))'), but the default network is Berth's <project>_internal; declare the external network under another name and list it in the services' 'networks' (or add it to network.legacy_proxy_networks in platform.yml if it is an old shared proxy network)")
            }
            for network in NetworkPlan.userNetworks(of: project) {
                let key = network.key!
                let owner = "network '\(key)' of project '\(project.name)'"
                if let other = names[network.name] {
                    sink.error(at(key), "\(owner) is named '\(network.name)', which is already \(other); choose another 'name'")
                } else {
                    names[network.name] = owner
                }
                guard let text = network.compose?.subnet, let subnet = IPv4Network(parsing: text) else { continue }
                if let pool = platform.network.pools.first(where: { $0.overlaps(subnet) }) {
                    sink.error(at(key), "subnet \(subnet) of \(owner) overlaps the platform's address pool \(pool) (network.pools in platform.yml), from which Berth carves every project's networks; choose a subnet outside it")
                }
                if let reserved = NetworkConfig.reserved.first(where: { $0.overlaps(subnet) }) {
                    sink.error(at(key), "subnet \(subnet) of \(owner) overlaps \(reserved), which Docker uses for its default bridge; choose another subnet")
                }
                if let other = subnets.first(where: { $0.net.overlaps(subnet) }) {
                    sink.error(at(key), "subnet \(subnet) of \(owner) overlaps subnet \(other.net) of \(other.owner) (\(other.location)); give each network its own subnet")
                }
                subnets.append((subnet, owner, at(key)))
            }
            for name in compose.services.keys.sorted() {
                guard let service = compose.services[name], let mode = service.parsedNetworkMode else { continue }
                let location = compose.serviceNetworkLocations[name] ?? Location(file: file)
                if mode == .host {
                    let what = "service '\(name)' uses network_mode: host, which shares the host's network stack and bypasses the project's isolation"
                    switch platform.policy.hostNetwork {
                    case true?: break
                    case false?: sink.error(location, "\(what), which 'policy.host_network: false' in platform.yml forbids; set it to true to allow it, or remove network_mode")
                    case nil: sink.warning(location, "\(what); allowed because 'policy.host_network' is not set in platform.yml: set it to false to refuse such services, or to true to allow them without this warning")
                    }
                }
                if project.ingressServices.contains(name) {
                    let how = switch mode {
                    case .service(let target): "route service '\(target)', whose network it shares, at the port this service listens on"
                    case .host: "reach it on the host port it listens on"
                    default: "remove network_mode"
                    }
                    sink.error(location, "service '\(name)' has an ingress route in projects/\(project.name)/project.yml, but with network_mode: \(mode.text) it is on none of Berth's networks, so the proxy cannot reach it; \(how)")
                }
                if project.config.egress.internet.contains(name) {
                    sink.error(location, "service '\(name)' is listed under 'egress.internet', but with network_mode: \(mode.text) it joins no Berth network; remove it from 'egress.internet'\(mode == .noNetwork ? "" : " (its network comes from network_mode)")")
                }
            }
        }
    }
}
