import BerthConfig
import Foundation

/// What an apply did, per project: the value `berth apply --json` prints as its `summary` line and
/// a server returns for a finished deployment.
public struct ApplyReport: Sendable, Equatable {
    public struct ProjectResult: Sendable, Equatable {
        public var project: String
        public var result: DeploymentStore.DeploymentResult
        /// For people: what happened to each service that did not simply succeed.
        public var messages: [String]
        /// For programs: the errors behind a failed or cancelled result, each with its code.
        public var errors: [ErrorReport]
        public var succeeded: Bool { result == .succeeded }

        public init(project: String, result: DeploymentStore.DeploymentResult, messages: [String], errors: [ErrorReport] = []) {
            self.project = project
            self.result = result
            self.messages = messages
            self.errors = errors
        }
    }
    public var projects: [ProjectResult]
    public var deployment: String
    public var proxyReloads: Int
    /// Set when the deployment history could not be written (the rollout itself is done).
    public var historyError: String?

    public init(projects: [ProjectResult], deployment: String, proxyReloads: Int, historyError: String? = nil) {
        self.projects = projects
        self.deployment = deployment
        self.proxyReloads = proxyReloads
        self.historyError = historyError
    }

    public var succeeded: Bool { projects.allSatisfy(\.succeeded) && historyError == nil }
    /// The apply was cancelled: it stopped at a safe point; cancelled projects run their old version.
    public var cancelled: Bool { projects.contains { $0.result == .cancelled } }
}

/// `{"deployment", "succeeded", "cancelled", "proxy_reloads", "history_error": string|null,
/// "projects": [{"project", "succeeded", "result", "messages", "errors"}]}`.
extension ApplyReport: Codable {
    enum CodingKeys: String, CodingKey {
        case deployment, succeeded, cancelled, projects
        case proxyReloads = "proxy_reloads", historyError = "history_error"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deployment = try c.decode(String.self, forKey: .deployment)
        proxyReloads = try c.decode(Int.self, forKey: .proxyReloads)
        historyError = try c.decodeIfPresent(String.self, forKey: .historyError)
        projects = try c.decode([ProjectResult].self, forKey: .projects)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(proxyReloads, forKey: .proxyReloads)
        try c.encode(historyError, forKey: .historyError)
        try c.encode(projects, forKey: .projects)
    }
}

extension ApplyReport.ProjectResult: Codable {
    enum CodingKeys: String, CodingKey { case project, succeeded, result, messages, errors }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        project = try c.decode(String.self, forKey: .project)
        result = try c.decode(DeploymentStore.DeploymentResult.self, forKey: .result)
        messages = try c.decode([String].self, forKey: .messages)
        errors = try c.decodeIfPresent([ErrorReport].self, forKey: .errors) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(project, forKey: .project)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(result, forKey: .result)
        try c.encode(messages, forKey: .messages)
        try c.encode(errors, forKey: .errors)
    }
}
