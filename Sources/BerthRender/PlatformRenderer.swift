import BerthPlan

/// Everything `berth render` writes, in the documented layout, with what a renderer had to leave out.
public enum PlatformRenderer {
    public struct Output: Sendable {
        public var files: [RenderedFile]
        public var warnings: [String]
    }

    public static func render(_ state: DesiredState) -> Output {
        var files = [TraefikRenderer.staticConfig(state)]
        files += TraefikRenderer.dynamicConfigs(state)
        files += ComposeExporter.render(state)
        files.append(CaddyRenderer.config(state))
        let warnings = CaddyRenderer.warnings(state).map { "caddy.json: \($0)" }
        return Output(files: files, warnings: warnings)
    }
}
