import BerthConfig
import Testing
import TestSupport

/// Compose keys Berth does not honour are errors that name the key and say what to do instead.
@Suite struct ComposeUnsupportedTests {
    struct Case: Sendable, CustomStringConvertible {
        var key: String
        var value: String
        var advice: String
        var description: String { key }
    }

    static let serviceKeys: [Case] = [
        Case(key: "cpu_count", value: "2", advice: "Windows containers only"),
        Case(key: "post_start", value: "[{command: x}]", advice: "run the step in the entrypoint"),
    ]

    @Test(arguments: serviceKeys)
    func unsupportedServiceKey(_ c: Case) {
        let compose = "services:\n  web:\n    image: nginx\n    \(c.key): \(c.value)\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 4, 5,
                     "'\(c.key)' in service 'web' is not supported by berth: ", c.advice)
    }

    static let topLevelKeys: [Case] = [
        Case(key: "models", value: "{llm: {model: ai/smollm2}}", advice: "AI models are a Docker Desktop feature"),
    ]

    @Test(arguments: topLevelKeys)
    func unsupportedTopLevelKey(_ c: Case) {
        let compose = Repo.webCompose + "\n\(c.key): \(c.value)\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 4, 1,
                     "'\(c.key)' in projects/app/compose.yml is not supported by berth: ", c.advice)
    }

    static let deployKeys: [Case] = [
        Case(key: "placement", value: "{constraints: []}", advice: "Swarm placement; Berth runs a project on one engine"),
        Case(key: "rollback_config", value: "{parallelism: 1}", advice: "Rollback is automatic"),
        Case(key: "endpoint_mode", value: "vip", advice: "reached by name"),
    ]

    /// Swarm keys without an effect on one engine are accepted with a warning that says so.
    @Test(arguments: deployKeys)
    func swarmOnlyDeployKeyIsAWarning(_ c: Case) throws {
        let compose = "services:\n  web:\n    image: nginx\n    deploy:\n      \(c.key): \(c.value)\n"
        let warnings = try Repo.load(["projects/app/compose.yml": compose]).warnings
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.location == Location(file: "projects/app/compose.yml", line: 5, column: 7))
        #expect(warnings.first?.message.contains(c.advice) == true, "\(warnings)")
    }

    @Test func everyUnsupportedKeyOfOneServiceIsReported() {
        let compose = """
            services:
              web:
                image: nginx
                post_start: [{command: x}]
                cpu_count: 2
                pre_stop: [{command: x}]
            models:
              llm: {}
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        #expect(problems.map(\.location.line) == [4, 5, 6, 7], "\(render(problems))")
        #expect(problems.map { $0.message.prefix(while: { $0 != " " }) } == ["'post_start'", "'cpu_count'", "'pre_stop'", "'models'"])
    }

    @Test func extensionKeysAreAllowedEverywhereComposeAllowsThem() throws {
        let compose = """
            x-top: 1
            services:
              web:
                image: nginx
                x-service: {anything: [1]}
                volumes:
                  - type: volume
                    source: data
                    target: /data
                    x-mount: yes
            volumes:
              data:
                x-volume: 1
            """
        let s = try Repo.service(compose)
        #expect(s.volumes.first?.source == "data")
    }

    @Test func versionIsAcceptedAndHasNoEffect() throws {
        #expect(try Repo.service("version: \"3.9\"\n" + Repo.webCompose) == ComposeService(image: "nginx:1.27"))
    }
}
