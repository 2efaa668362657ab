import BerthConfig
import Testing
import TestSupport

/// Whole repositories: the example loads, and one run reports every problem of every file in order.
@Suite struct RepositoryTests {
    @Test func homelabExampleLoads() throws {
        let repository = try Fixtures.load(Fixtures.homelab)
        #expect(repository.projects.map(\.name) == ["api", "echo", "notes", "site"])
        let notes = try #require(repository.project("notes"))
        #expect(notes.compose.services["app"]?.environment["LOG_LEVEL"] == "info")
        #expect(notes.compose.services["app"]?.environment["NOTES_TITLE"] == "My notes")
        #expect(notes.compose.services["app"]?.restart == "unless-stopped")
        #expect(repository.project("site")?.compose.services["www"]?.image == "berth-demo/static:1")
        #expect(repository.platform.defaultMiddlewares == ["secure-headers", "gzip"])
    }

    @Test func homelabTakesVariablesFromTheEnvironment() throws {
        let repository = try Fixtures.load(Fixtures.homelab, environment: ["SITE_IMAGE": "nginx:1.27", "NOTES_TITLE": ""])
        #expect(repository.project("site")?.compose.services["www"]?.image == "nginx:1.27")
        #expect(repository.project("notes")?.compose.services["app"]?.environment["NOTES_TITLE"] == "My notes")
    }

    static let broken: [String: String] = [
        "platform.yml": """
            domain: example.test
            proxy:
              kind: traefk
            network:
              pools: [172.17.0.0/16]
            """,
        "projects/shop/compose.yml": """
            services:
              web:
                imgae: nginx
                image: nginx
                privileged: true
              db:
                image: postgres:${PG_VERSION:?set PG_VERSION}
            """,
        "projects/shop/project.yml": """
            ingress:
              - service: wbe
                hosts: [shop.example.test, bad_host]
                port: 99999
            egress:
              services:
                - from: web
                  to: blog/api
            """,
        "projects/blog/compose.yml": """
            services:
              web:
                image: ghost:5
                restart: sometimes
            """,
        "projects/blog/project.yml": """
            ingress:
              - service: web
                hosts: [blog.example.test]
                port: 2368
                middlewares: [auth]
            """,
    ]

    @Test func everyProblemOfEveryFileInOneRunInFileOrder() {
        let problems = Repo.problems(Self.broken)
        let expected: [(String, Int, Int, String)] = [
            ("platform.yml", 3, 9, "'kind' in 'proxy' must be traefik or caddy, found 'traefk' (did you mean 'traefik'?)"),
            ("platform.yml", 5, 11, "address pool 172.17.0.0/16 overlaps 172.17.0.0/16, which Docker uses"),
            ("projects/blog/compose.yml", 4, 14, "'restart' in service 'web' must be one of"),
            ("projects/blog/project.yml", 5, 19, "middleware 'auth' is not defined"),
            ("projects/shop/compose.yml", 3, 5, "unknown key 'imgae' in service 'web' (did you mean 'image'?)"),
            ("projects/shop/compose.yml", 7, 21, "variable PG_VERSION is required but not set: set PG_VERSION"),
            ("projects/shop/project.yml", 3, 32, "'bad_host' is not a valid host name"),
            ("projects/shop/project.yml", 4, 11, "'port' in an ingress route of project 'shop' must be between 1 and 65535, found 99999"),
            ("projects/shop/project.yml", 8, 11, "egress edge to unknown service 'api' of project 'blog'"),
        ]
        #expect(problems.count == expected.count, "\(render(problems))")
        for (problem, (file, line, column, fragment)) in zip(problems, expected) {
            expectDiagnostic(problem, file, line, column, [fragment])
        }
    }

    @Test func errorTextIsOneLinePerProblemAndACount() {
        let error = ConfigError([
            Diagnostic(Location(file: "platform.yml", line: 3, column: 9), "first"),
            Diagnostic(Location(file: "projects/a/compose.yml", line: 1, column: 1), "second"),
        ])
        #expect(error.description == """
            platform.yml:3:9: first
            projects/a/compose.yml:1:1: second
            2 problems found; nothing was changed.
            """)
        #expect(ConfigError([Diagnostic(Location(file: "f"), "x")]).description.hasSuffix("1 problem found; nothing was changed."))
    }

    @Test func sinkSortsByFileLineColumnAndDropsExactDuplicates() {
        let sink = DiagnosticSink()
        sink.error(Location(file: "b.yml", line: 1, column: 1), "late file")
        sink.error(Location(file: "a.yml", line: 10, column: 2), "later line")
        sink.error(Location(file: "a.yml", line: 2, column: 5), "later column")
        sink.error(Location(file: "a.yml", line: 2, column: 1), "first")
        sink.error(Location(file: "a.yml", line: 2, column: 1), "first")
        #expect(sink.sorted.map(\.message) == ["first", "later column", "later line", "late file"])
        #expect(sink.diagnostics.count == 5 && !sink.isEmpty)
    }

    @Test func missingDirectory() throws {
        let path = "/nonexistent/berth-config-\(Int.random(in: 0..<1_000_000))"
        #expect(throws: ConfigError.self) { try RepositoryLoader(environment: [:]).load(path) }
        do {
            _ = try RepositoryLoader(environment: [:]).load(path)
        } catch {
            expectSingle(error.diagnostics, path, 1, 1, "no configuration directory here", "berth init")
        }
    }
}
