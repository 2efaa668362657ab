import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// The compose export keeps `build` (context as an absolute path) and `pull_policy`, and both the
/// schema and docker-compose 1.29 read it back with the same settings.
@Suite struct ComposeExportBuildTests {
    @Test func buildAndPullPolicyAreExported() throws {
        let repo = ComposeExportChecks.repository([
            "projects/app/compose.yml": """
                services:
                  web:
                    pull_policy: build
                    build:
                      context: ./src
                      dockerfile: docker/Prod.Dockerfile
                      args: {VERSION: "2"}
                      target: prod
                      labels: {org.example.team: web}
                      cache_from: [example/web:cache]
                """,
            "projects/app/src/docker/Prod.Dockerfile": "FROM scratch AS prod\n",
        ])
        defer { Fixtures.cleanup(repo) }
        let state = try ComposeExportChecks.state(repo)
        let file = try ComposeExportChecks.export(ComposeExporter.render(state), project: "app")
        let doc = try ComposeExportChecks.parse(file.contents)
        let build = ComposeExportChecks.section(doc, "services", "web", "build")
        let context = repo.appendingPathComponent("projects/app/src").standardizedFileURL.path
        #expect(build["context"] as? String == context)
        #expect(build["dockerfile"] as? String == "docker/Prod.Dockerfile")
        #expect(build["args"] as? [String: String] == ["VERSION": "2"])
        #expect(build["target"] as? String == "prod")
        #expect(build["labels"] as? [String: String] == ["org.example.team": "web"])
        #expect(build["cache_from"] as? [String] == ["example/web:cache"])
        let web = ComposeExportChecks.section(doc, "services", "web")
        #expect(web["pull_policy"] as? String == "build")
        let digest = try #require(state.project("app")?.service("web")?.spec.build?.contextDigest)
        #expect(web["image"] as? String == "app-web:\(digest)", "Compose tags the build with 'image': Berth's digest tag")

        let root = try ComposeExportChecks.write([file])
        defer { Fixtures.cleanup(root) }
        let written = root.appendingPathComponent(file.path)
        let schema = try ComposeExportChecks.validateAgainstSchema([written])
        #expect(schema.status == 0, "\(schema.output)")
        let compose = try ComposeExportChecks.dockerCompose(written, quiet: false)
        #expect(compose.status == 0, "\(compose.output)")
        #expect(compose.output.contains("context: \(context)"), "\(compose.output)")
    }
}
