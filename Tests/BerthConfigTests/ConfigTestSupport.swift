import BerthConfig
import Foundation
import Testing
import TestSupport

/// Small repositories for the loader tests: write files, load, and look at the problems.
enum Repo {
    /// The least a platform.yml needs.
    static let platform = "domain: example.test\n"

    /// A compose.yml with one service `web`.
    static let webCompose = """
        services:
          web:
            image: nginx:1.27
        """

    /// Loads a repository made of `files` (with a minimal platform.yml unless one is given) and returns
    /// every problem the load reported, in the order they are printed; empty when it loads.
    static func problems(_ files: [String: String], environment: [String: String] = [:]) -> [Diagnostic] {
        let root = write(files)
        defer { Fixtures.cleanup(root) }
        do {
            _ = try Fixtures.load(root, environment: environment)
            return []
        } catch let error as ConfigError {
            return error.diagnostics
        } catch {
            Issue.record("load threw something other than ConfigError: \(error)")
            return []
        }
    }

    /// Loads a repository that must be valid; a problem fails the test and is rethrown.
    static func load(_ files: [String: String], environment: [String: String] = [:]) throws -> Repository {
        let root = write(files)
        defer { Fixtures.cleanup(root) }
        do {
            return try Fixtures.load(root, environment: environment)
        } catch let error as ConfigError {
            Issue.record("expected the repository to load:\n\(error)")
            throw error
        }
    }

    /// The `web` service of project `app` whose compose.yml is `compose`.
    static func service(_ compose: String, _ name: String = "web", files: [String: String] = [:],
                        environment: [String: String] = [:]) throws -> ComposeService {
        var all = files
        all["projects/app/compose.yml"] = compose
        let repository = try load(all, environment: environment)
        return try #require(repository.project("app")?.compose.services[name])
    }

    static func write(_ files: [String: String]) -> URL {
        var files = files
        if files["platform.yml"] == nil { files["platform.yml"] = platform }
        return Fixtures.repository(files)
    }
}

/// Expects exactly one problem, at `file:line:column`, whose message contains every fragment.
func expectSingle(
    _ diagnostics: [Diagnostic], _ file: String, _ line: Int, _ column: Int, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(diagnostics.count == 1, "expected one problem, got:\n\(render(diagnostics))", sourceLocation: sourceLocation)
    guard let first = diagnostics.first else { return }
    expectDiagnostic(first, file, line, column, fragments, sourceLocation: sourceLocation)
}

/// Expects one of the problems to be at `file:line:column` with every fragment in its message.
func expectContains(
    _ diagnostics: [Diagnostic], _ file: String, _ line: Int, _ column: Int, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let match = diagnostics.first { d in
        d.location == Location(file: file, line: line, column: column) && fragments.allSatisfy(d.message.contains)
    }
    #expect(match != nil, "no problem at \(file):\(line):\(column) with \(fragments) in:\n\(render(diagnostics))",
            sourceLocation: sourceLocation)
}

func expectDiagnostic(
    _ diagnostic: Diagnostic, _ file: String, _ line: Int, _ column: Int, _ fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(diagnostic.location == Location(file: file, line: line, column: column),
            "at \(diagnostic.location), expected \(file):\(line):\(column): \(diagnostic.message)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(diagnostic.message.contains(fragment), "'\(fragment)' not in: \(diagnostic.message)", sourceLocation: sourceLocation)
    }
}

func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(\.description).joined(separator: "\n")
}
