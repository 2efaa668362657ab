import Foundation

/// One progress report of a running deploy, from the engine's events.
public struct DeployProgress: Sendable, Equatable {
    public var phase: String?
    public var project: String?
    public var service: String?
    public var step: Int
    public var total: Int
    public var message: String

    public init(phase: String? = nil, project: String? = nil, service: String? = nil, step: Int, total: Int, message: String) {
        self.phase = phase
        self.project = project
        self.service = service
        self.step = step
        self.total = total
        self.message = message
    }
}

/// How a deploy ended.
public struct DeployResult: Sendable, Equatable {
    public var succeeded: Bool
    public var message: String
    public var projects: [ProjectOutcome]

    public init(succeeded: Bool, message: String, projects: [ProjectOutcome]) {
        self.succeeded = succeeded
        self.message = message
        self.projects = projects
    }
}

/// What runs a task: the engine (`EngineDriver`), or a scripted runner in unit tests of the queue.
/// A cancelled run stops at its next safe point and throws `CancellationError` (or returns early).
public protocol DeployRunner: Sendable {
    func run(_ task: DeployTask, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> DeployResult
}
