import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import TestSupport

/// Helpers for the compose-export tests: building state, writing exports, and checking them with
/// the Compose Specification's schema (python3 jsonschema + PyYAML) and the real docker-compose.
enum ComposeExportChecks {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func state(_ dir: URL) throws -> DesiredState {
        try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
    }

    /// A repository with a small platform.yml (ACME on, a tcp and a udp entrypoint, two middlewares),
    /// plus `platform` appended to it.
    static func repository(_ projects: [String: String], platform: String = "") -> URL {
        var files = projects
        files["platform.yml"] = """
            domain: example.test
            acme:
              email: ops@example.test
            entrypoints:
              pg: {port: 5432, protocol: tcp}
              dns: {port: 53, protocol: udp}
            middlewares:
              gzip:
                compress: {}
              lan:
                ip_allow_list:
                  source_range: [10.0.0.0/8]
            default_middlewares: [gzip]

            """ + platform
        return Fixtures.repository(files)
    }

    static func export(_ files: [RenderedFile], project: String) throws -> RenderedFile {
        guard let file = files.first(where: { $0.path == ComposeExporter.path(for: project) }) else {
            throw Failure(description: "no export for project '\(project)' among \(files.map(\.path))")
        }
        return file
    }

    /// Writes the files under a new temporary directory (the caller removes it) and returns it.
    static func write(_ files: [RenderedFile]) throws -> URL {
        let root = Fixtures.tempDirectory("berth-compose")
        for file in files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// The YAML text as JSON-like Foundation values (read by PyYAML, as Compose reads it).
    static func parse(_ yaml: String) throws -> [String: Any] {
        let dir = Fixtures.tempDirectory("berth-parse")
        defer { Fixtures.cleanup(dir) }
        let url = dir.appendingPathComponent("file.yml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        let script = "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let (status, output) = try Fixtures.run(["python3", "-c", script, url.path])
        guard status == 0, let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw Failure(description: "cannot parse YAML: \(output)")
        }
        return object
    }

    /// Validates each file against `compose-spec.json`; returns the exit status and the errors found.
    static func validateAgainstSchema(_ files: [URL]) throws -> (status: Int32, output: String) {
        let schema = Fixtures.schemas.appendingPathComponent("compose-spec.json")
        let script = """
            import sys, json, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema)(schema)
            failed = False
            for path in sys.argv[2:]:
                for error in sorted(validator.iter_errors(yaml.safe_load(open(path))), key=str):
                    failed = True
                    print(f"{path}: {list(error.absolute_path)}: {error.message}")
            sys.exit(1 if failed else 0)
            """
        return try Fixtures.run(["python3", "-c", script, schema.path] + files.map(\.path))
    }

    /// `docker-compose -f FILE config` (Debian's docker-compose 1.29, no engine needed), run in the
    /// file's directory; `quiet` only validates.
    static func dockerCompose(_ file: URL, quiet: Bool = true) throws -> (status: Int32, output: String) {
        try Fixtures.run(["docker-compose", "-f", file.path, "config"] + (quiet ? ["-q"] : []),
                         in: file.deletingLastPathComponent())
    }

    /// The `labels` of a service in a parsed export.
    static func labels(_ doc: [String: Any], service: String) -> [String: String] {
        let services = doc["services"] as? [String: Any]
        let body = services?[service] as? [String: Any]
        return body?["labels"] as? [String: String] ?? [:]
    }

    static func section(_ doc: [String: Any], _ path: String...) -> [String: Any] {
        var current: Any? = doc
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? [String: Any] ?? [:]
    }
}
