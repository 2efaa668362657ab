import BerthConfig
@testable import BerthEngine
import BerthProxy
import BerthRuntime
import BerthPlan
import Foundation
import Synchronization

/// An in-memory container runtime for unit tests of rollout logic: containers are created, started,
/// stopped and removed in a dictionary; every started container reports itself healthy (so readiness
/// needs no probe). The real runtime is covered end to end.
final class MemoryRuntime: ContainerRuntime {
    struct Container {
        var id: String
        var name: String
        var running = false
    }

    struct State {
        var containers: [String: Container] = [:]
        var nextID = 1
        /// Operations in the order they happened: "create NAME", "start NAME", "stop NAME", "remove NAME".
        var log: [String] = []
        var creating = 0
        var mostCreatingAtOnce = 0
    }

    let state = Mutex(State())
    /// How long a create takes (to see whether replicas are created in parallel).
    let createDelay: Duration

    /// Networks on the engine that Berth did not create (for the checks of user networks).
    let foreignNetworks: [ForeignNetwork]

    init(createDelay: Duration = .milliseconds(20), foreignNetworks: [ForeignNetwork] = []) {
        self.createDelay = createDelay
        self.foreignNetworks = foreignNetworks
    }

    /// Adds a running container, as a previous deployment left it.
    func add(_ name: String, hash: String = "old") -> ManagedContainer {
        let id = state.withLock { s in
            let id = "c\(s.nextID)"
            s.nextID += 1
            s.containers[id] = Container(id: id, name: name, running: true)
            return id
        }
        let parts = name.split(separator: "-")
        return ManagedContainer(actual: ActualContainer(id: id, name: name, project: String(parts[0]), service: String(parts[1]),
                                                        configHash: hash, replica: Int(parts.last!) ?? 1, image: "x"),
                                labels: [:], addresses: ["\(parts[0])_ingress": "10.0.0.\(state.withLock { $0.nextID })"])
    }

    var names: Set<String> { state.withLock { Set($0.containers.values.map(\.name)) } }
    var log: [String] { state.withLock { $0.log } }

    private func name(_ id: String) -> String { state.withLock { $0.containers[id]?.name ?? id } }

    func managedContainers() async throws -> [ManagedContainer] { [] }
    func managedNetworks() async throws -> [ActualNetwork] { [] }
    func managedVolumes() async throws -> [ActualVolume] { [] }
    func createNetwork(_ spec: NetworkSpec) async throws {}
    func removeNetwork(_ name: String) async throws {}
    func createLock(_ name: String, labels: [String: String]) async throws -> String {
        try state.withLock { s in
            if s.containers.values.contains(where: { $0.name == name }) { throw LockTaken(name: name) }
            let id = "c\(s.nextID)"
            s.nextID += 1
            s.containers[id] = Container(id: id, name: name)
            return id
        }
    }

    func lock(_ name: String) async throws -> (id: String, labels: [String: String])? {
        state.withLock { s in s.containers.values.first { $0.name == name }.map { ($0.id, [:]) } }
    }

    func rename(_ id: String, to name: String) async throws {
        state.withLock { $0.containers[id]?.name = name }
    }
    func createVolume(_ spec: VolumeSpec) async throws {}
    func removeVolume(_ name: String) async throws {}
    func ensureImage(_ reference: String, policy: PullPolicy, credentials: (username: String, password: String)?) async throws {}

    func buildImage(_ service: ServiceSpec, projectDirectory: String, progress: @escaping @Sendable (String) -> Void) async throws -> Bool {
        false
    }

    func imageTaggedAt(_ reference: String) async throws -> Date? { nil }

    func createContainer(_ request: ContainerRequest) async throws -> String {
        state.withLock { s in
            s.creating += 1
            s.mostCreatingAtOnce = max(s.mostCreatingAtOnce, s.creating)
        }
        try await Task.sleep(for: createDelay)
        return state.withLock { s in
            s.creating -= 1
            let id = "c\(s.nextID)"
            s.nextID += 1
            s.containers[id] = Container(id: id, name: request.name)
            s.log.append("create \(request.name)")
            return id
        }
    }

    func start(_ id: String) async throws {
        state.withLock { s in
            s.containers[id]?.running = true
            s.log.append("start \(s.containers[id]?.name ?? id)")
        }
    }

    func stop(_ id: String, timeout: Int?) async throws {
        state.withLock { s in
            s.containers[id]?.running = false
            s.log.append("stop \(s.containers[id]?.name ?? id)")
        }
    }

    func kill(_ id: String, signal: String) async throws {
        state.withLock { s in s.log.append("kill -\(signal) \(s.containers[id]?.name ?? id)") }
    }

    func remove(_ id: String) async throws {
        state.withLock { s in
            s.log.append("remove \(s.containers[id]?.name ?? id)")
            s.containers[id] = nil
        }
    }

    func inspect(_ id: String) async throws -> ContainerStatus {
        let running = state.withLock { $0.containers[id]?.running ?? false }
        return ContainerStatus(running: running, state: running ? "running" : "exited", health: running ? .healthy : .none,
                               addresses: ["site_ingress": "10.0.1.\(id.dropFirst())", "notes_ingress": "10.0.2.\(id.dropFirst())"])
    }

    func logs(_ id: String, tail: Int) async throws -> String { "" }
    func connect(network: String, container: String, aliases: [String]) async throws {}
    func disconnect(network: String, container: String) async throws {}
    func networkLabels(_ network: String) async throws -> [String: String]? {
        foreignNetworks.contains { $0.name == network } ? [:] : nil
    }
    func allNetworks() async throws -> [ForeignNetwork] { foreignNetworks }
    func containerExists(_ name: String) async throws -> Bool { false }
}

/// A proxy driver whose pushes fail on demand: `failing` decides, per pushed route table
/// (route name → upstream addresses), whether that push throws.
final class FlakyDriver: ProxyDriver {
    let kind = ProxyKind.caddy
    let failing: @Sendable ([String: [String]]) -> Bool
    /// Every push attempted, and whether it was taken.
    let attempts = Mutex<[(table: [String: [String]], taken: Bool)]>([])

    init(failing: @escaping @Sendable ([String: [String]]) -> Bool) { self.failing = failing }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "the proxy refused the configuration" }
    }

    func push(_ state: DesiredState) async throws {
        var table: [String: [String]] = [:]
        for route in state.routes { table[route.name] = route.upstreams.map(\.address) }
        let fail = failing(table)
        attempts.withLock { $0.append((table, !fail)) }
        if fail { throw Refused() }
    }

    func routedHosts() async throws -> Set<String> { [] }
    func drain(_ targets: [DrainTarget], timeout: TimeSpan) async -> DrainResult {
        DrainResult(drained: true, signal: "none", waited: .zero)
    }
}
