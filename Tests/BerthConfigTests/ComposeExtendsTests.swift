import BerthConfig
import Foundation
import Testing
import TestSupport

/// `extends` (same file and other file) with Compose's merge rules, `!reset` / `!override`, and the YAML
/// forms real files use to share configuration (anchors in `x-` fields, merge keys of lists of anchors).
@Suite struct ComposeExtendsTests {
    static let base = """
        services:
          base:
            image: busybox:1
            command: ["sleep", "1"]
            entrypoint: ["/bin/sh", "-c"]
            environment:
              - A=1
              - B=2
            labels:
              team: core
            ports:
              - "80"
            expose: ["9000"]
            volumes:
              - ./data:/data
              - cache:/cache
            healthcheck:
              test: ["CMD", "true"]
              interval: 5s
          web:
            extends: base
            command: ["sleep", "2"]
            environment:
              B: "3"
              C: "4"
            labels:
              - tier=front
            ports:
              - "80"
              - "81"
            expose: ["9000", "9001"]
            volumes:
              - ./other:/data:ro
            healthcheck:
              test: ["CMD", "false"]
        volumes:
          cache: {}
        """

    @Test func sameFileMergesByComposeRules() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.base])
        let project = try #require(repository.project("app"))
        let web = try #require(project.compose.services["web"])
        #expect(web.image == "busybox:1")
        #expect(web.command == ["sleep", "2"], "command is replaced, not appended")
        #expect(web.entrypoint == ["/bin/sh", "-c"], "inherited")
        #expect(web.environment == ["A": "1", "B": "3", "C": "4"], "merged by key across list and mapping syntax")
        #expect(web.labels == ["team": "core", "tier": "front"])
        #expect(web.ports == [ComposePort(hostPort: nil, containerPort: 80), ComposePort(hostPort: nil, containerPort: 81)], "ports append, unique")
        #expect(web.expose == ["9000", "9001"])
        let dir = project.directory.standardizedFileURL.path
        #expect(web.volumes.map(\.target) == ["/data", "/cache"], "volumes merge by target, in place")
        #expect(web.volumes.first?.source == dir + "/other")
        #expect(web.volumes.first?.readOnly == true)
        #expect(web.healthcheck?.test == ["CMD", "false"], "healthcheck.test is replaced")
        #expect(web.healthcheck?.interval == .seconds(5), "the rest of healthcheck merges")
    }

    @Test func otherFileResolvesItsRelativePathsAgainstItsOwnDirectory() throws {
        let files = [
            "projects/app/compose.yml": """
                services:
                  web:
                    extends:
                      file: ../../shared/common.yml
                      service: app
                    environment:
                      MODE: prod
                """,
            "shared/common.yml": """
                services:
                  app:
                    extends: { file: deeper/base.yml, service: root }
                    image: busybox:1
                    env_file: common.env
                    volumes:
                      - ./static:/www:ro
                """,
            "shared/common.env": "FROM_FILE=yes\n",
            "shared/deeper/base.yml": """
                services:
                  root:
                    image: busybox:0
                    user: "1000"
                    volumes:
                      - type: bind
                        source: ./conf
                        target: /conf
                """,
        ]
        let root = Repo.write(files)
        defer { Fixtures.cleanup(root) }
        let repository = try Fixtures.load(root)
        let web = try #require(repository.project("app")?.compose.services["web"])
        let shared = root.appendingPathComponent("shared").standardizedFileURL.path
        #expect(web.image == "busybox:1")
        #expect(web.user == "1000")
        #expect(web.environment == ["FROM_FILE": "yes", "MODE": "prod"])
        #expect(web.volumes.map(\.source) == [shared + "/deeper/conf", shared + "/static"])
    }

    @Test func resetRemovesAndOverrideReplaces() throws {
        let compose = """
            services:
              base:
                image: busybox:1
                ports: ["127.0.0.1:8080:80"]
                environment: { A: "1", B: "2" }
                command: ["sleep", "1"]
              web:
                extends: base
                ports: !reset []
                environment: !override { C: "3" }
                command: !reset null
            """
        let web = try Repo.service(compose)
        #expect(web.ports == nil)
        #expect(web.environment == ["C": "3"])
        #expect(web.command == nil)
    }

    @Test func resetInASingleFileRemovesTheKey() throws {
        let web = try Repo.service("services:\n  web:\n    image: busybox:1\n    user: !reset \"1000\"\n")
        #expect(web.user == nil)
    }

    @Test func cycleIsAnErrorAtTheExtends() {
        let compose = """
            services:
              a:
                image: busybox:1
                extends: b
              b:
                extends: { service: a }
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectContains(problems, "projects/app/compose.yml", 4, 5, "'extends' of service 'a' makes a cycle", "compose.yml:b", "compose.yml:a")
    }

    @Test func missingBaseServiceAndFileAreErrors() {
        let missingService = "services:\n  web:\n    extends: bsae\n  base:\n    image: busybox:1\n"
        expectContains(Repo.problems(["projects/app/compose.yml": missingService]), "projects/app/compose.yml", 3, 14,
                       "service 'bsae' to extend is not defined", "did you mean 'base'")
        let missingFile = "services:\n  web:\n    extends: { file: nope.yml, service: base }\n"
        expectContains(Repo.problems(["projects/app/compose.yml": missingFile]), "projects/app/compose.yml", 3, 22,
                       "Compose file 'nope.yml' does not exist", "projects/app/nope.yml")
    }

    @Test func problemsInTheOtherFilePointIntoIt() {
        let files = [
            "projects/app/compose.yml": "services:\n  web:\n    extends: { file: base.yml, service: base }\n",
            "projects/app/base.yml": "services:\n  base:\n    image: busybox:1\n    imagee: typo\n",
        ]
        expectSingle(Repo.problems(files), "projects/app/base.yml", 4, 5, "unknown key 'imagee'")
    }

    /// docker-compose 1.29 (the reference here) reads the same extends into the same service.
    @Test func docker_composeAgrees() throws {
        let dir = Fixtures.tempDirectory("berth-extends")
        defer { Fixtures.cleanup(dir) }
        try Self.base.replacingOccurrences(of: "services:", with: "version: \"2.4\"\nservices:", options: [], range: Self.base.range(of: "services:"))
            .write(to: dir.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let script = """
            import sys, yaml, subprocess, json
            out = subprocess.run(["docker-compose", "-f", sys.argv[1], "config"], capture_output=True, text=True, check=True).stdout
            web = yaml.safe_load(out)["services"]["web"]
            print(json.dumps({"command": web["command"], "environment": web["environment"], "labels": web["labels"],
                              "expose": web["expose"], "targets": [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in web["volumes"]],
                              "ports": len(web["ports"]), "test": web["healthcheck"]["test"]}, sort_keys=True))
            """
        let result = try Fixtures.run(["python3", "-c", script, dir.appendingPathComponent("docker-compose.yml").path], in: dir)
        try #require(result.status == 0, "\(result.output)")
        let reference = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let web = try Repo.service(Self.base)
        #expect(reference?["command"] as? [String] == web.command)
        #expect(reference?["environment"] as? [String: String] == web.environment)
        #expect(reference?["labels"] as? [String: String] == web.labels)
        #expect((reference?["expose"] as? [String]).map(Set.init) == Set(web.expose))
        #expect((reference?["targets"] as? [String]).map(Set.init) == Set(web.volumes.map(\.target)))
        #expect(reference?["ports"] as? Int == web.ports?.count)
        #expect(reference?["test"] as? [String] == web.healthcheck?.test)
    }

    @Test func anchorsInExtensionFieldsAndMergeKeysOfListsOfAnchors() throws {
        let compose = """
            x-logging: &logging
              driver: json-file
              options: { max-size: 10m }
            x-env: &env
              TZ: UTC
              A: from-env
            x-more: &more
              A: from-more
              B: "2"
            services:
              web:
                image: busybox:1
                logging: *logging
                environment:
                  <<: [*env, *more]
                  C: "3"
            """
        let web = try Repo.service(compose)
        #expect(web.logging?.driver == "json-file")
        #expect(web.logging?.options == ["max-size": "10m"])
        #expect(web.environment == ["TZ": "UTC", "A": "from-env", "B": "2", "C": "3"], "earlier sources win, explicit keys win")
    }
}
