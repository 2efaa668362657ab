/// Ingress rows written as project.yml text (for `berth import`), in the syntax ProjectLoader reads.
public enum IngressWriter {
    public static func projectYAML(routes: [IngressRoute], egress: [EgressEdge] = [], enabled: Bool = true, header: String) -> String {
        var lines = [header]
        if !enabled { lines.append("enabled: false") }
        if !routes.isEmpty { lines.append("ingress:") }
        for r in routes {
            lines.append("  - service: \(r.service)")
            if r.proto != .http { lines.append("    protocol: \(r.proto.rawValue)") }
            if !r.hosts.isEmpty { lines.append("    hosts: [\(r.hosts.joined(separator: ", "))]") }
            if r.path != "/" { lines.append("    path: \(r.path)") }
            lines.append("    port: \(r.port)")
            if r.tls != (r.proto == .http) { lines.append("    tls: \(r.tls)") }
            if let entrypoint = r.entrypoint { lines.append("    entrypoint: \(entrypoint)") }
            if !r.middlewares.isEmpty { lines.append("    middlewares: [\(r.middlewares.joined(separator: ", "))]") }
            if let h = r.health {
                var parts = ["path: \(h.path)", "interval: \(h.interval)", "timeout: \(h.timeout)"]
                if let status = h.expectStatus { parts.append("status: \(status)") }
                lines.append("    health: {\(parts.joined(separator: ", "))}")
            }
        }
        if !egress.isEmpty {
            lines.append("egress:")
            lines.append("  services:")
            for e in egress {
                lines.append("    - from: [\(e.from.joined(separator: ", "))]")
                lines.append("      to: \(e.project)/\(e.service)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
