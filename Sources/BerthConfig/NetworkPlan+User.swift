/// User-declared networks (Compose top-level `networks`) in the network plan.
extension NetworkPlan {
    /// The project's own Compose networks: every top-level network but `default` (Berth's
    /// `<p>_internal`) and external ones (created outside Berth), sorted by key.
    public static func userNetworks(of project: Project) -> [Network] {
        project.compose.networks.keys.sorted().compactMap { key in
            let n = project.compose.networks[key]!
            guard key != "default", !n.external else { return nil }
            var network = Network(name: n.engineName(project: project.name, key: key), project: project.name, role: .user)
            network.key = key
            network.compose = n
            return network
        }
    }

    /// Keys of external networks (the `default` key included) that are one of the old shared proxy
    /// networks, which Berth maps onto the project's `<p>_ingress`.
    public static func mappedToIngress(_ project: Project, _ legacyProxyNetworks: [String]) -> [String] {
        project.compose.networks.keys.sorted().filter { key in
            let n = project.compose.networks[key]!
            return n.external && legacyProxyNetworks.contains(n.engineName(project: project.name, key: key))
        }
    }

    /// External networks that are not mapped: key → engine name. They must exist when Berth applies.
    public static func externalNetworks(_ project: Project, _ legacyProxyNetworks: [String]) -> [(key: String, name: String)] {
        let mapped = Set(mappedToIngress(project, legacyProxyNetworks))
        return project.compose.networks.keys.sorted().compactMap { key in
            let n = project.compose.networks[key]!
            guard n.external, !mapped.contains(key) else { return nil }
            return (key, n.engineName(project: project.name, key: key))
        }
    }
}
