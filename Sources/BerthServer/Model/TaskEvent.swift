import Foundation

/// One persisted event: a task's state change or an engine progress event. `id` orders all events of
/// the store and is the SSE event id (`Last-Event-ID` resumes after it).
public struct TaskEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The task changed state (queued, running, a final state).
        case state
        /// Progress from the engine (phase, project, service, step/total).
        case progress
    }

    public var id: Int64
    public var taskID: String
    public var kind: Kind
    public var time: Date
    public var state: TaskState?
    public var phase: String?
    public var project: String?
    public var service: String?
    public var step: Int?
    public var total: Int?
    public var percent: Int?
    public var message: String
    /// The task's attempt that wrote the event; with a shared queue the store refuses an event of an older attempt.
    public var attempt: Int?

    public init(id: Int64 = 0, taskID: String, kind: Kind, time: Date = Date(), state: TaskState? = nil, phase: String? = nil,
                project: String? = nil, service: String? = nil, step: Int? = nil, total: Int? = nil, percent: Int? = nil,
                message: String, attempt: Int? = nil) {
        self.id = id
        self.taskID = taskID
        self.kind = kind
        self.time = time
        self.state = state
        self.phase = phase
        self.project = project
        self.service = service
        self.step = step
        self.total = total
        self.percent = percent
        self.message = message
        self.attempt = attempt
    }
}
