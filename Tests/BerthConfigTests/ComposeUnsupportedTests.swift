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
        Case(key: "build", value: ".", advice: "build and tag the image first, then set 'image'"),
        Case(key: "networks", value: "[default]", advice: "declare internet access and cross-project edges under 'egress' in project.yml"),
        Case(key: "network_mode", value: "host", advice: "Berth creates each project's networks itself"),
        Case(key: "container_name", value: "web", advice: "Berth names replicas itself"),
        Case(key: "links", value: "[db]", advice: "services reach each other by service name"),
        Case(key: "scale", value: "2", advice: "use deploy.replicas"),
        Case(key: "mem_limit", value: "1g", advice: "use deploy.resources.limits.memory"),
        Case(key: "cpus", value: "0.5", advice: "use deploy.resources.limits.cpus"),
        Case(key: "pids_limit", value: "100", advice: "use deploy.resources.limits.pids"),
        Case(key: "privileged", value: "true", advice: "not supported yet"),
        Case(key: "devices", value: "[/dev/fuse]", advice: "not supported yet"),
    ]

    @Test(arguments: serviceKeys)
    func unsupportedServiceKey(_ c: Case) {
        let compose = "services:\n  web:\n    image: nginx\n    \(c.key): \(c.value)\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 4, 5,
                     "'\(c.key)' in service 'web' is not supported by berth: ", c.advice)
    }

    static let topLevelKeys: [Case] = [
        Case(key: "networks", value: "{front: {}}", advice: "Berth creates each project's networks itself"),
    ]

    @Test(arguments: topLevelKeys)
    func unsupportedTopLevelKey(_ c: Case) {
        let compose = Repo.webCompose + "\n\(c.key): \(c.value)\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 4, 1,
                     "'\(c.key)' in projects/app/compose.yml is not supported by berth: ", c.advice)
    }

    static let deployKeys: [Case] = [
        Case(key: "update_config", value: "{parallelism: 1}", advice: "rollouts are configured under 'rollout' in project.yml"),
        Case(key: "restart_policy", value: "{condition: any}", advice: "use the service's 'restart'"),
        Case(key: "placement", value: "{constraints: []}", advice: "Swarm"),
    ]

    @Test(arguments: deployKeys)
    func unsupportedDeployKey(_ c: Case) {
        let compose = "services:\n  web:\n    image: nginx\n    deploy:\n      \(c.key): \(c.value)\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 5, 7,
                     "'\(c.key)' in 'deploy' in service 'web' is not supported by berth: ", c.advice)
    }

    @Test func everyUnsupportedKeyOfOneServiceIsReported() {
        let compose = """
            services:
              web:
                image: nginx
                privileged: true
                container_name: web
                build: .
            networks:
              default: {}
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        #expect(problems.map(\.location.line) == [4, 5, 6, 7], "\(render(problems))")
        #expect(problems.map { $0.message.prefix(while: { $0 != " " }) } == ["'privileged'", "'container_name'", "'build'", "'networks'"])
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
