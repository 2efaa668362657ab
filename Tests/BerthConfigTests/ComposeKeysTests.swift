import BerthConfig
import Foundation
import Testing

/// The table of Compose keys: complete against the Compose Specification, and the one in docs/config.md.
@Suite struct ComposeKeysTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyKeyOfTheSpecificationHasARow() throws {
        let url = Self.root.deletingLastPathComponent().appendingPathComponent("shared/schemas/compose-spec.json")
        let data = try Data(contentsOf: url)
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let definitions = try #require(schema["definitions"] as? [String: Any])
        func keys(_ object: Any?) -> Set<String> { Set(((object as? [String: Any])?["properties"] as? [String: Any])?.keys ?? [:].keys) }
        let expected: [(ComposeKey.Scope, Set<String>)] = [
            (.top, keys(schema)), (.service, keys(definitions["service"])), (.deploy, keys(definitions["deployment"])),
            (.resources, keys(((definitions["deployment"] as? [String: Any])?["properties"] as? [String: Any])?["resources"])),
        ]
        for (scope, names) in expected {
            let rows = Set(ComposeKeys.all.filter { $0.scope == scope }.map(\.name))
            #expect(names.subtracting(rows).isEmpty, "\(scope.rawValue) keys without a row: \(names.subtracting(rows).sorted())")
            #expect(rows.subtracting(names).isEmpty, "\(scope.rawValue) rows that are not Compose keys: \(rows.subtracting(names).sorted())")
        }
    }

    @Test func refusedKeysSayWhy() {
        for key in ComposeKeys.all where !key.accepted { #expect(!key.note.isEmpty, "\(key.name)") }
    }

    /// docs/config.md carries the generated table between two markers. `BERTH_UPDATE_DOCS=1 swift test
    /// --filter ComposeKeysTests` rewrites it.
    @Test func theDocumentationTableIsGeneratedFromTheLoadersList() throws {
        let url = Self.root.appendingPathComponent("docs/config.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- compose-keys:begin (generated from ComposeKeys; do not edit) -->\n"
        let end = "<!-- compose-keys:end -->"
        let start = try #require(text.range(of: begin), "docs/config.md has no \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
        let table = ComposeKeys.markdownTable()
        if ProcessInfo.processInfo.environment["BERTH_UPDATE_DOCS"] == "1" {
            try text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: table).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == table, "docs/config.md's Compose key table is stale; run BERTH_UPDATE_DOCS=1 swift test --filter ComposeKeysTests")
    }
}
