import Foundation

/// Progress of an apply, streamed to the terminal (live lines), to plain logs, or as JSON events.
public struct ApplyEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case planned, projectStarted = "project_started", step, serviceDone = "service_done"
        case serviceFailed = "service_failed", projectDone = "project_done", finished
        /// A service not started because a service it depends on failed or was skipped.
        case serviceSkipped = "service_skipped"
        /// A project not deployed because a project it consumes failed or was skipped.
        case projectSkipped = "project_skipped"
        case projectFailed = "project_failed"
        /// A project stopped by a cancelled apply (at a safe point, cleaned up) or never started because of it.
        case projectCancelled = "project_cancelled"
        case lockAcquired = "lock_acquired", lockReleased = "lock_released"
        /// A line of an image build's output (Compose `build`).
        case build
    }

    /// Where a service (or project) is in its rollout, for clients that follow progress without reading
    /// `message` (free text for people). Every event about a service or project has one.
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case pulling, building, starting
        case waitingReady = "waiting_ready"
        case switching, draining, stopping, done, failed, skipped
        /// Stopped by a cancelled apply: what it started was removed, the old replicas keep serving.
        case cancelled
    }

    public var kind: Kind
    public var phase: Phase?
    public var project: String?
    public var service: String?
    public var message: String
    public var elapsed: Double
    public var time: Date = Date()

    /// `phase` defaults to the one `kind` implies (done, failed, skipped, building); a `step` names its own.
    public init(_ kind: Kind, phase: Phase? = nil, project: String? = nil, service: String? = nil, message: String, elapsed: Double = 0) {
        self.kind = kind
        self.phase = phase ?? Self.phase(of: kind)
        self.project = project
        self.service = service
        self.message = message
        self.elapsed = elapsed
    }

    static func phase(of kind: Kind) -> Phase? {
        switch kind {
        case .serviceDone, .projectDone: .done
        case .serviceFailed, .projectFailed: .failed
        case .serviceSkipped, .projectSkipped: .skipped
        case .build: .building
        case .projectStarted: .starting
        case .projectCancelled: .cancelled
        case .planned, .step, .finished, .lockAcquired, .lockReleased: nil
        }
    }
}

public typealias EventSink = @Sendable (ApplyEvent) -> Void
