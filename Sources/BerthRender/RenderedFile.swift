/// One file a renderer produces: where it goes (relative to the output directory) and what it holds.
public struct RenderedFile: Sendable, Hashable {
    /// Relative to the output directory, with `/` separators, e.g. `traefik/dynamic/site.yml`.
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}
