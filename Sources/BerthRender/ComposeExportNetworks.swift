import BerthConfig
import BerthPlan

/// A project's networks in the export (miuOps' model): `ingress`, `internal`, `egress` and the link
/// networks it provides, each with its engine name and subnet; link networks of other projects it
/// consumes are `external` (their provider creates them, so providers are brought up first).
struct ComposeExportNetworks {
    let project: ProjectState
    /// Engine network name → key in the file.
    private(set) var keys: [String: String] = [:]
    /// Networks of other projects this project's services join, in first-use order, with their owner.
    private(set) var external: [(name: String, owner: String)] = []

    /// - Parameter owners: engine network name → the project that creates it.
    init(project: ProjectState, owners: [String: String]) {
        self.project = project
        let prefix = "\(project.name)_"
        for network in project.networks {
            keys[network.name] = network.name.hasPrefix(prefix) ? String(network.name.dropFirst(prefix.count)) : network.name
        }
        for service in project.services {
            for attachment in attachments(of: service) where keys[attachment.network] == nil {
                keys[attachment.network] = attachment.network
                external.append((attachment.network, owners[attachment.network] ?? "another project"))
            }
        }
    }

    /// The networks a service joins, as its containers join them. A service scaled to zero has no
    /// containers to read them from; it gets the ingress network when routed and the internal one.
    func attachments(of service: ServiceSpec) -> [NetworkAttachment] {
        if let first = service.replicas.first { return first.networks }
        guard service.spec.networkMode == nil else { return [] }
        var result: [NetworkAttachment] = []
        if !service.ingressPorts.isEmpty { result.append(NetworkAttachment(network: "\(project.name)_ingress", aliases: [])) }
        result.append(NetworkAttachment(network: "\(project.name)_internal", aliases: [service.name]))
        return result
    }

    func key(_ network: String) -> String { keys[network] ?? network }

    /// A service's `networks:` mapping: key → aliases.
    func serviceDocument(_ attachments: [NetworkAttachment]) -> Document? {
        if attachments.isEmpty { return nil }  // network_mode: Compose refuses it with networks
        return .object(attachments.map { attachment in
            var body: [(String, Document)] = []
            if !attachment.aliases.isEmpty { body.append(("aliases", .strings(attachment.aliases))) }
            if let ip = attachment.ipv4Address { body.append(("ipv4_address", .string(ip))) }
            return (key(attachment.network), .object(body))
        })
    }

    /// The top-level `networks:` mapping.
    var document: Document {
        var pairs: [(String, Document)] = project.networks.map { network in
            var body: [(String, Document)] = [("name", .string(network.name)), ("driver", .string("bridge"))]
            if network.isInternal { body.append(("internal", .bool(true))) }
            if network.role == .user {
                if !network.options.isEmpty { body.append(("driver_opts", .sorted(network.options))) }
                if let attachable = network.attachable { body.append(("attachable", .bool(attachable))) }
                let labels = network.labels.filter { !$0.key.hasPrefix("berth.") && !$0.key.hasPrefix("com.docker.compose.") }
                if !labels.isEmpty { body.append(("labels", .sorted(labels))) }
            }
            body.append(("ipam", ipam(network)))
            return (key(network.name), .object(body))
        }
        // Compose rejects anything but the name on an external network; its provider's export sets the subnet.
        for (name, _) in external {
            pairs.append((key(name), .object([("name", .string(name)), ("external", .bool(true))])))
        }
        return .object(pairs)
    }

    private func ipam(_ network: NetworkSpec) -> Document {
        var config: [(String, Document)] = [("subnet", .string(network.subnet)), ("gateway", .string(network.gateway))]
        if let range = network.ipRange { config.append(("ip_range", .string(range))) }
        if !network.auxAddresses.isEmpty { config.append(("aux_addresses", .sorted(network.auxAddresses))) }
        return .object([("config", .array([.object(config)]))])
    }
}
