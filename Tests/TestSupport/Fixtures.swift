import BerthConfig
import BerthSystem
import Foundation

/// Paths and builders shared by the test targets.
public enum Fixtures {
    /// The package root (this file is Tests/TestSupport/Fixtures.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let examples = packageRoot.appendingPathComponent("examples")
    public static let homelab = examples.appendingPathComponent("homelab")
    public static let kanban = examples.appendingPathComponent("kanban")
    public static let infraProduction = examples.appendingPathComponent("infra-production")

    /// `../shared/schemas` beside the project root (where the workplace keeps it), or `BERTH_SCHEMAS`.
    public static var schemas: URL {
        if let dir = ProcessInfo.processInfo.environment["BERTH_SCHEMAS"] { return URL(fileURLWithPath: dir) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas")
    }

    /// Loads a repository with a fixed, empty environment so results do not depend on the shell.
    public static func load(_ dir: URL, environment: [String: String] = [:]) throws -> Repository {
        try RepositoryLoader(environment: environment).load(dir.path)
    }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    public static func tempDirectory(_ prefix: String = "berth-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a repository from `path → content` pairs into a new temporary directory.
    public static func repository(_ files: [String: String]) -> URL {
        let root = tempDirectory("berth-repo")
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? content.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    public static func cleanup(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs a program and returns its exit status and combined output.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let env = environment.map { ProcessInfo.processInfo.environment.merging($0) { _, b in b } }
        let result = try ChildProcess.runBlocking("/usr/bin/env", arguments, environment: env, directory: directory?.path, mergeOutput: true)
        return (result.status, result.stdoutText)
    }
}
