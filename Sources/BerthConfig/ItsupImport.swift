import Foundation

/// `berth import itsup`: an itsUP repository (`projects/*/docker-compose.yml` with `itsup-project.yml` or the
/// older `ingress.yml`, `projects/itsup.yml`, `projects/traefik.yml`) becomes a Berth repository.
/// What has no counterpart is listed in the report, never dropped without a word.
public struct ItsupImport {
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}

    public func run(source: URL, repository: URL, domain: String?) throws -> ComposeImport.Report {
        let fm = FileManager.default
        let projects = source.appendingPathComponent("projects")
        guard fm.fileExists(atPath: projects.path) else {
            throw ComposeImport.Failure(description: "\(source.path) has no projects/ directory; pass the root of an itsUP repository")
        }
        if fm.fileExists(atPath: repository.appendingPathComponent("platform.yml").path) {
            throw ComposeImport.Failure(description: "\(repository.path) already has a platform.yml; import into a new directory")
        }
        var report = ComposeImport.Report(project: "")
        var entrypoints: [(name: String, port: Int, proto: String)] = []
        var middlewares: [(name: String, ranges: [String])] = []
        var hosts: [String] = []
        let names = try fm.contentsOfDirectory(atPath: projects.path).filter { name in
            var d: ObjCBool = false
            return fm.fileExists(atPath: projects.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue && !name.hasPrefix(".")
        }.sorted()
        for name in names {
            let dir = projects.appendingPathComponent(name)
            let configURL = ["itsup-project.yml", "ingress.yml"].map { dir.appendingPathComponent($0) }.first { fm.fileExists(atPath: $0.path) }
            let project = name.lowercased().replacingOccurrences(of: ".", with: "-")
            guard ComposeImport.composeNames.contains(where: { fm.fileExists(atPath: dir.appendingPathComponent($0).path) }) else {
                report.notCarried.append("projects/\(name): no docker-compose.yml (an external-host passthrough project); route it with a Berth project of its own")
                continue
            }
            var routes: [IngressRoute] = []
            var edges: [EgressEdge] = []
            var enabled = true
            if let configURL {
                let text = try String(contentsOf: configURL, encoding: .utf8)
                let sink = DiagnosticSink()
                if case .mapping(let top, _)? = YAMLValue.parse(text, file: "projects/\(name)/\(configURL.lastPathComponent)", into: sink) {
                    enabled = top.first { $0.key.text == "enabled" }?.value.scalarText != "false"
                    if case .sequence(let rows, _)? = top.first(where: { $0.key.text == "ingress" })?.value {
                        for row in rows {
                            guard case .mapping(let fields, let location) = row else { continue }
                            let value = { (key: String) in fields.first { $0.key.text == key }?.value }
                            let where_ = "projects/\(name)/\(configURL.lastPathComponent):\(location.line)"
                            guard let service = value("service")?.scalarText else {
                                report.notCarried.append("\(where_): an ingress row without 'service' (external host); not carried over")
                                continue
                            }
                            var rowHosts: [String] = value("domain")?.scalarText.map { [$0] } ?? []
                            if case .mapping(let tls, _)? = value("tls") {
                                if let main = tls.first(where: { $0.key.text == "main" })?.value.scalarText { rowHosts.append(main) }
                                if case .sequence(let sans, _)? = tls.first(where: { $0.key.text == "sans" })?.value {
                                    rowHosts += sans.compactMap(\.scalarText)
                                }
                            }
                            rowHosts = rowHosts.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
                            let router = value("router")?.scalarText ?? "http"
                            let proto: RouteProtocol = router == "udp" || value("protocol")?.scalarText == "udp" ? .udp : router == "tcp" ? .tcp : .http
                            let port = value("port")?.scalarText.flatMap { Int($0) } ?? 8080
                            if proto == .http && rowHosts.isEmpty {
                                report.notCarried.append("\(where_): service '\(service)' has no domain (not publicly routed in itsUP); nothing to route")
                                continue
                            }
                            var route = IngressRoute(service: service, hosts: proto == .http ? rowHosts : [], port: port, proto: proto,
                                                     tls: proto == .http,
                                                     location: Location(file: "projects/\(project)/project.yml"))
                            if let prefix = value("path_prefix")?.scalarText { route.path = prefix.hasPrefix("/") ? prefix : "/" + prefix }
                            if let hostport = value("hostport")?.scalarText.flatMap({ Int($0) }) {
                                if proto == .http {
                                    report.notCarried.append("\(where_): 'hostport: \(hostport)' on an http route; Berth serves http on its web/websecure entrypoints only")
                                } else {
                                    let entrypoint = "\(project)-\(hostport)"
                                    entrypoints.append((entrypoint, hostport, proto.rawValue))
                                    route.entrypoint = entrypoint
                                }
                            } else if proto != .http {
                                report.notCarried.append("\(where_): a \(proto.rawValue) route of '\(service)' without 'hostport'; add an entrypoint in platform.yml and set it on the route")
                                continue
                            }
                            if case .sequence(let allow, _)? = value("allow_source_ips") {
                                let middleware = "\(project)-\(service)-allow"
                                middlewares.append((middleware, allow.compactMap(\.scalarText)))
                                route.middlewares.append(middleware)
                            }
                            // A tcp route on its own port forwards the bytes as they are: that is passthrough already.
                            let passthroughCarried = proto == .tcp && route.entrypoint != nil
                            for key in ["passthrough", "path_remove", "proxyprotocol", "ipv4_address", "dns"]
                            where value(key) != nil && value(key)?.scalarText != "false" && !(key == "passthrough" && passthroughCarried) {
                                report.notCarried.append("\(where_): '\(key)' of service '\(service)' has no counterpart in Berth's routes; " + Self.advice[key, default: "not carried over"])
                            }
                            hosts += rowHosts
                            routes.append(route)
                        }
                    }
                    if case .sequence(let items, _)? = top.first(where: { $0.key.text == "egress" })?.value {
                        for item in items.compactMap(\.scalarText) {
                            let parts = item.split(separator: ":").map(String.init)
                            guard parts.count == 2 else {
                                report.notCarried.append("projects/\(name): egress '\(item)' is not project:service")
                                continue
                            }
                            edges.append(EgressEdge(from: [], project: parts[0], service: parts[1], location: Location(file: "")))
                        }
                    }
                } else {
                    report.notCarried.append("projects/\(name)/\(configURL.lastPathComponent): not readable YAML (\(sink.sorted.first?.message ?? "")); write project.yml by hand")
                }
            }
            var compose = ComposeImport()
            compose.environment = environment
            let sub = try compose.run(source: dir, project: project, repository: repository)
            report.written += sub.written.filter { !$0.hasSuffix("/\(configURL?.lastPathComponent ?? "-")") }
            report.notCarried += sub.notCarried
            // itsUP's own file is replaced by project.yml.
            if let configURL { try? fm.removeItem(at: repository.appendingPathComponent("projects/\(project)/\(configURL.lastPathComponent)")) }
            let services = Self.serviceNames(repository.appendingPathComponent("projects/\(project)/compose.yml"))
            edges = edges.map { EgressEdge(from: services, project: $0.project, service: $0.service, location: $0.location) }
            let existing = (try? String(contentsOf: repository.appendingPathComponent("projects/\(project)/project.yml"), encoding: .utf8)) ?? ""
            if !existing.isEmpty {
                report.notCarried.append("projects/\(project): the compose file had Traefik labels as well as \(configURL?.lastPathComponent ?? "no ingress file"); check project.yml")
            }
            let text = IngressWriter.projectYAML(routes: routes, egress: edges, enabled: enabled,
                                                 header: "# Imported from itsUP's projects/\(name)/\(configURL?.lastPathComponent ?? "") by `berth import itsup`.")
            try (existing.isEmpty ? text : existing + "\n" + text).write(to: repository.appendingPathComponent("projects/\(project)/project.yml"), atomically: true, encoding: .utf8)
            report.routes += routes.count
            if !report.written.contains("projects/\(project)/project.yml") { report.written.append("projects/\(project)/project.yml") }
        }
        for extra in ["itsup.yml", "traefik.yml", "middlewares.yml"] where fm.fileExists(atPath: projects.appendingPathComponent(extra).path) {
            report.notCarried.append("projects/\(extra): " + Self.advice[extra, default: "not carried over"])
        }
        let crowdsec = (try? String(contentsOf: projects.appendingPathComponent("itsup.yml"), encoding: .utf8))
            .flatMap { YAMLValue.parse($0, file: "itsup.yml", into: DiagnosticSink()) }
            .flatMap { root -> Bool? in
                guard case .mapping(let top, _) = root, case .mapping(let c, _)? = top.first(where: { $0.key.text == "crowdsec" })?.value else { return nil }
                return c.first { $0.key.text == "enabled" }?.value.scalarText == "true"
            } ?? false
        let platformDomain = domain ?? Self.commonDomain(hosts) ?? "example.com"
        if domain == nil && Self.commonDomain(hosts) == nil {
            report.notCarried.append("platform.yml: no domain is common to every route; 'domain' is example.com — set it (or pass --domain)")
        }
        var platform = """
            # Imported from an itsUP repository by `berth import itsup`. Every key is described in docs/config.md.
            domain: \(platformDomain)

            proxy:
              kind: traefik
              image: traefik:v3.7
              network: host
              http_port: 80
              https_port: 443


            """
        if crowdsec { platform += "crowdsec:\n  enabled: true\n\n" }
        if !entrypoints.isEmpty {
            platform += "entrypoints:\n" + entrypoints.map { "  \($0.name): {port: \($0.port), protocol: \($0.proto)}\n" }.joined() + "\n"
        }
        if !middlewares.isEmpty {
            platform += "middlewares:\n" + middlewares.map { "  \($0.name):\n    ip_allow_list:\n      source_range: [\($0.ranges.joined(separator: ", "))]\n" }.joined()
        }
        try platform.write(to: repository.appendingPathComponent("platform.yml"), atomically: true, encoding: .utf8)
        report.written.insert("platform.yml", at: 0)
        return report
    }

    static let advice: [String: String] = [
        "passthrough": "Berth's proxy terminates TLS of http routes; give the service a tcp route on its own entrypoint (hostport) to pass TLS through",
        "path_remove": "add a strip_prefix middleware in platform.yml if the app needs it",
        "proxyprotocol": "Berth's proxy speaks plain TCP to the backends",
        "ipv4_address": "Berth gives replicas their ingress addresses itself",
        "dns": "set 'dns' on the service in compose.yml",
        "itsup.yml": "the dashboard domain, router IP, backup and versions settings are not carried over; CrowdSec's 'enabled' is; backups are configured under 'backups' once available",
        "traefik.yml": "Traefik overrides are not carried over: Berth writes Traefik's configuration; put middlewares under 'middlewares' in platform.yml",
        "middlewares.yml": "define these middlewares under 'middlewares' in platform.yml",
    ]

    /// The longest domain (two labels at least) that every host ends with.
    static func commonDomain(_ hosts: [String]) -> String? {
        guard let first = hosts.first else { return nil }
        var labels = Array(first.split(separator: ".").map(String.init).reversed())
        for host in hosts.dropFirst() {
            let other = Array(host.split(separator: ".").map(String.init).reversed())
            labels = Array(zip(labels, other).prefix { $0 == $1 }.map(\.0))
        }
        return labels.count >= 2 ? labels.reversed().joined(separator: ".") : nil
    }

    static func serviceNames(_ compose: URL) -> [String] {
        guard let text = try? String(contentsOf: compose, encoding: .utf8),
              case .mapping(let top, _)? = YAMLValue.parse(text, file: "compose.yml", into: DiagnosticSink()),
              case .mapping(let services, _)? = top.first(where: { $0.key.text == "services" })?.value else { return [] }
        return services.map(\.key.text).sorted()
    }
}
