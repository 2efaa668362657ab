import BerthConfig
import Testing
import TestSupport

/// Egress edges, cycles between projects, project directory names and the rest of project.yml.
@Suite struct EgressAndProjectTests {
    static func edge(from: String = "web", to: String) -> String {
        "egress:\n  services:\n    - from: \(from)\n      to: \(to)\n"
    }

    static let dbCompose = "services:\n  db:\n    image: postgres:16\n"

    @Test func edgeToUnknownProject() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": Self.edge(to: "note/db"),
            "projects/notes/compose.yml": Self.dbCompose,
        ])
        expectSingle(problems, "projects/app/project.yml", 4, 11, "egress edge to unknown project 'note'", "(did you mean 'notes'?)")
    }

    @Test func edgeToUnknownServiceOfAProject() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": Self.edge(to: "notes/dbb"),
            "projects/notes/compose.yml": Self.dbCompose,
        ])
        expectSingle(problems, "projects/app/project.yml", 4, 11, "egress edge to unknown service 'dbb' of project 'notes'",
                     "(did you mean 'db'?)")
    }

    @Test func edgeFromUnknownServiceOfItsOwnProject() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": Self.edge(from: "[web, wbe]", to: "notes/db"),
            "projects/notes/compose.yml": Self.dbCompose,
        ])
        expectSingle(problems, "projects/app/project.yml", 3, 19, "an egress edge's 'from' names service 'wbe'", "(did you mean 'web'?)")
    }

    @Test(arguments: ["notes", "notes/", "/db", "notes/db/x"])
    func edgeTargetMustBeProjectSlashService(_ to: String) {
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": Self.edge(to: to)])
        expectSingle(problems, "projects/app/project.yml", 4, 11, "'to' must be PROJECT/SERVICE, found '\(to)'")
    }

    @Test func edgeLoadsWithItsAlias() throws {
        let repository = try Repo.load([
            "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": Self.edge(to: "notes/db"),
            "projects/notes/compose.yml": Self.dbCompose,
        ])
        let edge = try #require(repository.project("app")?.config.egress.edges.first)
        #expect(edge.from == ["web"] && edge.project == "notes" && edge.service == "db" && edge.alias == "db.notes")
        #expect(NetworkPlan.consumers(of: "notes", in: repository) == ["app"])
        #expect(NetworkPlan.networkNames(for: repository) == ["app_internal", "notes_internal", "notes_link_app"])
    }

    @Test func twoProjectCycle() {
        let problems = Repo.problems([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.edge(to: "b/web"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.edge(to: "a/web"),
        ])
        expectSingle(problems, "projects/b/project.yml", 4, 11, "egress edges form a cycle: a → b → a")
    }

    @Test func threeProjectCycle() {
        let problems = Repo.problems([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.edge(to: "b/web"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.edge(to: "c/web"),
            "projects/c/compose.yml": Repo.webCompose, "projects/c/project.yml": Self.edge(to: "a/web"),
        ])
        expectSingle(problems, "projects/c/project.yml", 4, 11, "egress edges form a cycle: a → b → c → a")
    }

    @Test func chainWithoutCycleLoads() throws {
        let repository = try Repo.load([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.edge(to: "b/web"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.edge(to: "c/web"),
            "projects/c/compose.yml": Repo.webCompose,
        ])
        #expect(repository.projects.map(\.name) == ["a", "b", "c"])
    }

    @Test func edgeToItsOwnProject() {
        let problems = Repo.problems(["projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.edge(to: "a/web")])
        expectSingle(problems, "projects/a/project.yml", 4, 11, "points at its own project 'a'")
    }

    @Test func edgeToADisabledProject() {
        let problems = Repo.problems([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.edge(to: "b/web"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": "enabled: false\n",
        ])
        expectSingle(problems, "projects/a/project.yml", 4, 11, "egress edge to project 'b', which is disabled")
    }

    @Test func directoriesThatNameTheSameProject() {
        let route = "ingress:\n  - service: web\n    hosts: [shop.example.test]\n    port: 80\n"
        let problems = Repo.problems([
            "projects/web/compose.yml": Repo.webCompose, "projects/web/project.yml": route,
            "projects/Web/compose.yml": Repo.webCompose, "projects/Web/project.yml": route,
            "projects/web_/compose.yml": Repo.webCompose, "projects/web_/project.yml": route,
        ])
        // Only the copies are reported; they are not loaded, so their routes do not collide with web's.
        #expect(problems.count == 2, "\(render(problems))")
        expectDiagnostic(problems[0], "projects/Web", 1, 1, ["project directories 'Web' and 'web' name the same project 'web'",
                                                            "rename or remove 'Web'"])
        expectDiagnostic(problems[1], "projects/web_", 1, 1, ["project directories 'web_' and 'web' name the same project 'web'"])
    }

    @Test func invalidProjectNameSuggestsAValidOne() {
        let problems = Repo.problems(["projects/My_App/compose.yml": Repo.webCompose])
        expectSingle(problems, "projects/My_App", 1, 1, "project name 'My_App' is invalid", "rename the directory to 'my-app'")
    }

    @Test func similarValidNamesAreDistinctProjects() throws {
        let repository = try Repo.load(["projects/my-app/compose.yml": Repo.webCompose,
                                         "projects/my--app/compose.yml": Repo.webCompose])
        #expect(repository.projects.map(\.name) == ["my--app", "my-app"])
    }

    @Test func namesInEgressAndRolloutMustExist() {
        let project = """
            egress:
              internet: [web, wrker]
            rollout:
              strategy: start-frist
              services:
                wbe: recreate
              shared_volumes: [dta]
            """
        let compose = Repo.webCompose + "\n    volumes: [data:/data]\nvolumes:\n  data: {}\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose, "projects/app/project.yml": project])
        #expect(problems.count == 4, "\(render(problems))")
        expectContains(problems, "projects/app/project.yml", 2, 19, "'egress.internet' names service 'wrker'")
        expectContains(problems, "projects/app/project.yml", 4, 13, "rollout strategy must be auto, start-first or recreate",
                       "(did you mean 'start-first'?)")
        expectContains(problems, "projects/app/project.yml", 6, 5, "'rollout.services' names service 'wbe'", "(did you mean 'web'?)")
        expectContains(problems, "projects/app/project.yml", 7, 20, "'rollout.shared_volumes' names volume 'dta'", "(did you mean 'data'?)")
    }

    @Test func projectDefaultsWithoutProjectFile() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Repo.webCompose])
        let config = try #require(repository.project("app")?.config)
        #expect(config == ProjectConfig())
        #expect(config.enabled && config.ingress.isEmpty && config.egress.internet.isEmpty && config.egress.edges.isEmpty)
        #expect(config.rollout.strategy == .auto && config.rollout.readyTimeout == .seconds(60))
        #expect(config.rollout.drainTimeout == .seconds(30) && config.rollout.sharedVolumes.isEmpty)
    }

    @Test func rolloutSettingsLoad() throws {
        let project = """
            rollout:
              strategy: recreate
              services: {web: start-first}
              ready_timeout: 2m
              drain_timeout: 1m30s
              shared_volumes: [data]
            egress:
              internet: [web]
            """
        let compose = Repo.webCompose + "\n    volumes: [data:/data]\nvolumes:\n  data: {}\n"
        let repository = try Repo.load(["projects/app/compose.yml": compose, "projects/app/project.yml": project])
        let config = try #require(repository.project("app")?.config)
        #expect(config.rollout.strategy == .recreate && config.rollout.services == ["web": .startFirst])
        #expect(config.rollout.readyTimeout == .seconds(120) && config.rollout.drainTimeout == .seconds(90))
        #expect(config.rollout.sharedVolumes == ["data"] && config.egress.internet == ["web"])
        #expect(NetworkPlan.networkNames(for: repository) == ["app_internal", "app_egress"])
    }
}
