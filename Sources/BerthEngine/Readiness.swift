import Foundation
import AsyncHTTPClient
import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime
import NIOCore
import NIOPosix

/// Decides when a new replica is ready: Docker's health check when the container has one, else
/// Berth's HTTP probe on the route's health path, else a TCP connect, else "running for a second".
struct Readiness: Sendable {
    let runtime: any ContainerRuntime

    struct NotReady: Error, CustomStringConvertible {
        var container: String
        var reason: String
        /// The last health-check outputs or log lines, for the report.
        var details: [String]
        /// Not ready within the timeout (rather than exited, crashed or unhealthy).
        var timedOut = false

        var description: String {
            ([ "\(container): \(reason)" ] + details.map { "    \($0)" }).joined(separator: "\n")
        }
    }

    /// Returns the container's status when it became ready (its addresses included).
    @discardableResult
    func wait(id: String, name: String, route: ProxyRoute?, timeout: TimeSpan) async throws -> ContainerStatus {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(timeout.milliseconds)
        var runningSince: ContinuousClock.Instant?
        var lastProbe = "not probed yet"
        while true {
            let status = try await runtime.inspect(id)
            if !status.running && status.state != "created" && status.state != "restarting" {
                throw await notReady(id, name, "exited with code \(status.exitCode) before it was ready", status)
            }
            if status.restartCount > 0 || status.state == "restarting" {
                throw await notReady(id, name, "crashed and was restarted before it was ready", status)
            }
            if status.running {
                runningSince = runningSince ?? .now
                switch status.health {
                case .healthy:
                    return status
                case .unhealthy:
                    throw await notReady(id, name, "its health check reports unhealthy", status)
                case .starting:
                    lastProbe = "health check still starting"
                case .none:
                    if let route, let address = status.addresses[route.network] {
                        let result = await probe(route: route, address: address)
                        if result == nil { return status }
                        lastProbe = result!
                    } else if route == nil, let since = runningSince, ContinuousClock.now - since >= .seconds(1) {
                        return status
                    } else if route != nil {
                        lastProbe = "no address on \(route!.network)"
                    }
                }
            }
            if ContinuousClock.now >= deadline {
                var error = await notReady(id, name, "not ready after \(timeout) (\(lastProbe))", status)
                error.timedOut = true
                throw error
            }
            try await Task.sleep(for: Self.pollInterval(since: start))
        }
    }

    /// Poll often while a replica is likely to become ready any moment (most apps within a few
    /// seconds), then back off: a ready replica is seen within ~25 ms of its readiness, and a slow
    /// one costs at most a few inspections per second.
    static func pollInterval(since start: ContinuousClock.Instant) -> Duration {
        let waited = ContinuousClock.now - start
        if waited < .seconds(3) { return .milliseconds(25) }
        if waited < .seconds(15) { return .milliseconds(100) }
        return .milliseconds(500)
    }

    /// nil when the probe succeeds; otherwise why it failed.
    func probe(route: ProxyRoute, address: String) async -> String? {
        switch route.proto {
        case .http:
            let path = route.health?.path ?? "/"
            var request = HTTPClientRequest(url: "http://\(address):\(route.port)\(path)")
            request.headers.add(name: "Host", value: route.hosts.first ?? address)
            request.headers.add(name: "User-Agent", value: "berth-probe")
            let timeout = TimeAmount.milliseconds(Int64(route.health?.timeout.milliseconds ?? 2000))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: timeout)
                _ = try? await response.body.collect(upTo: 1 << 20)
                let code = Int(response.status.code)
                let ok = route.health?.expectStatus.map { $0 == code } ?? (200..<400).contains(code)
                return ok ? nil : "GET \(path) answered \(code)"
            } catch {
                return "GET \(path) failed: \(error)"
            }
        case .tcp:
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(1))
                    .connect(host: address, port: route.port).get()
                try? await channel.close()
                return nil
            } catch {
                return "TCP connect to port \(route.port) failed"
            }
        case .udp:
            return nil
        }
    }

    private func notReady(_ id: String, _ name: String, _ reason: String, _ status: ContainerStatus) async -> NotReady {
        var details = status.healthLog.suffix(3).map { "health check: \($0.trimmingCharacters(in: .whitespacesAndNewlines))" }
        if let logs = try? await runtime.logs(id, tail: 10) {
            details += logs.split(separator: "\n").suffix(10).map { "log: \($0)" }
        }
        return NotReady(container: name, reason: reason, details: details)
    }
}
