import BerthRender
import Foundation
import Testing
import TestSupport

/// The export of examples/homelab: byte-for-byte golden files (regenerate with
/// `BERTH_UPDATE_GOLDEN=1 swift test --filter ComposeExport`), valid against the Compose
/// Specification's schema, and accepted by the real docker-compose 1.29.
@Suite struct ComposeExportGoldenTests {
    static let golden = Fixtures.packageRoot.appendingPathComponent("Tests/BerthRenderTests/Golden/homelab")

    @Test func homelabExportMatchesGoldenFiles() throws {
        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        #expect(files.map(\.path) == ["compose/notes/docker-compose.yml", "compose/api/docker-compose.yml",
                                      "compose/echo/docker-compose.yml", "compose/site/docker-compose.yml"])
        let update = ProcessInfo.processInfo.environment["BERTH_UPDATE_GOLDEN"] == "1"
        for file in files {
            let url = Self.golden.appendingPathComponent(file.path)
            if update {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            #expect(file.contents == expected, "\(file.path) differs from its golden file; rerun with BERTH_UPDATE_GOLDEN=1 and review the diff")
        }
        let composeDir = Self.golden.appendingPathComponent("compose")
        let goldenProjects = try FileManager.default.contentsOfDirectory(atPath: composeDir.path).sorted()
        #expect(goldenProjects == ["api", "echo", "notes", "site"], "stale golden files under \(composeDir.path)")
    }

    @Test func homelabExportValidatesAgainstComposeSpecSchema() throws {
        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        let root = try ComposeExportChecks.write(files)
        defer { Fixtures.cleanup(root) }
        let result = try ComposeExportChecks.validateAgainstSchema(files.map { root.appendingPathComponent($0.path) })
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func homelabExportIsAcceptedByDockerCompose() throws {
        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        let root = try ComposeExportChecks.write(files)
        defer { Fixtures.cleanup(root) }
        for file in files {
            let result = try ComposeExportChecks.dockerCompose(root.appendingPathComponent(file.path))
            #expect(result.status == 0, "docker-compose rejects \(file.path): \(result.output)")
            #expect(!result.output.contains("WARNING"), "docker-compose warns about \(file.path): \(result.output)")
        }
    }
}
