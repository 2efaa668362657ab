import Foundation

/// Progress of an apply, streamed to the terminal (live lines), to plain logs, or as JSON events.
public struct ApplyEvent: Sendable {
    public enum Kind: String, Sendable {
        case planned, projectStarted = "project_started", step, serviceDone = "service_done"
        case serviceFailed = "service_failed", projectDone = "project_done", finished
        /// A service not started because a service it depends on failed or was skipped.
        case serviceSkipped = "service_skipped"
        /// A project not deployed because a project it consumes failed or was skipped.
        case projectSkipped = "project_skipped"
        case projectFailed = "project_failed"
        case lockAcquired = "lock_acquired", lockReleased = "lock_released"
        /// A line of an image build's output (Compose `build`).
        case build
    }

    public var kind: Kind
    public var project: String?
    public var service: String?
    public var message: String
    public var elapsed: Double
    public var time: Date = Date()

    public init(_ kind: Kind, project: String? = nil, service: String? = nil, message: String, elapsed: Double = 0) {
        self.kind = kind
        self.project = project
        self.service = service
        self.message = message
        self.elapsed = elapsed
    }
}

public typealias EventSink = @Sendable (ApplyEvent) -> Void
