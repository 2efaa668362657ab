import BerthConfig
import BerthEngine
import BerthPlan
import BerthProxy
import BerthRuntime
import Foundation
import Synchronization

/// Every call the daemon makes into the engine, in one place: deploys (as the queue's runner), status,
/// history and logs. It reads the configuration repository anew for each call, so that a change in the
/// repository is what the next deploy applies.
public struct EngineDriver: DeployRunner {
    public var configDirectory: String
    public var stateDirectory: URL
    public var dockerHost: String?
    /// How long a deploy waits for the platform's deploy lock (another task, or a `berth apply`).
    public var lockWait: TimeSpan

    public init(configDirectory: String, stateDirectory: URL, dockerHost: String?, lockWait: TimeSpan) {
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.dockerHost = dockerHost
        self.lockWait = lockWait
    }

    /// The repository, loaded anew when a file under it changed (see `RepositoryCache`).
    let repositoryCache = RepositoryCache()
    /// Deploys of different projects run at once: they share the platform's deploy lock, its route table
    /// and, one at a time, the proxy's set-up (see `PlatformSession`). One session per platform name.
    let sessions = PlatformSessions()

    func session(_ platform: PlatformConfig) -> PlatformSession { sessions.session(platform.name) }

    public func repository() throws -> Repository { try repositoryCache.load(configDirectory) }

    func runtime() async throws -> DockerRuntime {
        do { return try await DockerRuntime.connect(host: dockerHost) } catch {
            throw EngineUnavailable(message: "the Docker engine cannot be reached (\(error)); start it or pass --docker-host")
        }
    }

    /// What is wrong with a deploy of `names`: each unknown project, with a suggestion (empty: nothing).
    /// An invalid repository throws its `ConfigError`.
    public func unknownProjects(_ names: [String]) throws -> [String] {
        let known = try repository().projects.map(\.name)
        return names.filter { !known.contains($0) }.map {
            "no project named '\($0)' in projects/\(Suggestion.hint(for: $0, in: known))"
        }
    }

    // MARK: deploys

    public func run(_ task: DeployTask, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> DeployResult {
        if task.kind == .teardown { return try await teardown(task, progress: progress) }
        if task.kind == .backup { return try await backup(task, progress: progress) }
        let repository: Repository
        do { repository = try self.repository() } catch {
            return DeployResult(succeeded: false, message: "the configuration is invalid; nothing was done:\n\(error)", projects: [])
        }
        let runtime = try await runtime()
        let counter = ProgressCounter()
        let engine = ApplyEngine(runtime: runtime, stateDirectory: stateDirectory) { event in
            guard let update = Self.progress(event, counter: counter) else { return }
            progress(update)
        }
        var options = ApplyOptions()
        options.force = task.force
        options.projects = task.projects.map(Set.init)
        options.waitLock = lockWait
        let session = session(repository.platform)
        options.session = session
        let first = try await Self.prepare(engine, repository, options: options, session: session)
        guard first.hasChanges else {
            return DeployResult(succeeded: true, message: "no changes: the platform matches the repository", projects: [])
        }
        let report = try await engine.withLock(repository.platform, wait: lockWait, session: session) { () -> ApplyReport? in
            let prepared = try await Self.prepare(engine, repository, options: options, session: session)
            guard prepared.hasChanges else { return nil }
            counter.setTotal(Self.steps(in: prepared.plan))
            return try await engine.execute(prepared, options: options)
        }
        guard let report else {
            return DeployResult(succeeded: true, message: "no changes: the platform matches the repository", projects: [])
        }
        let outcomes = report.projects.map { ProjectOutcome(project: $0.project, result: $0.result.rawValue, messages: $0.messages) }
        let failed = report.projects.filter { !$0.succeeded }.map { $0.project }
        let message = if let history = report.historyError {
            "deployment \(report.deployment) ran but its history could not be written: \(history)"
        } else if failed.isEmpty {
            "deployment \(report.deployment) succeeded"
        } else {
            "deployment \(report.deployment) failed for \(failed.joined(separator: ", "))"
        }
        return DeployResult(succeeded: report.succeeded, message: message, projects: outcomes)
    }

    /// The engine's plan, made while no other deploy of the session sets the proxy up (a proxy being recreated
    /// has no routes to read).
    static func prepare(_ engine: ApplyEngine, _ repository: Repository, options: ApplyOptions,
                        session: PlatformSession) async throws -> PreparedApply {
        await session.beginProxyWork()
        do {
            let prepared = try await engine.prepare(repository, options: options)
            await session.endProxyWork()
            return prepared
        } catch {
            await session.endProxyWork()
            throw error
        }
    }

    /// One step per service the plan creates, rolls out, scales or removes.
    static func steps(in plan: Plan) -> Int {
        plan.actions.filter {
            switch $0 {
            case .createService, .rolloutService, .scaleService, .removeService: true
            default: false
            }
        }.count
    }

    static func progress(_ event: ApplyEvent, counter: ProgressCounter) -> DeployProgress? {
        switch event.kind {
        case .build, .lockAcquired, .lockReleased, .planned: return nil
        default: break
        }
        let (step, total) = counter.count([.serviceDone, .serviceFailed, .serviceSkipped].contains(event.kind))
        return DeployProgress(phase: event.phase?.rawValue, project: event.project, service: event.service, step: step,
                              total: total, message: event.message)
    }

    /// Whether the Docker host differs from the repository: the engine's plan (made without the lock,
    /// changing nothing) has changes. For the reconciler.
    public func drifted() async throws -> Bool {
        let repository = try repository()
        let engine = ApplyEngine(runtime: try await runtime(), stateDirectory: stateDirectory)
        return try await engine.prepare(repository, options: ApplyOptions()).hasChanges
    }

    // MARK: read side

    /// Each project's status: the engine's own report, as `berth status --json` prints it.
    public func status() async throws -> [StatusReport.Project] {
        let repository = try repository()
        let runtime = try await runtime()
        return try await ApplyEngine(runtime: runtime, stateDirectory: stateDirectory).statusReport(repository).projects
    }

    /// The certificate of every routed TLS host of the projects `include` admits, read from the proxy's
    /// storage (as `berth certs`).
    public func certificates(_ repository: Repository, include: (String) -> Bool = { _ in true }) throws -> [HostCertificate] {
        let platform = repository.platform
        let store = CertificateStore(directory: stateDirectory.appendingPathComponent(platform.name).appendingPathComponent("proxy"), platform: platform)
        return CertificateReport.hosts(CertificateReport.tlsHosts(repository, include: include), certificates: try store.certificates())
    }

    /// The project's recorded deployments, newest first.
    public func history(_ project: String) throws -> [DeploymentView] {
        let repository = try repository()
        let store = DeploymentStore(directory: stateDirectory.appendingPathComponent(repository.platform.name).appendingPathComponent("deployments"))
        return try store.history(project).reversed().map(DeploymentView.init)
    }

    /// The project's container logs, each line prefixed with its container, until the stream ends (or, with
    /// `follow`, until the consumer stops).
    /// `stop()` true ends the stream (the daemon is shutting down), checked every 200 ms.
    public func logs(_ project: String, service: String?, tail: Int, follow: Bool,
                     stop: @escaping @Sendable () -> Bool) async throws -> AsyncThrowingStream<String, any Error> {
        let runtime = try await runtime()
        let containers = try await runtime.managedContainers().filter {
            $0.role == nil && $0.actual.project == project && (service == nil || $0.actual.service == service)
        }.sorted { $0.actual.name < $1.actual.name }
        let (stream, sink) = AsyncThrowingStream<String, any Error>.makeStream()
        let reader = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for c in containers {
                        group.addTask {
                            try await runtime.streamLogs(c.actual.id, since: nil, tail: tail, follow: follow) { sink.yield("\(c.actual.name) | \($0)") }
                        }
                    }
                    try await group.waitForAll()
                }
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        let watcher = Task {
            while !stop(), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
            sink.finish()
        }
        sink.onTermination = { _ in
            reader.cancel()
            watcher.cancel()
        }
        return stream
    }
}

/// The daemon's `PlatformSession`s, one per platform name (a changed domain is another platform).
final class PlatformSessions: Sendable {
    private let all = Mutex<[String: PlatformSession]>([:])

    func session(_ name: String) -> PlatformSession {
        all.withLock { all in
            if let found = all[name] { return found }
            let made = PlatformSession()
            all[name] = made
            return made
        }
    }
}

/// Steps done out of the plan's total, counted from the engine's events (which arrive from several tasks).
final class ProgressCounter: Sendable {
    private let state = Mutex((step: 0, total: 0))

    func setTotal(_ total: Int) { state.withLock { $0.total = total } }

    /// Counts one more step when `finished`; returns (step, total).
    func count(_ finished: Bool) -> (Int, Int) {
        state.withLock { c in
            if finished { c.step += 1 }
            return (c.step, max(c.total, c.step))
        }
    }
}

public struct EngineUnavailable: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One recorded deployment of a project.
public struct DeploymentView: Codable, Sendable {
    public var id, project, result: String
    public var message: String?
    public var startedAt, finishedAt: Date
    public var services: [String]
    enum CodingKeys: String, CodingKey { case id, project, result, message, startedAt = "started_at", finishedAt = "finished_at", services }

    init(_ r: DeploymentStore.Record) {
        id = r.id
        project = r.project
        result = r.result.rawValue
        message = r.message
        startedAt = r.startedAt
        finishedAt = r.finishedAt
        services = r.services.map(\.name)
    }
}
