import Foundation
import Testing

@testable import BerthDocker

/// Shared pieces of the engine tests: the run id and its labels, a client that is always shut down,
/// clean-up of everything the run created, and polling with deadlines.
enum DockerTest {
    /// Labels every resource of this process's run: `berth.test=<runID>`.
    static let runID = String(UUID().uuidString.prefix(8)).lowercased()
    static let suiteLabel = "berth.test.suite"
    static let suiteName = "BerthDockerTests"
    static var labels: [String: String] { ["berth.test": runID, suiteLabel: suiteName] }
    static var runFilter: [String] { ["berth.test=\(runID)"] }

    /// `berth-test-<runID>-<suffix>`.
    static func name(_ suffix: String) -> String { "berth-test-\(runID)-\(suffix)" }

    /// Runs `body` with a client; afterwards (also when `body` throws) removes what this run created
    /// and shuts the client down.
    static func withDocker(_ body: (DockerClient) async throws -> Void) async throws {
        _ = try await TestImages.ensureBusybox()
        try await leftovers.value
        let docker = try DockerClient()
        do {
            try await body(docker)
        } catch {
            await removeAll(labelFilters: runFilter, docker: docker)
            try? await docker.shutdown()
            throw error
        }
        await removeAll(labelFilters: runFilter, docker: docker)
        try await docker.shutdown()
    }

    /// Removes containers, then networks and volumes, matching the filters; errors are ignored so that
    /// one stuck resource does not keep the others.
    static func removeAll(labelFilters: [String], docker: DockerClient, olderThan age: TimeInterval = 0) async {
        let cutoff = Date().addingTimeInterval(-age)
        for container in (try? await docker.containers.list(all: true, labelFilters: labelFilters)) ?? []
        where Date(timeIntervalSince1970: TimeInterval(container.created)) <= cutoff {
            try? await docker.containers.remove(container.id, force: true, volumes: true)
        }
        for network in (try? await docker.networks.list(labelFilters: labelFilters)) ?? []
        where age == 0 || parseTime(network.created).map({ $0 <= cutoff }) == true {
            try? await docker.networks.remove(network.id)
        }
        for volume in (try? await docker.volumes.list(labelFilters: labelFilters)) ?? []
        where age == 0 || parseTime(volume.createdAt).map({ $0 <= cutoff }) == true {
            try? await docker.volumes.remove(volume.name)
        }
    }

    /// Docker's RFC 3339 times, whose fractions have up to nine digits (more than the formatter reads).
    static func parseTime(_ text: String?) -> Date? {
        guard let text else { return nil }
        let whole = text.replacingOccurrences(of: #"\.[0-9]+"#, with: "", options: .regularExpression)
        return ISO8601DateFormatter().date(from: whole)
    }

    /// Once per process: leftovers of earlier runs of this suite, older than two minutes so that a
    /// concurrent run keeps its own (other suites' `berth.test` resources are not touched).
    private static let leftovers = Task<Void, any Error> {
        let docker = try DockerClient()
        await removeAll(labelFilters: ["\(suiteLabel)=\(suiteName)"], docker: docker, olderThan: 120)
        try await docker.shutdown()
    }

    /// Creates a labelled bridge network on a free /24 of 10.250.0.0/16; returns its id and subnet.
    static func createNetwork(
        _ docker: DockerClient, name: String, internal: Bool = false
    ) async throws -> (id: String, subnet: String) {
        var lastError: (any Error)?
        for _ in 0..<8 {
            let subnet = "10.250.\(Int.random(in: 1...254)).0/24"
            do {
                let id = try await docker.networks.create(.bridge(name, subnet: subnet, internal: `internal`, labels: labels))
                return (id, subnet)
            } catch let error as DockerError where error.message.contains("overlap") {
                lastError = error
            }
        }
        throw lastError ?? TestImageError("no free subnet")
    }

    /// Polls `check` every 250 ms until it returns a value or `timeout` passes.
    static func waitFor<T>(
        _ what: String, timeout: Duration = .seconds(30), _ check: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await check() { return value }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestImageError("timed out after \(timeout) waiting for \(what)")
    }

    /// Runs `body`, expecting a `DockerError`, and returns it.
    static func expectDockerError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> DockerError? {
        do {
            try await body()
            Issue.record("expected a DockerError, got success", sourceLocation: sourceLocation)
        } catch let error as DockerError {
            return error
        } catch {
            Issue.record("expected a DockerError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}
