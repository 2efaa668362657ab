import BerthPlan

/// Everything `berth render` writes, in the documented layout, with what a renderer had to leave out.
public enum PlatformRenderer {
    public struct Output: Sendable {
        public var files: [RenderedFile]
        public var warnings: [String]
    }

    /// - Parameter previous: files rendered before, by path (the DNS zones keep their serial when unchanged).
    public static func render(_ state: DesiredState, previous: (String) -> String? = { _ in nil }) -> Output {
        var files = [TraefikRenderer.staticConfig(state)]
        files += TraefikRenderer.dynamicConfigs(state)
        files += ComposeExporter.render(state)
        files.append(CaddyRenderer.config(state))
        // With the caddy proxy, validation rejects what Caddy cannot serve; with traefik, caddy.json is
        // an alternative rendering, and one line says what it leaves out.
        let skipped = CaddyRenderer.warnings(state)
        let warnings = state.platform.proxy.kind == .caddy ? skipped.map { "caddy.json: \($0)" }
            : skipped.isEmpty ? [] : ["caddy.json leaves out \(skipped.count) thing\(skipped.count == 1 ? "" : "s") stock Caddy cannot serve (e.g. \(skipped[0])); Traefik's files have everything"]
        // DNS (platform.yml 'dns'): the zones, the Corefile and knot.conf; hosts outside every zone are said.
        files += DNSRenderer.render(state, previous: previous)
        let notServed = DNSZone.notServed(state).map { "dns: host \($0.host) (project \($0.project)) is outside every zone in dns.zones: not served" }
        return Output(files: files, warnings: warnings + notServed)
    }
}
