import BerthConfig
import Foundation
internal import PostgresNIO

extension PostgresTaskStore {
    /// One claim at a time across daemons (an advisory lock), over the candidate rows locked with
    /// `FOR UPDATE SKIP LOCKED`: tasks whose lease expired first (they are taken over, attempt + 1), then queued
    /// ones, high priority first, oldest first. A task waits while another task holds one of its projects, and
    /// behind earlier candidates that wait (each project's deploys run in queue order).
    public func claim(owner: String, lease: Duration) async throws -> DeployTask? {
        let seconds = lease.inSeconds
        let (claimed, abandoned) = try await claimOrAbandon(owner: owner, seconds: seconds)
        // Their final event, once the row is final (readers find the event of a final row).
        for task in abandoned {
            _ = try await append(TaskEvent(taskID: task.id, kind: .state, state: .failed, message: task.message))
        }
        return claimed
    }

    /// How many daemons may take a task up before it is given up: a task whose every run ended its daemon
    /// (a crash it causes, say) must not take the next daemon down too, forever.
    public static let maxAttempts = 3

    private func claimOrAbandon(owner: String, seconds: Double) async throws -> (DeployTask?, [DeployTask]) {
        try await transaction { db -> (DeployTask?, [DeployTask]) in
            var abandoned: [DeployTask] = []
            try await db.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.claimLock))", logger: logger)
            var held: [String: String] = [:]
            for try await (project, taskID) in try await db.query("SELECT project, task_id FROM running_projects", logger: logger)
                .decode((String, String).self) { held[project] = taskID }
            var candidates: [(task: DeployTask, expired: Bool)] = []
            for try await (body, attempt, runner, state) in try await db.query("""
                SELECT body, attempt, runner, state FROM tasks
                WHERE state = 'queued' OR (state = 'running' AND lease_expires_at < now())
                ORDER BY (state = 'running') DESC, priority_rank, seq
                FOR UPDATE SKIP LOCKED
                """, logger: logger).decode((String, Int, String?, String).self) {
                candidates.append((try task(body: body, attempt: attempt, runner: runner), state == "running"))
            }
            var blocked: [DeployTask] = []
            for (candidate, expired) in candidates {
                if expired, let attempt = candidate.attempt, attempt >= Self.maxAttempts {
                    var failed = candidate
                    failed.state = .failed
                    failed.finishedAt = Date()
                    failed.message = "given up after \(attempt) attempts: each daemon that ran it (the last one \(candidate.runner ?? "unknown")) "
                        + "stopped before it ended; see their logs, then queue a new deploy"
                    try await db.query("UPDATE tasks SET state = 'failed', body = \(try Self.json(failed)) WHERE id = \(failed.id)", logger: logger)
                    try await db.query("DELETE FROM running_projects WHERE task_id = \(failed.id)", logger: logger)
                    abandoned.append(failed)
                    continue
                }
                let others = held.filter { $0.value != candidate.id }
                let busy = if let projects = candidate.projects {
                    others["*"] != nil || projects.contains { others[$0] != nil }
                } else {
                    !others.isEmpty
                }
                if busy || blocked.contains(where: candidate.conflicts) {
                    blocked.append(candidate)
                    continue
                }
                var claimed = candidate
                let attempt = (candidate.attempt ?? 0) + 1
                claimed.state = .running
                claimed.startedAt = Date()
                claimed.attempt = attempt
                claimed.runner = owner
                claimed.message = expired
                    ? "running (attempt \(attempt): taken over from \(candidate.runner ?? "another daemon"), whose lease expired)"
                    : "running"
                try await db.query("""
                    UPDATE tasks SET state = 'running', attempt = \(attempt), runner = \(owner),
                                     lease_expires_at = now() + make_interval(secs => \(seconds)), body = \(try Self.json(claimed))
                    WHERE id = \(claimed.id)
                    """, logger: logger)
                try await db.query("DELETE FROM running_projects WHERE task_id = \(claimed.id)", logger: logger)
                for project in claimed.projects ?? ["*"] {
                    try await db.query("INSERT INTO running_projects (project, task_id, attempt) VALUES (\(project), \(claimed.id), \(attempt))",
                                       logger: logger)
                }
                return (claimed, abandoned)
            }
            return (nil, abandoned)
        }
    }

    public func renew(_ id: String, attempt: Int, lease: Duration) async throws -> Bool {
        let seconds = lease.inSeconds
        var renewed = false
        for try await _ in try await client.query("""
            UPDATE tasks SET lease_expires_at = now() + make_interval(secs => \(seconds))
            WHERE id = \(id) AND attempt = \(attempt) AND state = 'running' RETURNING id
            """, logger: logger).decode(String.self) { renewed = true }
        return renewed
    }

    public func requestCancel(_ id: String, by who: String) async throws -> Bool {
        var found = false
        for try await _ in try await client.query("""
            UPDATE tasks SET cancel_requested_by = \(who) WHERE id = \(id) AND state = 'running' RETURNING id
            """, logger: logger).decode(String.self) { found = true }
        return found
    }

    public func cancelRequest(_ id: String, attempt: Int) async throws -> String? {
        var who: String?
        for try await value in try await client.query("""
            SELECT cancel_requested_by FROM tasks WHERE id = \(id) AND attempt = \(attempt) AND state = 'running'
            """, logger: logger).decode(String?.self) { who = value }
        return who
    }

    /// The projects held by running tasks, as the database records them (project → task id, attempt).
    public func runningProjects() async throws -> [String: (task: String, attempt: Int)] {
        var out: [String: (task: String, attempt: Int)] = [:]
        for try await (project, taskID, attempt) in try await client.query("SELECT project, task_id, attempt FROM running_projects", logger: logger)
            .decode((String, String, Int).self) { out[project] = (taskID, attempt) }
        return out
    }
}
