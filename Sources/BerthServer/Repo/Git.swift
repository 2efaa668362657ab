import BerthSystem
import Foundation

/// The `git` program, run in the configuration repository (with BerthSystem.ChildProcess).
struct Git: Sendable {
    var directory: String

    struct Failure: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "git \(command) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// true when `directory` is the top of a git work tree.
    func isRepository() async -> Bool {
        guard let top = try? await run(["rev-parse", "--show-toplevel"]) else { return false }
        let a = URL(fileURLWithPath: top.trimmingCharacters(in: .whitespacesAndNewlines)).resolvingSymlinksInPath().path
        return a == URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    }

    /// Runs git; a non-zero exit throws `Failure` with what it printed. Returns standard output.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["LC_ALL"] = "C"
        environment.merge(extra) { _, new in new }
        let result = try await ChildProcess.run("git", ["-C", directory] + arguments, environment: environment)
        guard result.succeeded else {
            throw Failure(command: arguments.first ?? "", output: result.stderrText + result.stdoutText)
        }
        return result.stdoutText
    }

    func head() async throws -> String { try await run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Commits `paths` (added or removed) with `author` as the author; the committer is the repository's
    /// configured user, else "berth serve".
    func commit(_ paths: [String], message: String, author: String) async throws -> String {
        try await run(["add", "-A", "--"] + paths)
        var environment = ["GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "\(author)@berth.invalid"]
        if (try? await run(["config", "user.email"])) == nil {
            environment["GIT_COMMITTER_NAME"] = "berth serve"
            environment["GIT_COMMITTER_EMAIL"] = "berth@berth.invalid"
        }
        try await run(["commit", "-q", "-m", message, "--"] + paths, environment: environment)
        return try await head()
    }
}
