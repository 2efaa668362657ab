import BerthBackup
import Foundation
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics (`GET /metrics`): tasks by state and queue depth (read from the store
/// at each scrape), deploy durations, rollout failures, HTTP requests and their latency, and the backups
/// (from their records at each scrape, so a backup run by `berth backup` from cron counts too).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let deployDuration: DurationHistogram
    private let rolloutFailures: Counter
    /// The per-target backup gauges exposed at the last scrape, by "project/kind/target": a target that is
    /// no longer configured loses its gauges instead of showing its last result forever.
    private let backupGauges = Mutex<[String: [Gauge]]>([:])

    public init() {
        deployDuration = registry.makeDurationHistogram(
            descriptor: .init(namespace: "berth", metricName: "deploy_duration", unitName: "seconds",
                              helpText: "Duration of deploy tasks that ran"),
            labels: [], buckets: [.seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900)])
        rolloutFailures = registry.makeCounter(
            descriptor: .init(namespace: "berth", metricName: "rollout_failures", unitName: "total",
                              helpText: "Projects whose rollout failed (new replicas never ready, rolled back)"))
    }

    func taskFinished(_ task: DeployTask, duration: Duration) {
        guard task.kind == .deploy else { return }  // backups and teardowns are neither deploys nor rollouts
        deployDuration.record(duration)
        let failed = task.results.filter { $0.result != "succeeded" }.count
        if failed > 0 { rolloutFailures.increment(by: Int64(failed)) } else if task.state == .failed { rolloutFailures.increment() }
    }

    static func targetKey(project: String, kind: BackupTargetKind, target: String) -> String { "\(project)/\(kind.rawValue)/\(target)" }

    func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "berth", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "berth", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
            labels: [("route", route)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)]
        ).record(duration)
    }

    /// The exposition text, with the store's current task counts and the platform's backup records.
    /// `targets` ("project/kind/target" of the configured backups), when given, limits the per-target gauges.
    func render(counts: [TaskState: Int], backups: [BackupRecord] = [], targets: Set<String>? = nil) -> String {
        for state in [BackupState.succeeded, .failed] {
            registry.makeGauge(
                descriptor: .init(namespace: "berth", metricName: "backups", unitName: "count",
                                  helpText: "Backups recorded, by result (a backup counts as succeeded only once read back)"),
                labels: [("state", state.rawValue)]
            ).set(Double(backups.filter { $0.state == state }.count))
        }
        var latest: [String: BackupRecord] = [:], lastSuccess: [String: BackupRecord] = [:]
        for record in backups {
            let key = Self.targetKey(project: record.project, kind: record.kind, target: record.target)
            guard targets?.contains(key) ?? true else { continue }
            latest[key] = record
            if record.state == .succeeded { lastSuccess[key] = record }
        }
        var exposed: [String: [Gauge]] = [:]
        for (key, record) in latest {
            let labels = [("project", record.project), ("kind", record.kind.rawValue), ("target", record.target)]
            let result = registry.makeGauge(
                descriptor: .init(namespace: "berth", metricName: "backup_last_result", unitName: "ok",
                                  helpText: "1 when the latest backup of the volume or database succeeded, 0 when it failed"),
                labels: labels
            )
            result.set(Double(record.state == .succeeded ? 1 : 0))
            let success = registry.makeGauge(
                descriptor: .init(namespace: "berth", metricName: "backup_last_success", unitName: "timestamp_seconds",
                                  helpText: "When the latest successful backup of the volume or database started (0: never)"),
                labels: labels
            )
            success.set(lastSuccess[key]?.startedAt.timeIntervalSince1970 ?? 0)
            exposed[key] = [result, success]
        }
        let gone = backupGauges.withLock { previous in
            defer { previous = exposed }
            return previous.filter { exposed[$0.key] == nil }.values.flatMap { $0 }
        }
        for gauge in gone { registry.unregisterGauge(gauge) }
        for state in TaskState.allCases {
            registry.makeGauge(
                descriptor: .init(namespace: "berth", metricName: "tasks", unitName: "count", helpText: "Tasks in the store, by state"),
                labels: [("state", state.rawValue)]
            ).set(Double(counts[state] ?? 0))
        }
        registry.makeGauge(descriptor: .init(namespace: "berth", metricName: "queue_depth", unitName: "tasks", helpText: "Tasks waiting to run"))
            .set(Double(counts[.queued] ?? 0))
        return registry.emitToString()
    }
}
