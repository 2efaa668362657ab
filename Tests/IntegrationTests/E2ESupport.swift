import Foundation
import Testing
import TestSupport

extension Tag {
    /// End-to-end tests against the real Docker engine and the real Caddy proxy container.
    @Tag static var e2e: Self
}

/// Shared settings and steps of the end-to-end apply tests.
enum E2E {
    /// The proxy's published ports, bound to 127.0.0.1 only.
    static let httpPort = 18080
    static let httpsPort = 18443
    static let proxyImage = "berth/caddy:2.11"
    static let pool = "10.214.0.0/16"
    /// Resources of the proxy stack and the deploy lock: not part of any project.
    /// The tests' platform is named after its domain `e2e.localhost`.
    static let platformName = "e2e-localhost"
    static let proxyContainer = "berth-e2e-localhost-proxy"
    static let proxyNetwork = "berth-e2e-localhost_proxy"
    static let lockContainer = "berth-e2e-localhost-lock"
    /// The platform's DNS server (dns.server), when a test runs one.
    static let dnsContainer = "berth-e2e-localhost-dns"
    static let traefikImage = "berth/traefik:3.7"
    /// Traefik's API port for the tests' platform (on 127.0.0.1).
    static let traefikAPIPort = 18089

    /// Set BERTH_E2E=0 to skip these tests (they need root and a Docker engine).
    static var enabled: Bool { ProcessInfo.processInfo.environment["BERTH_E2E"] != "0" }

    /// Once per test process: `scripts/build-images.sh` makes sure the demo and proxy images exist
    /// (it builds them offline on a fresh machine, and is quick when they are up to date).
    private static let images: Result<String, E2EFailure> = {
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/build-images.sh").path
        guard let result = try? Fixtures.run(["bash", script], in: Fixtures.packageRoot) else {
            return .failure(E2EFailure("could not run \(script)"))
        }
        guard result.status == 0 else {
            return .failure(E2EFailure("scripts/build-images.sh failed (exit \(result.status)):\n\(result.output)"))
        }
        return .success(result.output)
    }()

    static func ensureImages() throws {
        _ = try images.get()
        guard FileManager.default.isExecutableFile(atPath: BerthBinary.url.path) else {
            throw E2EFailure("the berth executable is missing at \(BerthBinary.url.path); run swift build --build-tests first")
        }
    }

    /// The tests' Traefik, as a top-level `proxy:` block (127.0.0.1:18080/18443, API 18089).
    static let traefikProxyBlock = """
        proxy:
          kind: traefik
          image: \(traefikImage)
          http_port: \(httpPort)
          https_port: \(httpsPort)
          api_port: \(traefikAPIPort)
          bind_address: 127.0.0.1
        """

    /// A platform.yml for the tests: Caddy (or Traefik) on 127.0.0.1:18080/18443, the test address pool.
    static func platformYAML(extra: String = "", traefik: Bool = false) -> String {
        let proxy = traefik
            ? "{kind: traefik, image: \(traefikImage), http_port: \(httpPort), https_port: \(httpsPort), bind_address: 127.0.0.1, api_port: \(traefikAPIPort)}"
            : "{kind: caddy, image: \(proxyImage), http_port: \(httpPort), https_port: \(httpsPort), bind_address: 127.0.0.1}"
        return """
        domain: e2e.localhost
        proxy: \(proxy)
        network: {pools: [\(pool)]}
        \(extra)
        """
    }

    static func exists(container: String) async -> Bool {
        await E2ECommand.docker(["inspect", "--type", "container", container]).status == 0
    }

    /// compose.yml of one app service (berth-demo/app:1).
    static func appCompose(service: String = "web", replicas: Int = 2, environment: [String: String] = ["APP_VERSION": "1"],
                           image: String = "berth-demo/app:1", extra: String = "") -> String {
        var text = "services:\n  \(service):\n    image: \(image)\n"
        if !environment.isEmpty {
            text += "    environment:\n"
            for (k, v) in environment.sorted(by: { $0.key < $1.key }) { text += "      \(k): \"\(v)\"\n" }
        }
        text += "    deploy:\n      replicas: \(replicas)\n"
        text += extra
        return text
    }

    /// project.yml with one http route (tls off) probed on /cgi-bin/health.
    static func appProject(host: String, service: String = "web", readyTimeout: String = "30s", drainTimeout: String = "10s") -> String {
        """
        ingress:
          - service: \(service)
            hosts: [\(host)]
            port: 8080
            tls: false
            health: {path: /cgi-bin/health, interval: 1s, timeout: 1s}
        rollout:
          ready_timeout: \(readyTimeout)
          drain_timeout: \(drainTimeout)

        """
    }

    /// The JSON summary line of `berth apply --json`.
    static func summary(_ result: E2ECommandResult) -> [String: Any]? {
        for line in result.stdout.split(separator: "\n").reversed() {
            if let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
               object["event"] as? String == "summary" { return object }
        }
        return nil
    }

    /// The steps of `berth apply --json` with their elapsed seconds, on one line (for the test log).
    static func timeline(_ result: E2ECommandResult) -> String {
        result.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  object["event"] as? String == "step", let message = object["message"] as? String else { return nil }
            let words = message.split(separator: " ").prefix(2).joined(separator: " ")
            return "\(words) @\(object["elapsed"] as? Double ?? 0)s"
        }.joined(separator: ", ")
    }

    /// The `phase` of each event of `berth apply --json` about `service` (nil where an event has none), in order.
    static func phases(_ result: E2ECommandResult, service: String) -> [String?] {
        result.stdout.split(separator: "\n").compactMap { line -> String?? in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  object["service"] as? String == service else { return nil }
            return .some(object["phase"] as? String)
        }
    }

    /// Names of all containers (running or not) whose name starts with `prefix`.
    static func containers(_ prefix: String) async -> [String] {
        await E2ECommand.dockerLines(["ps", "-a", "--format", "{{.Names}}"]).filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func runningContainers(_ prefix: String) async -> [String] {
        await E2ECommand.dockerLines(["ps", "--format", "{{.Names}}"]).filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func networks(_ prefix: String) async -> [String] {
        await E2ECommand.dockerLines(["network", "ls", "--format", "{{.Name}}"]).filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func volumes(_ prefix: String) async -> [String] {
        await E2ECommand.dockerLines(["volume", "ls", "--format", "{{.Name}}"]).filter { $0.hasPrefix(prefix) }.sorted()
    }

    static func exists(network: String) async -> Bool {
        await E2ECommand.docker(["network", "inspect", network]).status == 0
    }

    /// The 8-character config hash in a replica name `<project>-<service>-<hash8>-<n>`.
    static func hash(ofReplica name: String, project: String, service: String) -> String? {
        let rest = name.dropFirst("\(project)-\(service)-".count)
        let hash = rest.prefix(8)
        return hash.count == 8 && hash.allSatisfy(\.isHexDigit) ? String(hash) : nil
    }

    /// Runs a command in a container with a time limit; true when it exits 0.
    static func exec(_ container: String, _ command: String, timeout: Double = 10) async -> E2ECommandResult {
        await E2ECommand.docker(["exec", container, "sh", "-c", command], timeout: timeout)
    }

    /// Whether `container` can open a TCP connection to `host:port` (busybox nc has no -z: stdin is
    /// empty, so nc exits 0 right after a successful connect, 1 when it cannot connect).
    static func canConnect(from container: String, to host: String, port: Int) async -> Bool {
        await exec(container, "timeout 6 nc -w 2 \(host) \(port) </dev/null >/dev/null 2>&1").status == 0
    }

    /// `canConnect`, tried again for up to `seconds`: for a positive check of a service that has no health
    /// check (it may not listen yet when the apply returns). Negative checks stay with `canConnect`.
    static func connects(from container: String, to host: String, port: Int, within seconds: Double = 15) async -> Bool {
        let deadline = Deadline(seconds: seconds)
        repeat {
            if await canConnect(from: container, to: host, port: port) { return true }
            try? await Task.sleep(for: .milliseconds(500))
        } while !deadline.passed
        return false
    }

    /// IP address of a container on a network.
    static func address(of container: String, on network: String) async -> String? {
        let out = await E2ECommand.docker(["inspect", "-f", "{{with index .NetworkSettings.Networks \"\(network)\"}}{{.IPAddress}}{{end}}", container])
        let ip = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return out.status == 0 && !ip.isEmpty ? ip : nil
    }
}

struct E2EFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// One test's world: a configuration repository in a temporary directory, a state directory, and the
/// project-name prefix that every container, network and volume of the test starts with. `run`
/// removes all of it afterwards — also when the test fails or throws.
final class E2EScenario: @unchecked Sendable {
    let prefix: String
    let repo: URL
    let stateDir: URL
    private let root: URL
    /// Projects ever written to the repository (for `berth down` in the clean-up).
    private var projectNames: [String] = []

    private init(prefix: String) {
        self.prefix = prefix
        root = Fixtures.tempDirectory("berth-e2e-\(prefix)")
        repo = root.appendingPathComponent("repo")
        stateDir = root.appendingPathComponent("state")
        try? FileManager.default.createDirectory(at: repo.appendingPathComponent("projects"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: true)
    }

    /// Runs `body` in a fresh scenario (leftovers of the prefix and of the proxy are removed first)
    /// and cleans up afterwards, whatever happens.
    static func run(_ prefix: String, _ body: (E2EScenario) async throws -> Void) async throws {
        try E2E.ensureImages()
        let scenario = E2EScenario(prefix: prefix)
        await scenario.removeLeftovers()
        do {
            try await body(scenario)
        } catch {
            await scenario.cleanup()
            throw error
        }
        await scenario.cleanup()
    }

    // MARK: repository

    func write(_ path: String, _ content: String) throws {
        let url = repo.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
        noteProjects()
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: repo.appendingPathComponent(path), encoding: .utf8)
    }

    /// Adds a project with `compose.yml` and `project.yml`.
    func project(_ name: String, compose: String, project: String) throws {
        try write("projects/\(name)/compose.yml", compose)
        try write("projects/\(name)/project.yml", project)
    }

    func removeProject(_ name: String) throws {
        try FileManager.default.removeItem(at: repo.appendingPathComponent("projects/\(name)"))
    }

    /// Copies a directory (e.g. an example repository) into the scenario's repository.
    func copyRepository(from source: URL) throws {
        try FileManager.default.removeItem(at: repo)
        try FileManager.default.copyItem(at: source, to: repo)
        noteProjects()
    }

    func renameProject(_ old: String, to new: String) throws {
        try FileManager.default.moveItem(at: repo.appendingPathComponent("projects/\(old)"), to: repo.appendingPathComponent("projects/\(new)"))
        noteProjects()
    }

    private func noteProjects() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("projects").path)) ?? []
        for name in names.sorted() where !projectNames.contains(name) { projectNames.append(name) }
    }

    // MARK: berth

    /// `berth <command> -c REPO --state-dir STATE ...`.
    func berth(_ command: String, _ arguments: [String] = [], timeout: Double = 180) async throws -> E2ECommandResult {
        try await BerthBinary.runAsync([command] + arguments + ["-c", repo.path, "--state-dir", stateDir.path], timeout: timeout)
    }

    /// `berth apply --yes` (plus `arguments`).
    func apply(_ arguments: [String] = [], timeout: Double = 180) async throws -> E2ECommandResult {
        try await berth("apply", ["--yes"] + arguments, timeout: timeout)
    }

    /// `berth apply --yes` started in the background.
    func startApply(_ arguments: [String] = []) throws -> E2EBackgroundCommand {
        try BerthBinary.start(["apply", "--yes"] + arguments + ["-c", repo.path, "--state-dir", stateDir.path])
    }

    // MARK: clean-up

    /// Label-free clean-up: `berth down --volumes` for every project the test wrote (each project is
    /// then removed from the repository, so that the next `down` does not look for its networks),
    /// then every container, network and volume named after the prefix, the proxy and the lock.
    func cleanup() async {
        for name in projectNames {
            _ = try? await berth("down", [name, "--volumes"], timeout: 60)
            try? FileManager.default.removeItem(at: repo.appendingPathComponent("projects/\(name)"))
        }
        await removeLeftovers()
        Fixtures.cleanup(root)
    }

    /// Removes, by name, every container/network/volume of this test's prefix, the proxy container and
    /// network, and the deploy lock network.
    func removeLeftovers() async {
        let containers = await E2ECommand.dockerLines(["ps", "-a", "--format", "{{.Names}}"])
            .filter { $0.hasPrefix(prefix) || $0.hasPrefix(E2E.proxyContainer) || $0 == E2E.lockContainer || $0 == E2E.dnsContainer
                || $0.hasPrefix("berth-\(prefix)") }
        if !containers.isEmpty { await E2ECommand.docker(["rm", "-f", "-v"] + containers) }
        let networks = await E2ECommand.dockerLines(["network", "ls", "--format", "{{.Name}}"])
            .filter { $0.hasPrefix(prefix) || $0 == E2E.proxyNetwork }
        for network in networks { await E2ECommand.docker(["network", "rm", network]) }
        let volumes = await E2ECommand.dockerLines(["volume", "ls", "--format", "{{.Name}}"]).filter { $0.hasPrefix(prefix) }
        if !volumes.isEmpty { await E2ECommand.docker(["volume", "rm", "-f"] + volumes) }
    }
}
