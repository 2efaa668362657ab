import BerthPlan
import BerthRender
import Foundation

/// The routes (without upstreams) of the last push the proxy confirmed, kept in the state directory:
/// what the planner compares the repository's routes with, so that a host, path, port, middleware,
/// health or TLS change is planned and applied even when no container changes.
public struct RouteRecord: Sendable {
    public var file: URL

    public init(file: URL) { self.file = file }

    public struct Unreadable: Error, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String {
            "the route record \(file) cannot be read (\(reason)); move it aside and run berth apply again (the routes are then pushed anew)"
        }
    }

    /// nil when nothing was recorded yet.
    public func load() throws -> [ProxyRoute]? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode([ProxyRoute].self, from: Data(contentsOf: file))
        } catch {
            throw Unreadable(file: file.path, reason: "\(error)")
        }
    }

    public func save(_ routes: [ProxyRoute]) throws {
        let stripped = routes.map { route -> ProxyRoute in
            var r = route
            r.upstreams = []
            return r
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try OutputDirectory.writeAtomically(String(decoding: try encoder.encode(stripped), as: UTF8.self), to: file)
    }
}
