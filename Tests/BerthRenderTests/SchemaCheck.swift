import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import TestSupport

/// Test helpers for the proxy renderers: JSON-schema validation (python3 + jsonschema), golden files,
/// small repositories turned into desired state, and lookups in a `Document`.
enum SchemaCheck {
    static let traefikStatic = "traefik-v3.json"
    static let traefikDynamic = "traefik-v3-file-provider.json"

    /// Reads YAML or JSON (YAML is a superset), validates it with draft-07 and prints one line per error.
    static let script = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        doc = yaml.safe_load(open(sys.argv[2]))
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            print("/".join(str(p) for p in e.absolute_path) or "(root)", ":", e.message[:300])
        sys.exit(1 if errors else 0)
        """

    /// The schema's complaints about `contents`; empty when it is valid.
    static func errors(_ contents: String, schema: String) throws -> [String] {
        let dir = Fixtures.tempDirectory("berth-schema")
        defer { Fixtures.cleanup(dir) }
        let file = dir.appendingPathComponent("document.yml")
        try contents.write(to: file, atomically: true, encoding: .utf8)
        let schemaPath = Fixtures.schemas.appendingPathComponent(schema).path
        let (status, output) = try Fixtures.run(["python3", "-c", script, schemaPath, file.path])
        if status == 0 { return [] }
        let lines = output.split(separator: "\n").map(String.init)
        return lines.isEmpty ? ["python3 exited with status \(status) without output"] : lines
    }
}

/// Golden files under Tests/BerthRenderTests/Golden; `BERTH_UPDATE_GOLDEN=1` rewrites them.
enum Golden {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["BERTH_UPDATE_GOLDEN"] == "1" }

    /// nil when `file` matches `Golden/<set>/<path>` (or was just written); otherwise what differs.
    static func mismatch(_ file: RenderedFile, set: String) throws -> String? {
        let url = root.appendingPathComponent(set).appendingPathComponent(file.path)
        if updating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "no golden file \(url.path); run with BERTH_UPDATE_GOLDEN=1 to create it"
        }
        if expected == file.contents { return nil }
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
        let line = Array(zip(want, got)).firstIndex { $0 != $1 } ?? min(want.count, got.count)
        let wantLine = line < want.count ? String(want[line]) : "<end of file>"
        let gotLine = line < got.count ? String(got[line]) : "<end of file>"
        return "\(file.path) differs from \(url.path) at line \(line + 1):\n  golden:   \(wantLine)\n  rendered: \(gotLine)\n"
            + "rerun with BERTH_UPDATE_GOLDEN=1 if the change is intended"
    }

    /// Paths (relative to `Golden/<set>`) of the golden files under `directory`.
    static func files(set: String, under directory: String) -> [String] {
        let base = root.appendingPathComponent(set)
        let walker = FileManager.default.enumerator(atPath: base.appendingPathComponent(directory).path)
        var paths: [String] = []
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = "\(directory)/\(relative)"
            if FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                paths.append(path)
            }
        }
        return paths.sorted()
    }
}

/// Desired state from files written into a temporary repository.
enum RenderFixture {
    static func homelab() throws -> DesiredState {
        try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
    }

    /// `platform` is platform.yml; each project is `name: (compose.yml, project.yml)`.
    static func state(platform: String, projects: [String: (compose: String, project: String)]) throws -> DesiredState {
        var files = ["platform.yml": platform]
        for (name, project) in projects {
            files["projects/\(name)/compose.yml"] = project.compose
            files["projects/\(name)/project.yml"] = project.project
        }
        let dir = Fixtures.repository(files)
        defer { Fixtures.cleanup(dir) }
        return try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
    }

    /// A compose.yml with one service per name.
    static func compose(_ services: String...) -> String {
        "services:\n" + services.map { "  \($0):\n    image: example/\($0):1\n" }.joined()
    }
}

extension Document {
    /// The value at a path of object keys and array indexes (as decimal strings).
    subscript(_ path: String...) -> Document? {
        var current: Document? = self
        for key in path {
            switch current {
            case .object(let pairs)?: current = pairs.first { $0.0 == key }?.1
            case .array(let items)?: current = Int(key).flatMap { items.indices.contains($0) ? items[$0] : nil }
            default: return nil
            }
        }
        return current
    }

    var keys: [String] {
        if case .object(let pairs) = self { return pairs.map(\.0) }
        return []
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
