/// Compose `networks` (top level and per service), `network_mode` and `links`: read exactly, and
/// refused with the reason where Berth cannot honour a setting (other drivers, IPv6, internet access).
extension ComposeLoader {
    static let networkKeys = ["driver", "driver_opts", "ipam", "internal", "attachable", "labels", "enable_ipv6", "name", "external"]

    func loadNetworks(_ value: YAMLValue, into compose: inout ComposeFile) {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "top-level 'networks' must be a mapping, found \(value.kindName)")
            return
        }
        for entry in entries {
            let key = entry.key.text
            compose.networkLocations[key] = entry.key.location
            if case .scalar(let s) = entry.value, s.isNull {
                compose.networks[key] = ComposeNetwork()
                continue
            }
            let what = "network '\(key)'"
            guard let f = Fields(entry.value, what: what, known: Self.networkKeys, extensions: true, sink: sink) else { continue }
            var n = ComposeNetwork()
            n.name = f.string("name")
            n.external = f.bool("external") ?? false
            if n.external, let other = f.keys.first(where: { $0 != "external" && $0 != "name" }) {
                f.error(other, "network '\(key)' is external, so Berth does not create it: '\(other)' cannot be set (Compose refuses it too); remove '\(other)' or 'external'")
            }
            if let driver = f.string("driver") {
                if driver == "overlay" && !f.has("driver_opts") {
                    // A Swarm stack file on one engine: its overlay network is a bridge network there.
                    f.warning("driver", "network '\(key)' asks for the Swarm 'overlay' driver; Berth runs the project on one Docker engine, where it is a bridge network (the same segment, on one host)")
                    n.driver = "bridge"
                } else if driver != "bridge" {
                    f.error("driver", "network driver '\(driver)' of network '\(key)' is not supported: Berth runs a project on one Docker host with bridge networks (overlay, macvlan and ipvlan need a Swarm or the host's interfaces); remove 'driver' or set it to bridge")
                    n.driver = driver
                } else {
                    n.driver = driver
                }
            }
            n.driverOpts = valuedMap(f, "driver_opts")
            if f.bool("enable_ipv6") == true {
                f.error("enable_ipv6", "'enable_ipv6' in network '\(key)' is not supported: Berth's networks and address pools are IPv4; remove it")
            }
            if let isInternal = f.bool("internal") {
                if !isInternal {
                    f.error("internal", "network '\(key)' sets 'internal: false', but Berth's user networks never route to the internet: services get internet access only through 'egress.internet' in project.yml; remove 'internal' and list the services there")
                }
                n.isInternal = isInternal
            }
            n.attachable = f.bool("attachable")
            n.labels = (f.stringMap("labels") ?? [:]).mapValues { $0 ?? "" }
            for label in n.labels.keys where label.hasPrefix("berth.") || label.hasPrefix("com.docker.compose.") {
                f.error("labels", "label '\(label)' in network '\(key)' is reserved: Berth sets berth.* and com.docker.compose.* itself")
            }
            if let ipam = f.fields("ipam", known: ["driver", "config"], unsupported: ["options": "IPAM driver options need a custom IPAM driver, which Berth does not run"]) {
                if let driver = ipam.string("driver"), driver != "default" {
                    ipam.error("driver", "IPAM driver '\(driver)' of network '\(key)' is not supported: use the default driver (remove 'driver')")
                }
                loadIPAMConfig(ipam, key: key, into: &n)
            }
            if key == "default" && !n.external && f.keys.contains(where: { $0 != "internal" }) {
                sink.error(entry.key.location, "network 'default' is Berth's <project>_internal network, whose subnet and settings Berth chooses: remove its settings, or declare a network of another name and list it under the services' 'networks'")
            }
            compose.networks[key] = n
        }
    }

    private func loadIPAMConfig(_ ipam: Fields, key: String, into n: inout ComposeNetwork) {
        guard let value = ipam["config"] else { return }
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "'config' in the ipam of network '\(key)' must be a list, found \(value.kindName)")
            return
        }
        if items.count > 1 {
            sink.error(items[1].location, "network '\(key)' has \(items.count) ipam configs: Berth supports one IPv4 subnet per network; keep one")
        }
        guard let item = items.first,
              let c = Fields(item, what: "the ipam config of network '\(key)'", known: ["subnet", "ip_range", "gateway", "aux_addresses"], sink: sink)
        else { return }
        guard let text = c.string("subnet") else {
            if c.keys.contains(where: { $0 != "subnet" }) { sink.error(c.location, "the ipam config of network '\(key)' needs 'subnet' for its 'ip_range', 'gateway' or 'aux_addresses'") }
            return
        }
        guard let subnet = IPv4Network(parsing: text) else {
            let why = text.contains(":") ? "IPv6 subnets are not supported (Berth's networks are IPv4)" : "it is not an IPv4 CIDR block with no host bits set, such as 172.30.0.0/24"
            c.error("subnet", "subnet '\(text)' of network '\(key)' is invalid: \(why)")
            return
        }
        if subnet.prefix > 30 { c.error("subnet", "subnet \(subnet) of network '\(key)' is too small: use /30 or larger") }
        n.subnet = subnet.description
        if let range = c.string("ip_range") {
            if let r = IPv4Network(parsing: range), subnet.contains(r) { n.ipRange = r.description } else {
                c.error("ip_range", "'ip_range' \(range) of network '\(key)' must be a CIDR block inside its subnet \(subnet)")
            }
        }
        if let gateway = c.string("gateway") {
            if Self.isHost(gateway, of: subnet) { n.gateway = gateway } else {
                c.error("gateway", "'gateway' \(gateway) of network '\(key)' must be an address inside its subnet \(subnet)")
            }
        }
        for (name, address) in (c.stringMap("aux_addresses") ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let address, Self.isHost(address, of: subnet) { n.auxAddresses[name] = address } else {
                c.error("aux_addresses", "aux address '\(name)' (\(address ?? "no value")) of network '\(key)' must be an address inside its subnet \(subnet)")
            }
        }
    }

    /// Whether `address` is a usable host address of `subnet` (not its network or broadcast address).
    static func isHost(_ address: String, of subnet: IPv4Network) -> Bool {
        guard let a = IPv4Network.parseAddress(address) else { return false }
        return subnet.contains(IPv4Network(address: a, prefix: 32)) && a != subnet.address && a != subnet.last
    }

    /// A service's `networks`: a list of keys, or a mapping of keys to null or settings.
    func serviceNetworks(_ value: YAMLValue, service: String) -> [String: ServiceNetwork] {
        var result: [String: ServiceNetwork] = [:]
        switch value {
        case .sequence(let items, _):
            for item in items {
                guard case .scalar(let s) = item, !s.isNull else {
                    sink.error(item.location, "an item of 'networks' in service '\(service)' must be a network name, found \(Scalar.describe(item))")
                    continue
                }
                result[s.text] = ServiceNetwork()
            }
        case .mapping(let entries, _):
            for entry in entries {
                if case .scalar(let s) = entry.value, s.isNull {
                    result[entry.key.text] = ServiceNetwork()
                    continue
                }
                let what = "network '\(entry.key.text)' of service '\(service)'"
                guard let f = Fields(entry.value, what: what, known: ["aliases", "ipv4_address", "priority"], unsupported: [
                    "ipv6_address": "Berth's networks are IPv4", "link_local_ips": "not supported yet",
                    "mac_address": "per-network MAC addresses need Docker API 1.44; use the service's mac_address",
                    "driver_opts": "not supported yet", "gw_priority": "only Berth's egress network routes to the internet",
                    "interface_name": "not supported yet",
                ], extensions: true, sink: sink) else { continue }
                var n = ServiceNetwork()
                n.aliases = f.strings("aliases") ?? []
                if let ip = f.string("ipv4_address") {
                    if IPv4Network.parseAddress(ip) == nil { f.error("ipv4_address", "'ipv4_address' \(ip) in \(what) is not an IPv4 address") } else { n.ipv4Address = ip }
                }
                n.priority = f.int("priority")
                result[entry.key.text] = n
            }
        default:
            sink.error(value.location, "'networks' in service '\(service)' must be a list or a mapping, found \(value.kindName)")
        }
        return result
    }

    /// Checks that need every service and network of the file: names that must exist, fixed addresses,
    /// `network_mode` targets, links.
    func checkNetworking(_ compose: inout ComposeFile, entries: [YAMLEntry]) {
        let declared = compose.networks
        var addresses: [String: String] = [:]  // "network ip" → service
        for entry in entries {
            let name = entry.key.text
            guard let service = compose.services[name], case .mapping(let keys, _) = entry.value else { continue }
            let keyLocation = { (k: String) in keys.first { $0.key.text == k }?.key.location ?? entry.key.location }
            if let networks = service.networks {
                compose.serviceNetworkLocations[name] = keyLocation("networks")
                for key in networks.keys.sorted() where key != "default" && declared[key] == nil {
                    sink.error(keyLocation("networks"), "service '\(name)' joins network '\(key)', which is not declared under the top-level 'networks'\(Suggestion.hint(for: key, in: declared.keys))")
                }
                for (key, n) in networks.sorted(by: { $0.key < $1.key }) {
                    guard let ip = n.ipv4Address else { continue }
                    let net = declared[key]
                    guard let text = net?.subnet, let subnet = IPv4Network(parsing: text), net?.external != true else {
                        sink.error(keyLocation("networks"), "service '\(name)' has ipv4_address \(ip) on network '\(key)', which has no fixed subnet: Docker assigns fixed addresses only on networks with an ipam subnet; add 'ipam: {config: [{subnet: ...}]}' to network '\(key)'")
                        continue
                    }
                    if !Self.isHost(ip, of: subnet) || ip == net?.gateway || (net?.gateway == nil && ip == subnet.gateway) {
                        sink.error(keyLocation("networks"), "ipv4_address \(ip) of service '\(name)' is not a free host address of network '\(key)' (\(subnet), gateway \(net?.gateway ?? subnet.gateway))")
                    }
                    if let other = addresses["\(key) \(ip)"] {
                        sink.error(keyLocation("networks"), "ipv4_address \(ip) on network '\(key)' is given to both service '\(other)' and service '\(name)'")
                    }
                    addresses["\(key) \(ip)"] = name
                    if service.replicas > 1 {
                        sink.error(keyLocation("networks"), "service '\(name)' has the fixed ipv4_address \(ip) on network '\(key)' and \(service.replicas) replicas: only one container can hold an address; use one replica or remove ipv4_address")
                    }
                }
            }
            if let text = service.networkMode {
                let location = keyLocation("network_mode")
                compose.serviceNetworkLocations[name] = location
                checkNetworkMode(text, service: service, name: name, location: location, compose: compose)
            }
            for (target, alias) in service.linkTargets {
                let location = keyLocation("links")
                guard let other = compose.services[target], target != name else {
                    sink.error(location, "service '\(name)' links to '\(target)', which is not another service of project '\(project)'\(Suggestion.hint(for: target, in: compose.services.keys))")
                    continue
                }
                if !Names.isHostName(alias) { sink.error(location, "link alias '\(alias)' of service '\(name)' is not a valid host name") }
                if Set(Self.networkKeys(of: service)).isDisjoint(with: Self.networkKeys(of: other)) {
                    sink.error(location, "service '\(name)' links to '\(target)', but they share no network, so the alias '\(alias)' cannot resolve; put both on one network")
                }
            }
        }
    }

    /// The top-level keys of the networks a service is on (`default` for Berth's internal network).
    static func networkKeys(of service: ComposeService) -> [String] {
        guard service.networkMode == nil else { return [] }
        guard let networks = service.networks, !networks.isEmpty else { return ["default"] }
        return Array(networks.keys)
    }

    private func checkNetworkMode(_ text: String, service: ComposeService, name: String, location: Location, compose: ComposeFile) {
        guard let mode = NetworkMode(text) else {
            let why = text == "bridge" || text == "default"
                ? "Berth attaches services to the project's own networks instead of Docker's default bridge; remove network_mode"
                : "it must be none, host, service:NAME or container:NAME"
            sink.error(location, "network_mode '\(text)' of service '\(name)' is not supported: \(why)")
            return
        }
        if service.networks != nil {
            sink.error(location, "service '\(name)' sets both network_mode and networks, which Compose refuses too; keep one")
        }
        if service.ports != nil {
            sink.error(location, "service '\(name)' publishes ports with network_mode: \(text), where Docker cannot publish them; remove 'ports'\(mode == .host ? " (on the host network the service's ports are the host's)" : "")")
        }
        switch mode {
        case .noNetwork:
            break
        case .host:
            if service.replicas > 1 {
                sink.error(location, "service '\(name)' uses the host's network stack and has \(service.replicas) replicas, which would bind the same host ports; use one replica")
            }
        case .service(let target):
            guard let other = compose.services[target], target != name else {
                sink.error(location, "network_mode of service '\(name)' names service '\(target)', which is not another service of project '\(project)'\(Suggestion.hint(for: target, in: compose.services.keys))")
                return
            }
            if other.networkMode.map({ $0.hasPrefix("service:") || $0.hasPrefix("container:") }) == true {
                sink.error(location, "service '\(name)' shares the network of '\(target)', which itself shares another container's network (\(other.networkMode!)); point network_mode at that one")
            }
            if other.replicas != 1 {
                sink.error(location, "service '\(name)' shares the network of '\(target)', which has \(other.replicas) replicas: a network namespace is one container's; give '\(target)' one replica")
            }
            fallthrough
        case .container:
            if service.hostname != nil || !service.extraHosts.isEmpty {
                sink.error(location, "service '\(name)' shares another container's network (network_mode: \(text)), so it cannot set hostname or extra_hosts (Docker refuses them); remove them")
            }
        }
    }
}
