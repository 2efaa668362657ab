import Foundation
import Testing
import TestSupport

/// Compose `build`, end to end: the image is built through the Engine API from a context whose
/// `FROM` is an offline test image, tagged with the context's digest, and rebuilt only when a file of
/// the context changes. A failed build changes nothing.
extension ApplyE2ETests {
    @Test func builtImagesRollOutOnSourceChangesOnly() async throws {
        let project = "e2ebuild-site"
        let host = "e2ebuild.localhost"
        await Self.removeImages(repository: "\(project)-web")
        do {
            try await scenario(project: project, host: host)
        } catch {
            await Self.removeImages(repository: "\(project)-web")
            throw error
        }
        await Self.removeImages(repository: "\(project)-web")
    }

    private func scenario(project: String, host: String) async throws {
        try await E2EScenario.run("e2ebuild-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.write("projects/\(project)/compose.yml", """
                services:
                  web:
                    build:
                      context: ./app
                      args: {PAGE_VERSION: "1"}
                      labels: {org.example.built: "yes"}
                    deploy: {replicas: 1}
                """)
            try s.write("projects/\(project)/project.yml", E2E.appProject(host: host))
            try s.write("projects/\(project)/app/Dockerfile", """
                FROM berth-demo/app:1
                ARG PAGE_VERSION
                ENV APP_VERSION=built-$PAGE_VERSION
                COPY page.txt /www/page.txt
                COPY . /context/
                """)
            try s.write("projects/\(project)/app/page.txt", "page one\n")
            try s.write("projects/\(project)/app/.dockerignore", "# not sent\nnotes/\n!notes/keep.txt\n")
            try s.write("projects/\(project)/app/notes/draft.txt", "draft 1\n")
            try s.write("projects/\(project)/app/notes/keep.txt", "kept\n")

            let plan = try await s.berth("plan")
            #expect(plan.stdout.contains("builds ./app (Dockerfile) as \(project)-web:"), "\(plan.stdout)")
            let first = try await s.apply(["--json"])
            try #require(first.status == 0, "\(first)")
            #expect(first.stdout.contains("\"event\":\"build\""), "build output streams as build events:\n\(first.stdout)")
            #expect(first.stdout.contains(": FROM berth-demo/app:1"), "\(first.stdout)")
            let page = try #require(await Self.waitFor(host: host, path: "/page.txt", containing: "page one"),
                                    "the built page is not served: \(String(describing: try? E2EHTTP.get(host, "/page.txt")))")
            #expect(page.body == "page one\n")
            let version = try E2EHTTP.get(host, "/cgi-bin/version")
            #expect(version.body.contains("version=built-1"), "build args: \(version.body)")
            let container = try #require(await E2E.runningContainers("\(project)-web-").first)
            let image = await E2ECommand.docker(["inspect", "-f", "{{.Config.Image}}", container])
            #expect(image.stdout.hasPrefix("\(project)-web:"), "\(image.stdout)")
            let label = await E2ECommand.docker(["inspect", "-f", "{{index .Config.Labels \"org.example.built\"}}", container])
            #expect(label.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes", "build labels: \(label)")
            // .dockerignore: notes/ is not sent, its exception is.
            let listing = await E2E.exec(container, "ls /context/notes; ls -a /context")
            #expect(listing.stdout.contains("keep.txt") && !listing.stdout.contains("draft.txt"), "\(listing.stdout)")

            // Unchanged, and a change to an ignored file only: no build, nothing deployed.
            try s.write("projects/\(project)/app/notes/draft.txt", "draft 2\n")
            let again = try await s.apply(["--json"])
            #expect(again.status == 0, "\(again)")
            #expect(!again.stdout.contains("\"event\":\"build\""), "an unchanged context must not be built:\n\(again.stdout)")
            #expect(!again.stdout.contains("\"event\":\"summary\""), "nothing to deploy:\n\(again.stdout)")
            #expect(await E2E.runningContainers("\(project)-web-") == [container])

            // A source change: rebuilt, rolled out, the new content answers.
            try s.write("projects/\(project)/app/page.txt", "page two\n")
            let changed = try await s.berth("plan", ["--live"])
            #expect(changed.stdout.contains("build context digest"), "the plan says why:\n\(changed.stdout)")
            let second = try await s.apply()
            try #require(second.status == 0, "\(second)")
            let two = try #require(await Self.waitFor(host: host, path: "/page.txt", containing: "page two"),
                                   "the rebuilt page is not served: \(String(describing: try? E2EHTTP.get(host, "/page.txt")))")
            #expect(two.body == "page two\n")
            let replaced = await E2E.runningContainers("\(project)-web-")
            #expect(replaced.count == 1 && replaced != [container], "\(replaced)")

            // A failing build: apply fails, says which service and why, and changes nothing.
            try s.write("projects/\(project)/app/Dockerfile", """
                FROM berth-demo/app:1
                COPY page.txt /www/page.txt
                RUN echo about to fail && false
                """)
            try s.write("projects/\(project)/app/page.txt", "page three\n")
            let failed = try await s.apply()
            #expect(failed.status != 0, "\(failed)")
            let output = failed.stdout + failed.stderr
            #expect(output.contains("the build of \(project)/web failed"), "\(output)")
            #expect(output.contains("about to fail"), "the build's last lines: \(output)")
            #expect(await E2E.runningContainers("\(project)-web-") == replaced, "containers must be untouched")
            #expect(try E2EHTTP.get(host, "/page.txt").body == "page two\n", "the old version still answers")
        }
    }

    static func waitFor(host: String, path: String, containing text: String, timeout: Double = 20) async -> E2EHTTPResponse? {
        let deadline = Deadline(seconds: timeout)
        while !deadline.passed {
            if let r = try? E2EHTTP.get(host, path), r.status == 200, r.body.contains(text) { return r }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    static func removeImages(repository: String) async {
        let tags = await E2ECommand.dockerLines(["images", repository, "--format", "{{.Repository}}:{{.Tag}}"])
        if !tags.isEmpty { await E2ECommand.docker(["rmi", "-f"] + tags) }
    }
}
