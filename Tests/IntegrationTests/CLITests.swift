import Foundation
import Testing
import TestSupport

/// The CLI end to end: the real binary on real files.
@Suite struct CLITests {
    @Test func initCreatesARepositoryThatValidatesPlansAndRenders() throws {
        let dir = Fixtures.tempDirectory()
        defer { Fixtures.cleanup(dir) }
        let repo = dir.appendingPathComponent("platform").path
        let initResult = try BerthBinary.run(["init", repo, "--domain", "example.org"])
        #expect(initResult.status == 0, "\(initResult.stderr)")
        #expect(initResult.stdout.contains("created \(repo)/platform.yml"))

        let validate = try BerthBinary.run(["validate", "-c", repo])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("valid — 2 projects, 3 services, 2 routes"))

        let plan = try BerthBinary.run(["plan", "-c", repo])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("+ service db: start 1 replica of postgres:16-alpine"))
        #expect(plan.stdout.contains("https://www.example.org, example.org → web:80 [secure-headers, gzip]"))

        let out = dir.appendingPathComponent("out").path
        let render = try BerthBinary.run(["render", "-c", repo, "--out", out])
        #expect(render.status == 0, "\(render.stderr)")
        for path in ["traefik/traefik.yml", "traefik/dynamic/notes.yml", "traefik/dynamic/website.yml",
                     "compose/notes/docker-compose.yml", "compose/website/docker-compose.yml", "caddy/caddy.json"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(path)"), "missing \(path)")
        }

        // A second init into the same place refuses to overwrite.
        let again = try BerthBinary.run(["init", repo])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has"))
    }

    @Test func renderRemovesFilesOfRemovedProjects() throws {
        let dir = Fixtures.tempDirectory()
        defer { Fixtures.cleanup(dir) }
        let repo = dir.appendingPathComponent("p").path
        _ = try BerthBinary.run(["init", repo])
        let out = dir.appendingPathComponent("out").path
        #expect(try BerthBinary.run(["render", "-c", repo, "--out", out]).status == 0)
        try FileManager.default.removeItem(atPath: "\(repo)/projects/notes")
        let render = try BerthBinary.run(["render", "-c", repo, "--out", out])
        #expect(render.status == 0)
        #expect(render.stdout.contains("removed \(out)/traefik/dynamic/notes.yml"))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/traefik/dynamic/notes.yml"))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/compose/notes"))
        #expect(FileManager.default.fileExists(atPath: "\(out)/traefik/dynamic/website.yml"))
    }

    @Test func invalidRepositoryExitsOneWithEveryProblemAndChangesNothing() throws {
        let repo = Fixtures.repository([
            "platform.yml": "domain: example.com\nproxy:\n  kind: traefk\n",
            "projects/web/compose.yml": "services:\n  web:\n    imgae: nginx\n    cpu_count: 2\n",
            "projects/web/project.yml": "ingress:\n  - service: wbe\n    hosts: [bad_host!]\n    port: 70000\n",
        ])
        defer { Fixtures.cleanup(repo) }
        let out = repo.appendingPathComponent("out").path
        for args in [["validate"], ["plan"], ["render", "--out", out]] {
            let result = try BerthBinary.run(args + ["-c", repo.path])
            #expect(result.status == 1, "\(args): \(result.stdout)")
            #expect(result.stderr.contains("platform.yml:3:9: 'kind' in 'proxy' must be traefik or caddy, found 'traefk' (did you mean 'traefik'?)"))
            #expect(result.stderr.contains("projects/web/compose.yml:3:5: unknown key 'imgae' in service 'web' (did you mean 'image'?)"))
            #expect(result.stderr.contains("projects/web/compose.yml:4:5: 'cpu_count' in service 'web' is not supported by berth: Windows containers only"))
            #expect(result.stderr.contains("projects/web/project.yml:3:13: 'bad_host!' is not a valid host name"))
            #expect(result.stderr.contains("projects/web/project.yml:4:11: 'port' in an ingress route of project 'web' must be between 1 and 65535, found 70000"))
            #expect(result.stderr.contains("problems found; nothing was changed."))
        }
        #expect(!FileManager.default.fileExists(atPath: out), "render must not write anything for an invalid repository")
    }

    @Test func warningsArePrintedAndInTheJSONReport() throws {
        let repo = Fixtures.repository([
            "platform.yml": "domain: example.com\n",
            "projects/web/compose.yml": "name: other\nservices:\n  web:\n    image: nginx\n    environment: [UNSET_FOR_TEST]\n",
        ])
        defer { Fixtures.cleanup(repo) }
        let plain = try BerthBinary.run(["validate", "-c", repo.path])
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stderr.contains("warning: projects/web/compose.yml:1:1: 'name' in projects/web/compose.yml is 'other'"), "\(plain.stderr)")
        #expect(plain.stderr.contains("warning: projects/web/compose.yml:5:19: 'UNSET_FOR_TEST'"), "\(plain.stderr)")
        let json = try BerthBinary.run(["validate", "--json", "-c", repo.path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((report["warnings"] as? [[String: Any]])?.count == 2, "\(json.stdout)")
    }

    @Test func validateJSONListsProblems() throws {
        let repo = Fixtures.repository(["platform.yml": "domain: [x]\n"])
        defer { Fixtures.cleanup(repo) }
        let result = try BerthBinary.run(["validate", "--json", "-c", repo.path])
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["valid"] as? Bool == false)
        let problems = json?["problems"] as? [[String: Any]] ?? []
        #expect(problems.first?["file"] as? String == "platform.yml")
        #expect(problems.first?["line"] as? Int == 1)
        #expect(problems.first?["column"] as? Int == 9)
    }

    @Test func planJSONHidesEnvironmentValuesAndDetailedExitCode() throws {
        let result = try BerthBinary.run(["plan", "--json", "--detailed-exitcode", "-c", Fixtures.homelab.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stdout.contains("My notes"), "environment values must not be printed")
        #expect(!result.stdout.contains("production"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["changes"] as? Bool == true)
        let actions = json["actions"] as? [[String: Any]] ?? []
        let app = actions.first { $0["service"] as? String == "app" }
        #expect((app?["environment"] as? [String: String])?["NOTES_TITLE"] == "(sensitive)")
        #expect(app?["strategy"] as? String == "start-first")
        let db = actions.first { $0["service"] as? String == "db" }
        #expect(db?["strategy"] as? String == "recreate")

        let text = try BerthBinary.run(["plan", "-c", Fixtures.homelab.path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("+ service db: start 1 replica of berth-demo/postgres:15"))
        #expect(text.stdout.contains("Plan: "))
    }

    @Test func unknownProjectAndBadArguments() throws {
        let result = try BerthBinary.run(["plan", "--project", "notse", "-c", Fixtures.homelab.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no project named 'notse' in projects/ (did you mean 'notes'?)"))
        let missing = try BerthBinary.run(["render", "-c", Fixtures.homelab.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("--out"))
        let noRepo = try BerthBinary.run(["validate", "-c", "/nonexistent/berth"])
        #expect(noRepo.status == 1)
        #expect(noRepo.stderr.contains("berth init"))
    }

    @Test func helpShowsExamplesAndExitCodes() throws {
        let help = try BerthBinary.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes: 0 success, 1 invalid input"))
        let planHelp = try BerthBinary.run(["plan", "--help"])
        #expect(planHelp.stdout.contains("--detailed-exitcode"))
        #expect(planHelp.stdout.contains("Examples:"))
    }
}
