import BerthConfig
import Foundation

/// The platform's restic repository. Secrets (the repository password, the S3 key pair) go to restic
/// only through its environment — never in its arguments, never in a message.
struct Restic: Sendable {
    let config: BackupPlatformConfig
    let runner: ProcessRunner
    let cacheDirectory: URL
    var executable = "restic"

    /// The environment of every restic command: only what restic needs.
    func environment() throws -> [String: String] {
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root",
            "RESTIC_REPOSITORY": config.resticRepository,
            "RESTIC_CACHE_DIR": cacheDirectory.path,
        ]
        let missing = config.credentialNames.filter { config.credentials[$0]?.isEmpty != false }
        if !missing.isEmpty {
            throw BackupError(.backupCredentialMissing, "the backup repository's credential\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) \(missing.count > 1 ? "are" : "is") not set",
                              hint: "add \(missing.count > 1 ? "them" : "it") to the platform's secrets (berth secrets set --platform \(missing[0])) or export \(missing.joined(separator: ", ")) in berth's environment")
        }
        env["RESTIC_PASSWORD"] = config.credentials[config.passwordEnv]?.reveal()
        if case .s3 = config.repository {
            env["AWS_ACCESS_KEY_ID"] = config.credentials[config.accessKeyEnv]?.reveal()
            env["AWS_SECRET_ACCESS_KEY"] = config.credentials[config.secretKeyEnv]?.reveal()
        }
        return env
    }

    var stdinCommand: (_ arguments: [String]) throws -> StreamPipe.Command {
        { arguments in StreamPipe.Command(executable: executable, arguments: arguments, environment: try environment()) }
    }

    /// Runs `restic ARGS`; a failure is a `resticFailed` error naming the step and restic's own message.
    @discardableResult
    func run(_ arguments: [String], step: String, directory: String? = nil) async throws -> ProcessRunner.Result {
        let result = try await runner.run(executable, arguments, environment: try environment(), directory: directory)
        guard result.succeeded else { throw failure(step: step, result.stderrText, timedOut: result.timedOut, aborted: result.aborted) }
        return result
    }

    func failure(step: String, _ stderr: String, timedOut: Bool, aborted: Bool = false) -> BackupError {
        let message = Self.lastLines(stderr)
        let repository = config.resticRepository
        if timedOut {
            return BackupError(.resticFailed, "\(step): restic did not finish within \(config.timeout) (repository \(repository))",
                               hint: "check that the repository is reachable; raise backups.timeout for very large backups")
        }
        let lower = message.lowercased()
        let hint: String
        if lower.contains("wrong password") || lower.contains("no key found") {
            hint = "the password in \(config.passwordEnv) does not open this repository; set the one it was initialised with"
        } else if lower.contains("connection refused") || lower.contains("no such host") || lower.contains("timeout") || lower.contains("dial tcp") {
            hint = "the repository's server does not answer; check backups.s3.endpoint and that the server runs"
        } else if lower.contains("access denied") || lower.contains("accessdenied") || lower.contains("forbidden") || lower.contains("permission denied") {
            hint = "the repository refuses writes (or reads): check the key pair in \(config.accessKeyEnv)/\(config.secretKeyEnv), the bucket's policy, and free space"
        } else {
            hint = "see restic's message above; `restic snapshots` with the same repository shows its state"
        }
        let stopped = aborted ? " (stopped at once: restic would only retry it)" : ""
        return BackupError(.resticFailed, "\(step) failed (repository \(repository)): \(message.isEmpty ? "restic exited with an error" : message)\(stopped)", hint: hint)
    }

    /// The last distinct message lines of a program's standard error (Go stack frames left out).
    static func lastLines(_ text: String, count: Int = 3) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || line.hasPrefix("\t") || trimmed.hasPrefix("goroutine ") || trimmed.contains(".go:") || trimmed.hasSuffix(")") && trimmed.contains("(0x") { continue }
            if trimmed.hasPrefix("runtime.") || trimmed.hasPrefix("main.") || trimmed.hasPrefix("github.com/") { continue }
            // retries of one failure differ only in their delay: keep one
            let key = trimmed.replacingOccurrences(of: #"retrying after [0-9.]+m?s"#, with: "retrying", options: .regularExpression)
            lines.removeAll { $0.replacingOccurrences(of: #"retrying after [0-9.]+m?s"#, with: "retrying", options: .regularExpression) == key }
            lines.append(trimmed)
        }
        return lines.suffix(count).joined(separator: " | ")
    }

    /// Creates the repository when it does not exist yet (`restic cat config` fails only then, or when
    /// the repository cannot be read: that error is reported as is).
    func ensureRepository() async throws {
        let probe = try await runner.run(executable, ["cat", "config", "--no-lock"], environment: try environment())
        if probe.succeeded { return }
        let text = probe.stderrText.lowercased()
        let unreachable = ["dial tcp", "connection refused", "no such host", "access denied", "wrong password", "permission denied", "signature"]
            .contains { text.contains($0) }
        let absent = text.contains("unable to open config file") && !unreachable
        guard absent, !probe.timedOut, !probe.aborted else {
            throw failure(step: "opening the backup repository", probe.stderrText, timedOut: probe.timedOut, aborted: probe.aborted)
        }
        try await run(["init"], step: "creating the backup repository")
    }

    struct Snapshot: Codable, Sendable, Hashable {
        var id: String
        var time: String
        var tags: [String]?
        var paths: [String]?
        var date: Date? { Self.parse(time) }

        static func parse(_ text: String) -> Date? {
            // restic writes RFC 3339 with nanoseconds; keep whole seconds.
            var t = text
            if let dot = t.firstIndex(of: ".") {
                let zone = t[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) ?? t.endIndex
                t.removeSubrange(dot..<zone)
            }
            return ISO8601DateFormatter().date(from: t)
        }
    }

    func snapshots(tags: [String]) async throws -> [Snapshot] {
        let result = try await run(["snapshots", "--json", "--no-lock", "--tag", tags.joined(separator: ",")], step: "listing the snapshots")
        do {
            return try JSONDecoder().decode([Snapshot]?.self, from: result.stdout) ?? []
        } catch {
            throw BackupError(.resticFailed, "restic snapshots --json printed something berth cannot read: \(error)")
        }
    }

    /// Forgets snapshots by id and prunes their data.
    func forget(_ ids: [String], step: String) async throws {
        guard !ids.isEmpty else { return }
        try await run(["forget", "--prune"] + ids, step: step)
    }

    /// The full id of the snapshot a `backup --json` summary names (its short id).
    static func summarySnapshot(_ stdout: Data) -> (id: String, files: Int?, bytes: Int64?)? {
        for line in String(decoding: stdout, as: UTF8.self).split(separator: "\n").reversed() {
            guard let data = line.data(using: .utf8),
                  let summary = try? JSONDecoder().decode(Summary.self, from: data), summary.message_type == "summary",
                  let id = summary.snapshot_id else { continue }
            return (id, summary.total_files_processed, summary.total_bytes_processed)
        }
        return nil
    }

    private struct Summary: Decodable {
        var message_type: String
        var snapshot_id: String?
        var total_files_processed: Int?
        var total_bytes_processed: Int64?
    }
}
