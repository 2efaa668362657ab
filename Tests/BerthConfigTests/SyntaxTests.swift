import BerthConfig
import Testing
import TestSupport

/// YAML syntax, duplicate keys, unknown keys and wrong types: each problem at its exact position.
@Suite struct SyntaxTests {
    @Test func syntaxErrorInPlatformFile() {
        let problems = Repo.problems(["platform.yml": "domain: example.test\nproxy:\n  kind: traefik\n   http_port: 80\n"])
        expectSingle(problems, "platform.yml", 4, 13, "YAML syntax error", "mapping values are not allowed")
    }

    @Test func syntaxErrorInComposeFileNamesWhereTheListStarted() {
        let problems = Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    image: [nginx\n"])
        expectSingle(problems, "projects/app/compose.yml", 4, 1, "YAML syntax error", "flow sequence", "starts at line 3, column 12")
    }

    @Test func syntaxErrorInProjectFileStillReportsTheComposeFile() {
        let problems = Repo.problems([
            "projects/app/project.yml": "ingress:\n  - service: web\n    hosts: \"a.example.test\n",
            "projects/app/compose.yml": "services:\n  web:\n    imgae: nginx\n",
        ])
        #expect(problems.count == 3, "\(render(problems))")
        expectContains(problems, "projects/app/compose.yml", 3, 5, "service 'web' needs 'image'")
        expectContains(problems, "projects/app/compose.yml", 3, 5, "unknown key 'imgae'")
        expectContains(problems, "projects/app/project.yml", 4, 1, "YAML syntax error", "quoted scalar", "starts at line 3, column 12")
    }

    @Test func tabIndentationSaysSo() {
        let problems = Repo.problems(["projects/app/compose.yml": "services:\n  web:\n\timage: nginx\n"])
        expectSingle(problems, "projects/app/compose.yml", 3, 1, "YAML syntax error", "tabs")
    }

    @Test func duplicateKeyIsReportedAtTheSecondOccurrence() {
        let compose = """
            services:
              web:
                image: nginx
                # a comment between them
                restart: always

                image: caddy
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 7, 5, "duplicate key 'image'", "already set at line 3, column 5")
    }

    @Test func duplicateKeyInAListItemMapping() {
        let project = """
            ingress:
              - service: web
                port: 80
                hosts: [a.example.test]
                port: 81
            """
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 5, 5, "duplicate key 'port'", "line 3, column 5")
    }

    @Test func duplicateTopLevelKeyInPlatform() {
        let problems = Repo.problems(["platform.yml": "domain: a.example.test\nacme: {email: a@b.example}\ndomain: b.example.test\n"])
        expectSingle(problems, "platform.yml", 3, 1, "duplicate key 'domain'", "line 1, column 1")
    }

    struct UnknownKey: Sendable, CustomStringConvertible {
        var file: String
        var content: String
        var line: Int
        var column: Int
        var fragment: String
        var description: String { fragment }
    }

    static let unknownKeys: [UnknownKey] = [
        UnknownKey(file: "projects/app/compose.yml", content: "services:\n  web:\n    imgae: nginx\n    image: nginx\n",
                   line: 3, column: 5, fragment: "unknown key 'imgae' in service 'web' (did you mean 'image'?)"),
        UnknownKey(file: "projects/app/compose.yml", content: "services:\n  web:\n    image: nginx\n    enviroment: {A: b}\n",
                   line: 4, column: 5, fragment: "unknown key 'enviroment' in service 'web' (did you mean 'environment'?)"),
        UnknownKey(file: "projects/app/compose.yml", content: "services:\n  web:\n    image: nginx\nvolums:\n  data: {}\n",
                   line: 4, column: 1, fragment: "unknown key 'volums' in projects/app/compose.yml (did you mean 'volumes'?)"),
        UnknownKey(file: "projects/app/compose.yml",
                   content: "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memroy: 1g\n",
                   line: 7, column: 11, fragment: "unknown key 'memroy' in 'limits' in 'resources' in 'deploy' in service 'web' (did you mean 'memory'?)"),
        UnknownKey(file: "platform.yml", content: "domain: example.test\nprxy:\n  kind: caddy\n",
                   line: 2, column: 1, fragment: "unknown key 'prxy' in platform.yml (did you mean 'proxy'?)"),
        UnknownKey(file: "platform.yml", content: "domain: example.test\nproxy:\n  knd: caddy\n",
                   line: 3, column: 3, fragment: "unknown key 'knd' in 'proxy' in platform.yml (did you mean 'kind'?)"),
        UnknownKey(file: "projects/app/project.yml", content: "ingress:\n  - service: web\n    hossts: [a.example.test]\n    hosts: [a.example.test]\n    port: 80\n",
                   line: 3, column: 5, fragment: "unknown key 'hossts' in an ingress route of project 'app' (did you mean 'hosts'?)"),
        UnknownKey(file: "projects/app/project.yml", content: "rollout:\n  stratgy: recreate\n",
                   line: 2, column: 3, fragment: "(did you mean 'strategy'?)"),
        UnknownKey(file: "projects/app/project.yml", content: "banana: 1\n",
                   line: 1, column: 1, fragment: "unknown key 'banana' in projects/app/project.yml"),
    ]

    @Test(arguments: unknownKeys)
    func unknownKeyIsAnErrorWithASuggestion(_ c: UnknownKey) {
        var files = ["projects/app/compose.yml": Repo.webCompose]
        files[c.file] = c.content
        expectSingle(Repo.problems(files), c.file, c.line, c.column, c.fragment)
    }

    @Test func unknownKeyWithoutACloseMatchHasNoSuggestion() throws {
        let problems = Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    image: nginx\n    zzzz: 1\n"])
        expectSingle(problems, "projects/app/compose.yml", 4, 5, "unknown key 'zzzz' in service 'web'")
        #expect(!(problems.first?.message.contains("did you mean") ?? true))
    }

    struct WrongType: Sendable, CustomStringConvertible {
        var compose: String
        var line: Int
        var column: Int
        var fragment: String
        var description: String { fragment }
    }

    static let wrongTypes: [WrongType] = [
        WrongType(compose: "services:\n  web:\n    image: [nginx]\n", line: 3, column: 12, fragment: "'image' in service 'web' must be a string, found a list"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    read_only: yes\n", line: 4, column: 16, fragment: "'read_only' in service 'web' must be true or false, found 'yes'"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    cap_add: NET_ADMIN\n", line: 4, column: 14, fragment: "'cap_add' in service 'web' must be a list, found a scalar"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n", line: 5, column: 17, fragment: "'replicas' in 'deploy' in service 'web' must be a whole number, found 'two'"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    stop_grace_period: 10\n", line: 4, column: 24, fragment: "must be a duration such as 30s"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    healthcheck: CMD true\n", line: 4, column: 18, fragment: "healthcheck of service 'web' must be a mapping, found a scalar"),
        WrongType(compose: "services: [web]\n", line: 1, column: 11, fragment: "'services' must be a mapping of service names, found a list"),
        WrongType(compose: "- web\n", line: 1, column: 1, fragment: "projects/app/compose.yml must be a mapping, found a list"),
        WrongType(compose: "services:\n  web:\n    image: nginx\n    shm_size: lots\n", line: 4, column: 15, fragment: "'shm_size' in service 'web' must be a size such as 512m"),
    ]

    @Test(arguments: wrongTypes)
    func wrongTypeIsReportedAtTheValue(_ c: WrongType) {
        expectSingle(Repo.problems(["projects/app/compose.yml": c.compose]), "projects/app/compose.yml", c.line, c.column, c.fragment)
    }

    @Test func wrongTypesInPlatformAndProject() {
        let problems = Repo.problems([
            "platform.yml": "domain: example.test\nproxy:\n  http_port: eighty\n",
            "projects/app/compose.yml": Repo.webCompose,
            "projects/app/project.yml": "enabled: maybe\n",
        ])
        #expect(problems.count == 2, "\(render(problems))")
        expectContains(problems, "platform.yml", 3, 14, "'http_port' in 'proxy' in platform.yml must be a whole number, found 'eighty'")
        expectContains(problems, "projects/app/project.yml", 1, 10, "'enabled' in projects/app/project.yml must be true or false, found 'maybe'")
    }

    @Test func misspeltServicesIsUnknownAndServicesMissing() {
        let problems = Repo.problems(["projects/app/compose.yml": "servics:\n  web:\n    image: nginx\n"])
        #expect(problems.count == 2, "\(render(problems))")
        expectContains(problems, "projects/app/compose.yml", 1, 1, "unknown key 'servics'", "(did you mean 'services'?)")
        expectContains(problems, "projects/app/compose.yml", 1, 1, "has no 'services'")
    }

    @Test func emptyComposeFileNeedsServices() {
        expectSingle(Repo.problems(["projects/app/compose.yml": ""]), "projects/app/compose.yml", 1, 1, "has no 'services'")
    }

    @Test func missingPlatformFileSaysHowToCreateOne() {
        let root = Fixtures.repository(["projects/app/compose.yml": Repo.webCompose])
        defer { Fixtures.cleanup(root) }
        #expect(throws: ConfigError.self) { try Fixtures.load(root) }
        do {
            _ = try Fixtures.load(root)
        } catch let error as ConfigError {
            expectSingle(error.diagnostics, "platform.yml", 1, 1, "platform.yml is missing", "berth init")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func missingComposeFileNamesTheAlternativeToRename() {
        let problems = Repo.problems(["projects/app/docker-compose.yml": Repo.webCompose])
        expectSingle(problems, "projects/app", 1, 1, "project 'app' has no compose.yml", "rename docker-compose.yml to compose.yml")
    }
}
