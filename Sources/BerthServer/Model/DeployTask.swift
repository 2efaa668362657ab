import Foundation

/// Where a task is. `queued` and `running` are the only states a task leaves.
public enum TaskState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled, interrupted

    public var isFinal: Bool { self != .queued && self != .running }
}

/// High-priority tasks run before normal ones; within a priority, oldest first.
public enum TaskPriority: String, Codable, Sendable, CaseIterable {
    case high, normal

    var rank: Int { self == .high ? 0 : 1 }
}

/// What a task does: a deploy (an apply of its projects), or a teardown of projects removed from the
/// repository (as `berth down` does for each).
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    /// `deploy`: apply the projects; `teardown`: remove them (no longer in the repository); `backup`: back up
    /// their volumes and databases (`backups` of project.yml).
    case deploy, teardown, backup
}

/// The result of one project of a task, as the engine reported it.
public struct ProjectOutcome: Codable, Sendable, Equatable {
    public var project: String
    public var result: String
    public var messages: [String]

    public init(project: String, result: String, messages: [String]) {
        self.project = project
        self.result = result
        self.messages = messages
    }
}

/// A queued unit of work: one apply of some (or all) projects.
public struct DeployTask: Codable, Sendable, Equatable {
    public var id: String
    public var kind: TaskKind
    /// The projects to deploy; nil: every project of the repository.
    public var projects: [String]?
    public var force: Bool
    public var priority: TaskPriority
    public var state: TaskState
    public var step: Int
    public var total: Int
    public var percent: Int
    public var message: String
    /// The phase of the latest progress event (pulling, starting, waiting_ready, switching, ...).
    public var phase: String?
    public var results: [ProjectOutcome]
    /// The name of the token that created the task (`daemon` for tasks the daemon queued itself).
    public var createdBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Set when a newer queued deploy of the same projects replaced this one.
    public var replacedBy: String?
    /// Set on the fresh deploy queued for an interrupted task.
    public var retryOf: String?
    /// How many times a daemon claimed the task (1 for its first run). With a shared PostgreSQL queue it is the
    /// fencing token: a daemon whose lease was taken over holds an older attempt, and the store refuses its writes.
    public var attempt: Int?
    /// The daemon that runs (or last ran) the task, with a shared queue.
    public var runner: String?

    public init(id: String = DeployTask.newID(), kind: TaskKind = .deploy, projects: [String]?, force: Bool = false,
                priority: TaskPriority = .normal, createdBy: String, createdAt: Date = Date(), retryOf: String? = nil) {
        self.id = id
        self.kind = kind
        self.projects = projects.map { Array(Set($0)).sorted() }
        self.force = force
        self.priority = priority
        self.state = .queued
        self.step = 0
        self.total = 0
        self.percent = 0
        self.message = "queued"
        self.results = []
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.retryOf = retryOf
    }

    public static func newID() -> String {
        "t-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    /// true when this task touches `project` (a task of every project touches them all).
    public func touches(_ project: String) -> Bool { projects?.contains(project) ?? true }

    /// true when two tasks may not run at the same time: they share a project.
    public func conflicts(with other: DeployTask) -> Bool {
        guard let mine = projects, let theirs = other.projects else { return true }
        return !Set(mine).isDisjoint(with: theirs)
    }

    /// true when running this task does everything `older` would: same or more projects, and force if it forced.
    public func supersedes(_ older: DeployTask) -> Bool {
        guard kind == older.kind else { return false }  // a deploy never stands for a teardown, nor the reverse
        guard force || !older.force else { return false }
        guard let mine = projects else { return true }
        guard let theirs = older.projects else { return false }
        return Set(theirs).isSubset(of: mine)
    }
}
