import AsyncHTTPClient
import BerthConfig
import BerthPlan
import BerthRuntime
import BerthRender
import Foundation

/// Routing through Traefik's file provider: the static file and one dynamic file per project in a
/// directory the proxy container mounts, each written atomically (temp file, fsync, rename), then
/// confirmed through Traefik's API (`/api/http/routers`) until every router is loaded with the
/// expected servers. Traefik swaps its routing in-process: no connection is reset by a switch.
/// It has no per-server in-flight counter: draining watches the old replicas' TCP connections.
public struct TraefikDriver: ProxyDriver {
    public let kind = ProxyKind.traefik
    /// Host directory mounted at `/etc/traefik` in the proxy container.
    public var directory: URL
    /// Traefik's API, on the host's loopback only (e.g. `127.0.0.1:8089`).
    public var api: String
    public var confirmTimeout: TimeSpan = .seconds(15)

    public init(directory: URL, api: String) {
        self.directory = directory
        self.api = api
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Writes every file; returns the expected routers (`name@file` → server URLs or addresses).
    @discardableResult
    public func write(_ state: DesiredState) throws -> [String: Set<String>] {
        let files = [TraefikRenderer.staticConfig(state)] + TraefikRenderer.dynamicConfigs(state)
        // The file provider watches this directory from its start: it must exist even with no routes yet
        // (Traefik does not retry a directory that was missing when it started).
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("dynamic"), withIntermediateDirectories: true)
        try OutputDirectory(root: directory, owned: ["dynamic"])
            .write(files.map { RenderedFile(path: String($0.path.dropFirst("traefik/".count)), contents: $0.contents) })
        return Self.expectedRouters(state)
    }

    static func expectedRouters(_ state: DesiredState) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for route in state.routes where route.proto == .http {
            result["\(route.name)@file"] = Set(route.upstreams.map { "http://\($0.address)" })
        }
        return result
    }

    public func push(_ state: DesiredState) async throws {
        let expected = try write(state)
        let deadline = ContinuousClock.now + .milliseconds(confirmTimeout.milliseconds)
        var last = ""
        while ContinuousClock.now < deadline {
            do {
                let routers = try await get("/api/http/routers")
                let services = try await get("/api/http/services")
                if let missing = Self.unconfirmed(expected: expected, routers: routers, services: services) {
                    last = missing
                } else {
                    return
                }
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw Failure(message: "Traefik did not load the new routes within \(confirmTimeout): \(last)")
    }

    /// nil when every expected router is enabled and its service has exactly the expected servers.
    static func unconfirmed(expected: [String: Set<String>], routers: Data, services: Data) -> String? {
        let routerList = (try? JSONSerialization.jsonObject(with: routers)) as? [[String: Any]] ?? []
        let serviceList = (try? JSONSerialization.jsonObject(with: services)) as? [[String: Any]] ?? []
        let loaded = Dictionary(routerList.compactMap { r in (r["name"] as? String).map { ($0, r) } }) { a, _ in a }
        let servicesByName = Dictionary(serviceList.compactMap { s in (s["name"] as? String).map { ($0, s) } }) { a, _ in a }
        for (name, servers) in expected.sorted(by: { $0.key < $1.key }) {
            guard let router = loaded[name] else { return "router \(name) is not loaded yet" }
            if let status = router["status"] as? String, status != "enabled" { return "router \(name) is \(status)" }
            let serviceName = (router["service"] as? String).map { $0.contains("@") ? $0 : "\($0)@file" } ?? name
            let lb = servicesByName[serviceName]?["loadBalancer"] as? [String: Any]
            let urls = Set((lb?["servers"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String })
            if urls != servers { return "service \(serviceName) has servers \(urls.sorted()), expected \(servers.sorted())" }
        }
        return nil
    }

    private func get(_ path: String) async throws -> Data {
        var request = HTTPClientRequest(url: "http://\(api)\(path)")
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 32 << 20)
        guard response.status.code == 200 else { throw Failure(message: "Traefik API \(path): HTTP \(response.status.code)") }
        return Data(body.readableBytesView)
    }

    public func routedHosts() async throws -> Set<String> {
        let services = try await get("/api/http/services")
        let list = (try? JSONSerialization.jsonObject(with: services)) as? [[String: Any]] ?? []
        var hosts = Set<String>()
        for service in list {
            let lb = service["loadBalancer"] as? [String: Any]
            for server in lb?["servers"] as? [[String: Any]] ?? [] {
                if let url = (server["url"] as? String).flatMap(URL.init(string:)), let host = url.host { hosts.insert(host) }
            }
        }
        return hosts
    }

    /// Traefik has no per-server in-flight counter: the old replicas' own TCP connections tell (see
    /// `ConnectionWatch`), polled every 20 ms until none carries a request. Where they cannot be read
    /// (Berth not on the Docker host, or not root), the drain waits the whole timeout.
    public func drain(_ targets: [DrainTarget], timeout: TimeSpan) async -> DrainResult {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(timeout.milliseconds)
        guard targets.allSatisfy({ ConnectionWatch.available(pid: $0.pid) }) else {
            try? await Task.sleep(until: deadline)
            return DrainResult(drained: true, signal: "fixed wait (connections not readable here)", waited: .now - start)
        }
        let watch = ConnectionWatch()
        while ContinuousClock.now < deadline && !Task.isCancelled {
            var busy = 0
            var readable = true
            for target in targets {
                if let connections = await watch.connections(pid: target.pid, port: target.port) {
                    busy += watch.inFlight(connections)
                } else if FileManager.default.fileExists(atPath: "/proc/\(target.pid)/ns/net") {
                    readable = false  // it runs but could not be read: ask again
                }  // else it exited: nothing of it is in flight
            }
            if readable && busy == 0 { return DrainResult(drained: true, signal: "tcp connections", waited: .now - start) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return DrainResult(drained: false, signal: "tcp connections", waited: .now - start)
    }
}
