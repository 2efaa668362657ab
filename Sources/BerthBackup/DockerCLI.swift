import Foundation

/// The docker commands a backup needs, through the `docker` CLI (it streams `docker exec` output, which
/// the pipe to restic reads). `host` is berth's --docker-host (DOCKER_HOST for the CLI).
struct DockerCLI: Sendable {
    var host: String?
    let runner: ProcessRunner

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG"].contains($0.key) }
        if let host { env["DOCKER_HOST"] = host }
        return env
    }

    func command(_ arguments: [String]) -> StreamPipe.Command {
        StreamPipe.Command(executable: "docker", arguments: arguments, environment: environment)
    }

    @discardableResult
    func run(_ arguments: [String], input: Data? = nil, step: String) async throws -> ProcessRunner.Result {
        let result = try await runner.run("docker", arguments, environment: environment, input: input)
        guard result.succeeded else {
            throw BackupError(.backupDockerFailed, "\(step): docker \(arguments.prefix(2).joined(separator: " ")) failed: \(Restic.lastLines(result.stderrText))",
                              hint: result.timedOut ? "the Docker engine did not answer in time" : "check the Docker engine (berth doctor)")
        }
        return result
    }

    func lines(_ arguments: [String], step: String) async throws -> [String] {
        try await run(arguments, step: step).stdoutText.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// The host directory of a local volume; nil when there is no such volume.
    func mountpoint(_ volume: String) async throws -> String? {
        let result = try await runner.run("docker", ["volume", "inspect", "--format", "{{.Driver}} {{.Mountpoint}}", volume], environment: environment)
        guard result.succeeded else {
            if result.stderrText.lowercased().contains("no such volume") { return nil }
            throw BackupError(.backupDockerFailed, "docker volume inspect \(volume) failed: \(result.stderrText)")
        }
        let parts = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "local" else {
            throw BackupError(.backupNotConfigured, "volume \(volume) uses the driver '\(parts.first ?? "?")'; berth backs up local volumes only")
        }
        guard FileManager.default.fileExists(atPath: parts[1]) else {
            throw BackupError(.backupNotConfigured, "the data of volume \(volume) (\(parts[1])) is not readable here",
                              hint: "run berth backup as root on the Docker host itself (it reads volumes from their host directory)")
        }
        return parts[1]
    }

    /// Running containers (ids) that mount `volume`.
    func containers(using volume: String) async throws -> [String] {
        try await lines(["ps", "-q", "--no-trunc", "--filter", "volume=\(volume)"], step: "finding the containers of volume \(volume)")
    }

    /// Running containers of a platform's project, with their service label.
    func projectContainers(platform: String, project: String) async throws -> [(id: String, service: String)] {
        try await lines(["ps", "--no-trunc", "--filter", "label=berth.platform=\(platform)", "--filter", "label=berth.project=\(project)",
                         "--format", "{{.ID}} {{.Label \"berth.service\"}}"], step: "listing project \(project)'s containers")
            .map { line in
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
    }

    func stop(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await run(["stop"] + ids, step: "stopping the services")
    }

    func start(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await run(["start"] + ids, step: "starting the services again")
    }
}
