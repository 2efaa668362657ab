import Foundation
import Testing
import TestSupport

/// Git in a test's repository: commits by a fixed test identity, and the log as `author|subject` lines.
enum E2EGit {
    static let identity = ["-c", "user.name=berth-test", "-c", "user.email=test@berth.invalid"]

    @discardableResult
    static func run(_ directory: URL, _ arguments: [String]) async throws -> String {
        let result = await E2ECommand.run(["git"] + identity + ["-C", directory.path] + arguments, timeout: 60)
        guard result.status == 0 else { throw E2EFailure("git \(arguments.joined(separator: " ")) failed: \(result)") }
        return result.stdout
    }

    /// `git init` + a first commit of everything in `directory`.
    static func initialize(_ directory: URL) async throws {
        try await run(directory, ["init", "-q", "-b", "main"])
        try await run(directory, ["add", "-A"])
        try await run(directory, ["commit", "-q", "-m", "initial"])
    }

    static func log(_ directory: URL) async throws -> [String] {
        try await run(directory, ["log", "--format=%an|%s"]).split(separator: "\n").map(String.init)
    }

    static func head(_ directory: URL) async throws -> String {
        try await run(directory, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension ServeDaemon {
    /// Running container names and ids of a project (`name id` lines, sorted).
    static func containers(of project: String) async -> [String] {
        await E2ECommand.dockerLines(["ps", "--filter", "label=berth.project=\(project)", "--format", "{{.Names}} {{.ID}}"]).sorted()
    }
}
