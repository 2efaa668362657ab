import BerthConfig
import BerthPlan
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
        /// `succeeded`, `failed` (rolled back) or `partial`.
        public var result: String
        public var message: String?
        public var services: [ServiceRecord]
    }

    public struct ServiceRecord: Codable, Sendable {
        public var name: String
        public var configHash: String
        public var spec: ComposeService
        public var replicas: [ContainerSpec]
        public var strategy: RolloutStrategy
    }

    func file(_ project: String) -> URL { directory.appendingPathComponent("\(project).json") }

    public func history(_ project: String) -> [Record] {
        guard let data = try? Data(contentsOf: file(project)) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([Record].self, from: data)) ?? []
    }

    public func append(_ record: Record) throws {
        var records = history(record.project)
        records.append(record)
        records = Array(records.suffix(keep))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(records)
        try OutputDirectory.writeAtomically(String(decoding: data, as: UTF8.self), to: file(record.project))
    }
}
