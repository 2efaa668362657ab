/// `dns` against the routes: a routed host resolves to `dns.addresses`, so an extra record may not
/// give it other addresses or a CNAME; a host outside every owned zone is not served (a warning).
extension RepositoryValidator {
    func validateDNS() {
        guard let dns = platform.dns else { return }
        var routed: [String: String] = [:]
        for project in repository.enabledProjects {
            for route in project.config.ingress {
                let hostLocations = locations[project.name]?.routes[route.location]?.hosts ?? []
                for (index, host) in route.hosts.enumerated() {
                    let name = host.lowercased()
                    let location = hostLocations[safe: index] ?? route.location
                    guard dns.zone(of: name) != nil else {
                        sink.warning(location, "host '\(host)' is outside every zone Berth owns (\(dns.zones.joined(separator: ", "))): Berth's DNS does not serve it; add its zone to 'dns.zones' or publish its records elsewhere")
                        continue
                    }
                    routed[name] = "project '\(project.name)' service '\(route.service)'"
                }
            }
        }
        for record in dns.records {
            guard let owner = routed[record.name] else { continue }
            switch record.type {
            case .CNAME, .A, .AAAA:
                sink.error(record.location, "\(record.type.rawValue) record '\(record.name)' clashes with the host routed to \(owner), which resolves to dns.addresses; remove the record (or the route)")
            default: break
            }
        }
        let nameservers = dns.nameservers.isEmpty ? dns.zones.map { "ns.\($0)" } : dns.nameservers
        for record in dns.records where record.type == .CNAME && nameservers.contains(record.name) {
            sink.error(record.location, "'\(record.name)' is a name server of the zone and cannot be a CNAME (RFC 2181 10.3); give it A/AAAA records")
        }
        // The DNS server publishes udp and tcp on its port: not one the proxy listens on (same address or any).
        if dns.server.kind != .none {
            let proxy = platform.proxy
            let sameAddress = dns.server.address == "0.0.0.0" || proxy.bindAddress == "0.0.0.0" || dns.server.address == proxy.bindAddress
            var taken: [(Int, String)] = [(proxy.httpPort, "proxy.http_port"), (proxy.httpsPort, "proxy.https_port")]
            taken += platform.entrypoints.values.sorted { $0.name < $1.name }.map { ($0.port, "entrypoint '\($0.name)'") }
            if sameAddress, let clash = taken.first(where: { $0.0 == dns.server.port }) {
                sink.error(dns.location, "dns.server.port \(dns.server.port) is also \(clash.1) on the same address; give the DNS server another port or address")
            }
        }
        if dns.server.kind == .knot && !dns.forwarders.isEmpty {
            sink.warning(dns.location, "dns.forwarders are not used with dns.server.kind knot (authoritative only: it answers for the zones and refuses other names); they are rendered into the Corefile for CoreDNS")
        }
    }
}
