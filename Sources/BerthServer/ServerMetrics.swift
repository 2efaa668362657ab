import Foundation
import Prometheus

/// The daemon's Prometheus metrics (`GET /metrics`): tasks by state and queue depth (read from the store
/// at each scrape), deploy durations, rollout failures, HTTP requests and their latency.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let deployDuration: DurationHistogram
    private let rolloutFailures: Counter

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
        deployDuration.record(duration)
        let failed = task.results.filter { $0.result != "succeeded" }.count
        if failed > 0 { rolloutFailures.increment(by: Int64(failed)) } else if task.state == .failed { rolloutFailures.increment() }
    }

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

    /// The exposition text, with the store's current task counts.
    func render(counts: [TaskState: Int]) -> String {
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
