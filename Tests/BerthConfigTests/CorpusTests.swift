import BerthConfig
import BerthPlan
import Foundation
import Testing
import TestSupport

/// The corpus of real-world Compose files in Tests/Corpus/compose: each one is dropped into a fresh
/// repository as `projects/<app>/compose.yml` and validated as `berth validate` does (load, then the
/// desired state). No file may crash the loader; every refusal must point into the project's files and
/// name the key or the policy; and the share of accepted files must not fall below `minimumAcceptance`.
@Suite struct CorpusTests {
    /// The accepted share the code reaches today, rounded down: 44 of 102 files (43.1 %) when this suite
    /// was written. It is a floor, not the goal (issue 8 asks for 97 %): raise it as Compose keys land.
    static let minimumAcceptance = 0.98

    static let entries = CorpusEntry.all(in: Fixtures.packageRoot.appendingPathComponent("Tests/Corpus/compose"))

    @Test func theCorpusCoversEnoughApps() {
        #expect(Self.entries.count >= 80, "only \(Self.entries.count) corpus files")
    }

    @Test(arguments: entries.map(\.name))
    func everyRefusalIsPlacedAndNamed(_ name: String) throws {
        let entry = try #require(Self.entries.first { $0.name == name })
        let result = try entry.validate()
        for problem in result.problems {
            #expect(problem.location.file.hasPrefix("projects/\(name)/"),
                    "\(problem) is not inside project \(name)'s files")
            #expect(problem.location.line >= 1 && problem.location.column >= 1, "\(problem) has no line:col")
            #expect(result.key(of: problem) != nil, "\(problem) names no key or policy")
        }
    }

    /// The summary groups refusals by the key their position is in; that must follow the YAML's nesting.
    @Test func aRefusalIsGroupedByTheKeyItSitsIn() {
        let text = """
            x-base: &base
              links:
                - db
            services:
              web:
                <<: *base
                image: nginx
                healthcheck:
                  disable: false
                ports:
                  - target: 80
                    published: 8080
                  - "443:443"
            networks:
              proxy:
                external: true
            """
        let file = "projects/a/compose.yml"
        let result = CorpusResult(name: "a", problems: [], sources: [file: text])
        func key(_ line: Int, _ column: Int, _ message: String) -> String? {
            result.key(of: Diagnostic(Location(file: file, line: line, column: column), message))
        }
        #expect(CorpusResult.keyPath(in: text, at: Location(file: file, line: 12, column: 9)) == ["services", "web", "ports", "published"])
        #expect(key(13, 9, "host port 443:443/tcp of service 'web' is already taken") == "ports")
        #expect(key(9, 7, "healthcheck of service 'web' needs 'test'") == "healthcheck.disable")
        #expect(key(2, 3, "'links' in service 'web' is not supported by berth") == "links")
        #expect(key(14, 1, "'networks' in compose.yml is not supported by berth") == "networks (top level)")
        #expect(key(5, 3, "service 'web' needs 'image'") == "image")
        #expect(key(7, 5, "service 'web' mounts the Docker socket; set 'docker_socket: true' under 'policy' in platform.yml") == "policy.docker_socket")
        #expect(key(7, 5, "something went wrong") == nil)
    }

    @Test func acceptanceStaysAboveTheFloor() throws {
        let results = try Self.entries.map { try $0.validate() }
        let summary = CorpusSummary(results)
        print(summary.text)
        #expect(summary.rate >= Self.minimumAcceptance,
                "accepted \(summary.accepted)/\(results.count), below the floor \(Self.minimumAcceptance)")
    }
}

/// One corpus file and its companions: `<app>.yml` plus any `<app>.*` beside it (env files, secrets,
/// files it extends or includes), copied into the project directory under the same names.
struct CorpusEntry: Sendable {
    var name: String
    var compose: URL
    var companions: [URL]

    /// Every `<app>.yml` in `directory` whose `<app>` has no dot (a dotted name is a companion).
    static func all(in directory: URL) -> [CorpusEntry] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "yml" && !$0.deletingPathExtension().lastPathComponent.contains(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { file in
                let name = file.deletingPathExtension().lastPathComponent
                let companions = files.filter { $0 != file && $0.lastPathComponent.hasPrefix(name + ".") }
                return CorpusEntry(name: name, compose: file, companions: companions)
            }
    }

    /// Loads a repository holding only this project and builds its desired state, as `berth validate` does.
    func validate() throws -> CorpusResult {
        var files = ["platform.yml": "domain: example.test\n"]
        var sources: [String: String] = [:]
        for url in [compose] + companions {
            let text = try String(contentsOf: url, encoding: .utf8)
            let path = "projects/\(name)/" + (url == compose ? "compose.yml" : url.lastPathComponent)
            files[path] = text
            sources[path] = text
        }
        let root = Fixtures.repository(files)
        defer { Fixtures.cleanup(root) }
        do {
            let repository = try Fixtures.load(root)
            _ = try DesiredStateBuilder(repository: repository).build()
            return CorpusResult(name: name, problems: [], sources: sources)
        } catch let error as ConfigError {
            return CorpusResult(name: name, problems: error.diagnostics, sources: sources)
        }
    }
}

/// What validating one corpus file gave: its problems, and the texts to read their keys from.
struct CorpusResult: Sendable {
    var name: String
    var problems: [Diagnostic]
    var sources: [String: String]

    var accepted: Bool { problems.isEmpty }

    /// What a refusal is about: `policy.<key>` when it names the platform policy that forbids it; else
    /// the Compose key its file:line:col sits in (`ports`, `healthcheck.disable`, `networks (top level)`; in an `x-` block, its last key),
    /// or for a refusal of a whole service the last name the message quotes; nil when it names nothing.
    func key(of problem: Diagnostic) -> String? {
        let message = problem.message
        guard message.contains("'") else { return nil }
        if let policy = message.firstMatch(of: /'([a-z_]+)(?:: true)?' under 'policy'/) {
            return "policy.\(policy.1)"
        }
        let quoted = message.matches(of: /'([^']+)'/).map { String($0.1) }
        let path = sources[problem.location.file].map { Self.keyPath(in: $0, at: problem.location) } ?? []
        switch (path.first, path.count) {
        case ("services", 3...): return path[2...].prefix(2).joined(separator: ".")
        case ("services", 2): return quoted.last
        case (let top?, 2...) where top.hasPrefix("x-"): return path.last  // a key in an anchor's block
        case (let top?, 1): return "\(top) (top level)"
        case (_?, _): return path.prefix(2).joined(separator: ".")
        default: return quoted.first.map { String($0.prefix { $0 != ":" && $0 != " " }) }
        }
    }

    /// The mapping keys from the top of the YAML text down to `location`: the key written there (if any)
    /// and the keys of every block that encloses it, found by indentation (block style, as Compose files
    /// are written; an item `- x` belongs to the key above it).
    static func keyPath(in text: String, at location: Location) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard location.line >= 1, location.line <= lines.count else { return [] }
        let keyPattern = /^["']?([A-Za-z0-9_.\-]+)["']?\s*:(\s|$)/
        var path: [String] = []
        var indent = location.column
        if let match = lines[location.line - 1].dropFirst(location.column - 1).firstMatch(of: keyPattern) {
            path.append(String(match.1))
        }
        var index = location.line - 2
        while index >= 0, indent > 1 {
            let line = lines[index]
            index -= 1
            guard let first = line.firstIndex(where: { $0 != " " }), line[first] != "#" else { continue }
            let column = line.distance(from: line.startIndex, to: first) + 1
            guard column < indent else { continue }
            indent = column
            if line[first...].hasPrefix("- ") || line[first...] == "-" { continue }
            if let match = line[first...].firstMatch(of: keyPattern) { path.insert(String(match.1), at: 0) }
        }
        return path
    }
}

/// The corpus in numbers: accepted n/N and the refusals grouped by key (files refused and refusals).
struct CorpusSummary {
    var accepted: Int
    var total: Int
    /// key → (files it refuses, refusals)
    var byKey: [String: (files: Int, refusals: Int)]
    var refusedFiles: [String: [String]]

    init(_ results: [CorpusResult]) {
        accepted = results.filter(\.accepted).count
        total = results.count
        byKey = [:]
        refusedFiles = [:]
        for result in results where !result.accepted {
            let keys = result.problems.map { result.key(of: $0) ?? "(unnamed)" }
            for key in keys { byKey[key, default: (0, 0)].refusals += 1 }
            for key in Set(keys) {
                byKey[key, default: (0, 0)].files += 1
                refusedFiles[key, default: []].append(result.name)
            }
        }
    }

    var rate: Double { total == 0 ? 0 : Double(accepted) / Double(total) }

    var text: String {
        var lines = ["corpus: accepted \(accepted)/\(total) (\(String(format: "%.1f", rate * 100)) %)",
                     "refusals by key (files, refusals):"]
        for (key, count) in byKey.sorted(by: { ($0.value.files, $1.key) > ($1.value.files, $0.key) }) {
            let names = (refusedFiles[key] ?? []).sorted().joined(separator: " ")
            lines.append("  \(key): \(count.files) files, \(count.refusals) refusals — \(names)")
        }
        return lines.joined(separator: "\n")
    }
}
