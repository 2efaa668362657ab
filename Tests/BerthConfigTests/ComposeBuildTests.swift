import BerthConfig
import Foundation
import Testing
import TestSupport

/// Compose `build` and `pull_policy` as the loader reads them: both forms, every honoured setting,
/// missing contexts and Dockerfiles at their position, and refusals with the reason.
@Suite struct ComposeBuildTests {
    static let context = ["projects/app/app/Dockerfile": "FROM scratch\n", "projects/app/app/docker/Prod.Dockerfile": "FROM scratch\n"]

    @Test func shortFormIsTheContext() throws {
        let web = try Repo.service("services:\n  web:\n    build: ./app\n", files: Self.context)
        let build = try #require(web.build)
        #expect(build.context == "./app")
        #expect(build.dockerfilePath == "Dockerfile")
        #expect(build.image == nil)
        #expect(web.image == "", "image is optional with build; planning names it")
    }

    @Test func mappingFormKeepsEverySetting() throws {
        let web = try Repo.service("""
            services:
              web:
                image: example/web:dev
                pull_policy: build
                build:
                  context: app
                  dockerfile: docker/Prod.Dockerfile
                  args:
                    - VERSION=2
                    - FROM_ENV
                    - UNSET
                  target: prod
                  labels: {org.example.team: web}
                  network: host
                  shm_size: 64m
                  extra_hosts: ["db=10.0.0.5"]
                  cache_from: [example/web:cache]
                  no_cache: true
                  pull: "false"
                  tags: [example/web:extra]
            """, files: Self.context, environment: ["FROM_ENV": "from the shell"])
        let b = try #require(web.build)
        #expect(b.context == "app" && b.dockerfile == "docker/Prod.Dockerfile")
        #expect(b.args == ["VERSION": "2", "FROM_ENV": "from the shell"], "an unset argument is left out, as Compose does")
        #expect(b.target == "prod" && b.labels == ["org.example.team": "web"] && b.network == "host")
        #expect(b.shmSize == 64 * 1024 * 1024 && b.extraHosts == ["db:10.0.0.5"] && b.cacheFrom == ["example/web:cache"])
        #expect(b.noCache && !b.pull && b.tags == ["example/web:extra"])
        #expect(b.image == "example/web:dev", "the built image is tagged with 'image' too")
        #expect(web.pullPolicy == .build)
    }

    @Test func aMissingContextOrDockerfileIsAnErrorAtItsPosition() {
        expectSingle(Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    build: ./nowhere\n"]),
                     "projects/app/compose.yml", 3, 12, "build context './nowhere'", "is not a directory")
        expectSingle(Repo.problems(Self.context.merging(["projects/app/compose.yml": """
            services:
              web:
                build:
                  context: app
                  dockerfile: Missing.Dockerfile
            """]) { a, _ in a }), "projects/app/compose.yml", 5, 19, "'Missing.Dockerfile', which is not a file in the context 'app'")
        expectSingle(Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    build: https://github.com/example/web.git\n"]),
                     "projects/app/compose.yml", 3, 12, "is a URL")
    }

    @Test(arguments: [
        ("ssh: [default]", "no SSH agent forwarding"),
        ("secrets: [token]", "no build secrets"),
        ("platforms: [linux/arm64]", "the engine's own platform only"),
        ("network: backend", "must be default, none or host"),
    ])
    func whatTheBuilderCannotDoIsRefused(line: String, reason: String) {
        let problems = Repo.problems(Self.context.merging(["projects/app/compose.yml": """
            services:
              web:
                build:
                  context: app
                  \(line)
            """]) { a, _ in a })
        expectSingle(problems, "projects/app/compose.yml", 5, line.hasPrefix("network") ? 16 : 7, reason)
    }

    @Test func withoutBuildImageIsStillRequired() {
        expectSingle(Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    restart: always\n"]),
                     "projects/app/compose.yml", 3, 5, "service 'web' needs 'image'")
    }

    @Test(arguments: [
        ("always", ComposePullPolicy.always), ("missing", .missing), ("if_not_present", .missing), ("never", .never),
        ("daily", .refresh(.seconds(86_400))), ("weekly", .refresh(.seconds(604_800))),
        ("every_12h", .refresh(.seconds(43_200))), ("every_1w2d", .refresh(.seconds(777_600))), ("every_90s", .refresh(.seconds(90))),
    ])
    func pullPolicies(text: String, policy: ComposePullPolicy) throws {
        let web = try Repo.service("services:\n  web:\n    image: nginx\n    pull_policy: \(text)\n")
        #expect(web.pullPolicy == policy)
        #expect(ComposePullPolicy(parsing: policy.description) == policy, "the written form reads back")
    }

    @Test func badPullPoliciesAreRefused() {
        expectSingle(Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    image: nginx\n    pull_policy: sometimes\n"]),
                     "projects/app/compose.yml", 4, 18, "must be always, missing", "found 'sometimes'")
        expectSingle(Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    image: nginx\n    pull_policy: build\n"]),
                     "projects/app/compose.yml", 4, 18, "no 'build' section")
        expectSingle(Repo.problems(Self.context.merging(["projects/app/compose.yml": "services:\n  web:\n    build: app\n    pull_policy: always\n"]) { a, _ in a }),
                     "projects/app/compose.yml", 4, 18, "does not pull it")
    }
}
