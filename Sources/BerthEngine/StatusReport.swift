import BerthConfig
import Foundation

/// What runs, per project and service: what `berth status --json` prints (a JSON array of projects)
/// and what a server returns for status.
public struct StatusReport: Codable, Sendable, Equatable {
    public var projects: [Project]

    public struct Project: Codable, Sendable, Equatable {
        public var project: String
        /// Absent when the project has no recorded deployment.
        public var lastDeployment: DeploymentSummary?
        public var services: [ApplyEngine.ServiceStatus]

        enum CodingKeys: String, CodingKey { case project, lastDeployment = "last_deployment", services }

        public init(project: String, lastDeployment: DeploymentSummary?, services: [ApplyEngine.ServiceStatus]) {
            self.project = project
            self.lastDeployment = lastDeployment
            self.services = services
        }
    }

    public init(projects: [Project]) { self.projects = projects }

    public init(_ statuses: [ApplyEngine.ProjectStatus]) {
        projects = statuses.map {
            Project(project: $0.project, lastDeployment: $0.lastDeployment.map(DeploymentSummary.init), services: $0.services)
        }
    }

    public init(from decoder: any Decoder) throws { projects = try decoder.singleValueContainer().decode([Project].self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(projects)
    }
}

/// A deployment of a project, as status shows it: `{"id", "result", "finished_at": ISO 8601}`.
public struct DeploymentSummary: Codable, Sendable, Equatable {
    public var id: String
    public var result: DeploymentStore.DeploymentResult
    public var finishedAt: Date

    enum CodingKeys: String, CodingKey { case id, result, finishedAt = "finished_at" }

    public init(id: String, result: DeploymentStore.DeploymentResult, finishedAt: Date) {
        self.id = id
        self.result = result
        self.finishedAt = finishedAt
    }

    public init(_ record: DeploymentStore.Record) { self.init(id: record.id, result: record.result, finishedAt: record.finishedAt) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        result = try c.decode(DeploymentStore.DeploymentResult.self, forKey: .result)
        let text = try c.decode(String.self, forKey: .finishedAt)
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw DecodingError.dataCorruptedError(forKey: .finishedAt, in: c, debugDescription: "not an ISO 8601 time: \(text)")
        }
        finishedAt = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(result, forKey: .result)
        try c.encode(ISO8601DateFormatter().string(from: finishedAt), forKey: .finishedAt)
    }
}


extension ApplyEngine {
    /// `status` as its Codable report.
    public func statusReport(_ repository: BerthConfig.Repository) async throws -> StatusReport {
        StatusReport(try await status(repository))
    }
}
