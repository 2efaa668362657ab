import BerthConfig
import Crypto
import Foundation

/// How services join networks: Berth's own (`<p>_ingress`, `_internal`, `_egress`, `_published`, link
/// networks) and the ones compose.yml declares, with their aliases, fixed addresses and `links`.
extension DesiredStateBuilder {
    /// The label that records a user network's settings, so that a changed setting is noticed.
    public static let networkSettingsLabel = "berth.network.settings"

    static func fixedSubnets(_ models: [NetworkPlan.Network]) -> [String: IPv4Network] {
        var result: [String: IPv4Network] = [:]
        for model in models {
            if let text = model.compose?.subnet, let subnet = IPv4Network(parsing: text) { result[model.name] = subnet }
        }
        return result
    }

    /// A user network's Compose settings on its spec. Every user network is `internal`: internet
    /// access comes only from `<p>_egress` (`egress.internet` in project.yml).
    static func applyUserSettings(_ compose: ComposeNetwork, key: String, to spec: inout NetworkSpec) {
        spec.isInternal = true
        spec.options = compose.driverOpts
        spec.labels = compose.labels.merging(spec.labels) { _, berth in berth }
        spec.labels["com.docker.compose.network"] = key
        if let gateway = compose.gateway { spec.gateway = gateway }
        spec.ipRange = compose.ipRange
        spec.auxAddresses = compose.auxAddresses
        spec.attachable = compose.attachable
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var settings = compose
        settings.subnet = spec.subnet
        let data = (try? encoder.encode(settings)) ?? Data()  // plain strings and booleans: cannot fail
        spec.labels[networkSettingsLabel] = String(hex(SHA256.hash(data: data)).prefix(16))
    }

    /// Every service's attachments, in the order they are connected (Berth's networks first, in the
    /// order they had before user networks existed, so that the hash of a service that uses none stays).
    static func attachments(_ project: Project, platform: PlatformConfig, ingress: Set<String>, internet: Set<String>,
                            exposedTo: [String: Set<String>]) -> [String: [NetworkAttachment]] {
        let p = project.name
        let mapped = Set(NetworkPlan.mappedToIngress(project, platform.network.legacyProxyNetworks))
        var result: [String: [NetworkAttachment]] = [:]
        for name in project.compose.services.keys.sorted() {
            let spec = project.compose.services[name]!
            guard spec.networkMode == nil else {
                result[name] = []
                continue
            }
            let joined = spec.networks ?? [:]
            var attachments: [NetworkAttachment] = []
            let mappedHere = joined.keys.filter { mapped.contains($0) && $0 != "default" }.sorted()
                + (spec.joinsDefaultNetwork && mapped.contains("default") ? ["default"] : [])
            if ingress.contains(name) || !mappedHere.isEmpty {
                let aliases = mappedHere.flatMap { joined[$0]?.aliases ?? [] }
                attachments.append(NetworkAttachment(network: "\(p)_ingress", aliases: aliases))
            }
            if spec.joinsDefaultNetwork {
                let aliases = mapped.contains("default") ? [] : joined["default"]?.aliases ?? []
                attachments.append(NetworkAttachment(network: "\(p)_internal", aliases: [name] + aliases))
            }
            if internet.contains(name) { attachments.append(NetworkAttachment(network: "\(p)_egress", aliases: [])) }
            if spec.ports != nil { attachments.append(NetworkAttachment(network: "\(p)_published", aliases: [])) }
            // Compose connects a service's networks highest priority first.
            let keys = joined.keys.filter { $0 != "default" && !mapped.contains($0) }.sorted { a, b in
                let pa = joined[a]?.priority ?? 0, pb = joined[b]?.priority ?? 0
                return pa != pb ? pa > pb : a < b
            }
            for key in keys {
                guard let n = project.compose.networks[key], let s = joined[key] else { continue }
                attachments.append(NetworkAttachment(network: n.engineName(project: p, key: key), aliases: [name] + s.aliases, ipv4Address: s.ipv4Address))
            }
            for (consumer, provided) in exposedTo.sorted(by: { $0.key < $1.key }) where provided.contains(name) {
                attachments.append(NetworkAttachment(network: NetworkPlan.linkName(provider: p, consumer: consumer), aliases: ["\(name).\(p)"]))
            }
            for edge in project.config.egress.edges where edge.from.contains(name) {
                let link = NetworkPlan.linkName(provider: edge.project, consumer: p)
                if !attachments.contains(where: { $0.network == link }) {
                    attachments.append(NetworkAttachment(network: link, aliases: []))
                }
            }
            result[name] = attachments
        }
        // Compose `links`: `svc:alias` makes `alias` a name of svc on the networks both are on.
        for name in project.compose.services.keys.sorted() {
            for (target, alias) in project.compose.services[name]!.linkTargets {
                guard var theirs = result[target], let mine = result[name] else { continue }
                let shared = Set(mine.map(\.network))
                for i in theirs.indices where shared.contains(theirs[i].network) && !theirs[i].aliases.contains(alias) {
                    theirs[i].aliases.append(alias)
                }
                result[target] = theirs
            }
        }
        return result
    }

    /// Why a service's networking rules out two generations at once; nil when it does not.
    static func networkRecreateReason(_ spec: ComposeService) -> String? {
        if spec.parsedNetworkMode == .host {
            return "shares the host's network stack (network_mode: host), where old and new replicas would bind the same ports"
        }
        for key in (spec.networks ?? [:]).keys.sorted() {
            if let ip = spec.networks?[key]?.ipv4Address {
                return "has the fixed address \(ip) on network '\(key)', which old and new replicas cannot hold at once"
            }
        }
        return nil
    }

    /// What the plan says about the project's networking beyond the actions.
    static func networkNotes(_ project: Project, networks: [NetworkSpec], platform: PlatformConfig) -> [String] {
        var notes: [String] = []
        let p = project.name
        let user = networks.filter { $0.role == .user }
        if !user.isEmpty {
            let list = user.map { "\($0.name) \($0.subnet)" }.joined(separator: ", ")
            notes.append("user networks \(list) are internal: no internet access through them; services reach the internet only through \(p)_egress (egress.internet in project.yml)")
        }
        let legacy = platform.network.legacyProxyNetworks
        for key in NetworkPlan.mappedToIngress(project, legacy) {
            let n = project.compose.networks[key]!
            let services = project.compose.services.keys.sorted().filter { name in
                let s = project.compose.services[name]!
                return s.networks?[key] != nil || (key == "default" && s.joinsDefaultNetwork)
            }
            notes.append("external network '\(n.engineName(project: p, key: key))' is an old shared proxy network (network.legacy_proxy_networks): \(services.isEmpty ? "no service" : services.joined(separator: ", ")) join\(services.count == 1 ? "s" : "") \(p)_ingress instead, which only the proxy and this project's routed services are on")
        }
        for (_, name) in NetworkPlan.externalNetworks(project, legacy) {
            notes.append("external network '\(name)' is joined as it is: Berth neither creates nor removes it, and apply checks that it exists before changing anything")
        }
        for name in project.compose.services.keys.sorted() {
            guard let mode = project.compose.services[name]!.parsedNetworkMode else { continue }
            switch mode {
            case .noNetwork: notes.append("service '\(name)' has no network (network_mode: none)")
            case .host: notes.append("service '\(name)' shares the host's network stack (network_mode: host, allowed by policy.host_network)")
            case .service(let target): notes.append("service '\(name)' shares the network of service '\(target)' (network_mode: service:\(target)): it is recreated whenever '\(target)' gets a new replica")
            case .container(let c): notes.append("service '\(name)' shares the network of container '\(c)' (network_mode: container:\(c)), which must exist")
            }
        }
        return notes
    }
}
