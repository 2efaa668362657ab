import BerthConfig
import BerthPlan
import Foundation
import Testing
import TestSupport

/// Top-level `include` and service `profiles` (enabled in project.yml).
@Suite struct ComposeIncludeProfilesTests {
    @Test func includedServicesAndVolumesJoinTheProject() throws {
        let root = Repo.write([
            "projects/app/compose.yml": """
                include:
                  - db/compose.yml
                  - path: ../../shared/cache.yml
                    env_file: ../../shared/cache.env
                services:
                  web:
                    image: busybox:1
                    depends_on: [db, cache]
                """,
            "projects/app/db/compose.yml": """
                services:
                  db:
                    image: busybox:1
                    volumes:
                      - data:/var/lib/db
                      - ./init:/docker-entrypoint-initdb.d:ro
                volumes:
                  data: {}
                """,
            "shared/cache.yml": "services:\n  cache:\n    image: busybox:${CACHE_TAG}\n",
            "shared/cache.env": "CACHE_TAG=7\n",
        ])
        defer { Fixtures.cleanup(root) }
        let compose = try #require(try Fixtures.load(root).project("app")?.compose)
        #expect(Set(compose.services.keys) == ["web", "db", "cache"])
        #expect(compose.volumes.keys.contains("data"))
        let db = try #require(compose.services["db"])
        let dbDir = root.appendingPathComponent("projects/app/db").standardizedFileURL.path
        #expect(db.volumes.map(\.source) == ["data", dbDir + "/init"], "relative paths resolve against the included file's directory")
        #expect(compose.services["cache"]?.image == "busybox:7", "the include's env_file interpolates the included file")
    }

    @Test func aServiceDefinedTwiceIsAnError() {
        let problems = Repo.problems([
            "projects/app/compose.yml": "include: [other.yml]\nservices:\n  web:\n    image: busybox:1\n",
            "projects/app/other.yml": "services:\n  web:\n    image: busybox:2\n",
        ])
        expectSingle(problems, "projects/app/compose.yml", 3, 3, "service 'web' is defined here and in the included projects/app/other.yml (line 2)")
    }

    @Test func includeCycleIsAnError() {
        let problems = Repo.problems([
            "projects/app/compose.yml": "include: [other.yml]\nservices:\n  web:\n    image: busybox:1\n",
            "projects/app/other.yml": "include: [compose.yml]\nservices:\n  db:\n    image: busybox:2\n",
        ])
        expectContains(problems, "projects/app/other.yml", 1, 11, "'include' of 'compose.yml' makes a cycle")
    }

    @Test func includeWithSeveralPathsMergesThemAsOverrides() throws {
        let root = Repo.write([
            "projects/app/compose.yml": "include:\n  - path: [base.yml, override.yml]\nservices:\n  web:\n    image: busybox:1\n",
            "projects/app/base.yml": "services:\n  db:\n    image: busybox:1\n    environment: [A=1, B=2]\n",
            "projects/app/override.yml": "services:\n  db:\n    environment: { B: \"3\" }\n",
        ])
        defer { Fixtures.cleanup(root) }
        let db = try #require(try Fixtures.load(root).project("app")?.compose.services["db"])
        #expect(db.environment == ["A": "1", "B": "3"])
    }

    static let profiled = """
        services:
          web:
            image: busybox:1
          debug:
            image: busybox:1
            profiles: [debug, tools]
          admin:
            image: busybox:1
            profiles: [admin]
        """

    @Test func servicesWithProfilesRunOnlyWhenOneIsEnabled() throws {
        let off = try #require(try Repo.load(["projects/app/compose.yml": Self.profiled]).project("app")?.compose)
        #expect(Set(off.services.keys) == ["web"])
        #expect(off.leftOut == ["debug": ["debug", "tools"], "admin": ["admin"]])
        let on = try #require(try Repo.load([
            "projects/app/compose.yml": Self.profiled, "projects/app/project.yml": "profiles: [tools]\n",
        ]).project("app")?.compose)
        #expect(Set(on.services.keys) == ["web", "debug"])
        #expect(on.leftOut == ["admin": ["admin"]])
    }

    @Test func anUnknownProfileIsAnErrorWithASuggestion() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.profiled, "projects/app/project.yml": "profiles: [debgu]\n"])
        expectSingle(problems, "projects/app/project.yml", 1, 12, "profile 'debgu' is enabled but no service uses it", "did you mean 'debug'")
    }

    @Test func aDependencyOnALeftOutServiceIsAnError() throws {
        let compose = Self.profiled + "\n    depends_on: [web]\n  api:\n    image: busybox:1\n    depends_on:\n      admin: { condition: service_started }\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 14, 7, "service 'api' depends on 'admin', which runs only with profile admin")
        let optional = compose.replacingOccurrences(of: "{ condition: service_started }", with: "{ condition: service_started, required: false }")
        let api = try Repo.service(optional, "api")
        #expect(api.dependsOn.isEmpty, "an optional dependency on a service that does not run is ignored, as in Compose")
    }
}

extension ComposeIncludeProfilesTests {
    @Test func thePlanListsTheServicesLeftOut() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.profiled, "projects/app/project.yml": "profiles: [debug]\n"])
        let plan = Planner().plan(desired: try DesiredStateBuilder(repository: repository).build(), actual: .empty)
        #expect(plan.leftOut == [LeftOutService(project: "app", service: "admin", profiles: ["admin"])])
        #expect(plan.actions.contains { if case .createService(let s) = $0 { s.name == "debug" } else { false } })
        #expect(!plan.actions.contains { if case .createService(let s) = $0 { s.name == "admin" } else { false } })
    }

    @Test func aRouteToALeftOutServiceSaysWhy() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Self.profiled,
            "projects/app/project.yml": "ingress:\n  - {service: admin, hosts: [a.example.com], port: 80}\n",
        ])
        expectSingle(problems, "projects/app/project.yml", 2, 15, "names service 'admin', which runs only with profile admin and that is not enabled")
    }
}
