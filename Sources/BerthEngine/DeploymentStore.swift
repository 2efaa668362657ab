import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime
import BerthRender
import Foundation

/// Deployment history per project (the last few, for status and rollback), as JSON files under the
/// state directory, each written atomically.
public struct DeploymentStore: Sendable {
    public var directory: URL
    public var keep: Int

    public init(directory: URL, keep: Int = 5) {
        self.directory = directory
        self.keep = keep
    }

    public struct Record: Codable, Sendable {
        public var id: String
        public var project: String
        public var startedAt: Date
        public var finishedAt: Date
        public var result: DeploymentResult
        public var message: String?
        public var services: [ServiceRecord]
    }

    public enum DeploymentResult: String, Codable, Sendable {
        case succeeded
        /// A service failed (its new replicas were removed; the old ones kept serving where they could).
        case failed
        /// Not attempted: a project it depends on failed.
        case skipped
        /// The apply was cancelled before or during this project's rollout: it stopped at a safe point,
        /// removed what it had started and left the old replicas serving.
        case cancelled
    }

    public struct ServiceRecord: Codable, Sendable {
        public var name: String
        public var configHash: String
        public var spec: ComposeService
        public var replicas: [ContainerSpec]
        public var strategy: RolloutStrategy
    }

    public func file(_ project: String) -> URL { directory.appendingPathComponent("\(project).json") }

    public struct Unreadable: Error, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String {
            "the deployment history \(file) cannot be read (\(reason)); it is left as it is: move it aside to start a new history"
        }
    }

    /// The project's recorded deployments, oldest first (none yet: empty). A file that exists but
    /// cannot be read or decoded is an error: it is never taken as empty and overwritten.
    public func history(_ project: String) throws -> [Record] {
        let url = file(project)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode([Record].self, from: Data(contentsOf: url))
        } catch {
            throw Unreadable(file: url.path, reason: "\(error)")
        }
    }

    public func append(_ record: Record) throws {
        var records = try history(record.project)
        records.append(record)
        records = Array(records.suffix(keep))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(records)
        try OutputDirectory.writeAtomically(String(decoding: data, as: UTF8.self), to: file(record.project))
    }
}
