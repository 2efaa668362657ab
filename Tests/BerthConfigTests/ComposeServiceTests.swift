import BerthConfig
import Testing
import TestSupport

/// Every service key Berth honours is read into the model exactly.
@Suite struct ComposeServiceTests {
    static let full = """
        services:
          web:
            image: registry.example/web:2.1
            command: ["serve", "--port", "8080"]
            entrypoint: /bin/entry --verbose "two words"
            environment:
              MODE: production
              EMPTY: ""
              PORT: 8080
            healthcheck:
              test: curl -fsS http://127.0.0.1:8080/ || exit 1
              interval: 1m30s
              timeout: 500ms
              retries: 4
              start_period: 20s
              start_interval: 2s
            restart: on-failure:3
            labels:
              org.example.team: core
            user: "1000:1000"
            working_dir: /srv/app
            cap_add: [NET_BIND_SERVICE]
            cap_drop: [ALL]
            read_only: true
            tmpfs: /run
            security_opt: ["no-new-privileges:true"]
            ulimits:
              nofile: {soft: 1024, hard: 4096}
              nproc: 512
            init: true
            shm_size: 64m
            sysctls:
              net.core.somaxconn: 1024
            extra_hosts: ["host.docker.internal:host-gateway", "db.local=10.0.0.5"]
            stop_signal: SIGINT
            stop_grace_period: 1m30s
            depends_on:
              db:
                condition: service_healthy
                restart: true
              migrate:
                condition: service_completed_successfully
                required: false
            logging:
              driver: json-file
              options: {max-size: 10m, max-file: 3}
            deploy:
              replicas: 3
              resources:
                limits: {cpus: 0.5, memory: 1536m, pids: 200}
            hostname: web-host
            expose: ["8080", "9090/tcp"]
          db:
            image: postgres:16
            healthcheck:
              disable: true
          migrate:
            image: registry.example/web:2.1
            command: migrate --all
            restart: "no"
        """

    @Test func everyServiceKey() throws {
        let s = try Repo.service(Self.full)
        #expect(s.image == "registry.example/web:2.1")
        #expect(s.command == ["serve", "--port", "8080"])
        #expect(s.entrypoint == ["/bin/entry", "--verbose", "two words"])
        #expect(s.environment == ["MODE": "production", "EMPTY": "", "PORT": "8080"])
        let h = try #require(s.healthcheck)
        #expect(h.test == ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/ || exit 1"] && !h.disabled)
        #expect(h.interval == .seconds(90) && h.timeout == TimeSpan(milliseconds: 500) && h.retries == 4)
        #expect(h.startPeriod == .seconds(20) && h.startInterval == .seconds(2))
        #expect(s.restart == "on-failure:3")
        #expect(s.labels == ["org.example.team": "core"])
        #expect(s.user == "1000:1000" && s.workingDir == "/srv/app")
        #expect(s.capAdd == ["NET_BIND_SERVICE"] && s.capDrop == ["ALL"] && s.readOnly)
        #expect(s.tmpfs == ["/run"] && s.securityOpt == ["no-new-privileges:true"])
        #expect(s.ulimits == ["nofile": Ulimit(soft: 1024, hard: 4096), "nproc": Ulimit(soft: 512, hard: 512)])
        #expect(s.initProcess == true && s.shmSize == 64 << 20)
        #expect(s.sysctls == ["net.core.somaxconn": "1024"])
        #expect(s.extraHosts == ["host.docker.internal:host-gateway", "db.local:10.0.0.5"])
        #expect(s.stopSignal == "SIGINT" && s.stopGracePeriod == .seconds(90))
        #expect(s.dependsOn["db"]?.condition == .healthy && s.dependsOn["db"]?.restart == true && s.dependsOn["db"]?.required == true)
        #expect(s.dependsOn["migrate"]?.condition == .completedSuccessfully && s.dependsOn["migrate"]?.required == false)
        #expect(s.logging?.driver == "json-file" && s.logging?.options == ["max-size": "10m", "max-file": "3"])
        #expect(s.replicas == 3 && s.limits?.cpus == 0.5 && s.limits?.memory == 1536 << 20 && s.limits?.pids == 200)
        #expect(s.hostname == "web-host" && s.expose == ["8080", "9090/tcp"])

        let db = try Repo.service(Self.full, "db")
        #expect(db.healthcheck?.test == ["NONE"] && db.healthcheck?.disabled == true)
        let migrate = try Repo.service(Self.full, "migrate")
        #expect(migrate.command == ["migrate", "--all"] && migrate.restart == "no")
    }

    @Test func defaultsOfAMinimalService() throws {
        let s = try Repo.service(Repo.webCompose)
        #expect(s == ComposeService(image: "nginx:1.27"))
        #expect(s.restart == "unless-stopped" && s.replicas == 1 && s.command == nil && s.entrypoint == nil)
        #expect(s.healthcheck == nil && s.initProcess == nil && !s.readOnly && s.limits == nil && s.environment.isEmpty)
    }

    static func web(_ lines: String) -> String { "services:\n  web:\n    image: nginx\n" + lines }

    @Test func environmentAsAListAndLabelsAsAList() throws {
        let s = try Repo.service(Self.web("    environment: [A=1, B=x=y, C=]\n    labels: [team=core, flag]\n"))
        #expect(s.environment == ["A": "1", "B": "x=y", "C": ""])
        #expect(s.labels == ["team": "core", "flag": ""])
    }

    @Test func environmentWithoutValueComesFromTheEnvironment() throws {
        let s = try Repo.service(Self.web("    environment: [TOKEN]\n"), environment: ["TOKEN": "t0k"])
        #expect(s.environment == ["TOKEN": "t0k"])
        let m = try Repo.service(Self.web("    environment:\n      TOKEN:\n"), environment: ["TOKEN": "t0k"])
        #expect(m.environment == ["TOKEN": "t0k"])
    }

    @Test func environmentWithoutValueAndNotSetIsLeftUnsetWithAWarning() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.web("    environment:\n      - A=1\n      - TOKEN\n")])
        #expect(repository.project("app")?.compose.services["web"]?.environment == ["A": "1"])
        let warning = try #require(repository.warnings.first)
        #expect(warning.location == Location(file: "projects/app/compose.yml", line: 6, column: 9))
        #expect(warning.message.contains("'TOKEN' in 'environment' in service 'web' has no value"))
        #expect(warning.message.contains("left unset"))
    }

    @Test(arguments: ["no", "always", "unless-stopped", "on-failure", "on-failure:5"])
    func validRestartValues(_ value: String) throws {
        #expect(try Repo.service(Self.web("    restart: \"\(value)\"\n")).restart == value)
    }

    @Test(arguments: ["sometimes", "always:3", "on-failure:x", "on-failure:-1"])
    func invalidRestartValues(_ value: String) {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    restart: \"\(value)\"\n")])
        expectSingle(problems, "projects/app/compose.yml", 4, 14, "must be one of no, always, unless-stopped, on-failure[:N], found '\(value)'")
    }

    @Test func healthcheckListTestMustStartWithCMD() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    healthcheck:\n      test: [curl, localhost]\n")])
        expectSingle(problems, "projects/app/compose.yml", 5, 13, "must start with CMD, CMD-SHELL or NONE, found 'curl'")
    }

    /// Without `test` the image's own check runs with the given timings (Docker inherits an empty test);
    /// `disable: false` alone (Immich's file) keeps the image's check as it is.
    @Test func healthcheckWithoutTestKeepsTheImagesCheck() throws {
        let timed = try Repo.service(Self.web("    healthcheck:\n      interval: 5s\n"))
        #expect(timed.healthcheck?.test == [] && timed.healthcheck?.interval == .seconds(5))
        #expect(try Repo.service(Self.web("    healthcheck:\n      disable: false\n")).healthcheck == nil)
    }

    @Test func extraHostsAsAMappingAndDependsOnAsAList() throws {
        let compose = """
            services:
              web:
                image: nginx
                extra_hosts:
                  db.local: 10.0.0.5
                  api.local: "::1"
                depends_on: [db]
              db:
                image: postgres
            """
        let s = try Repo.service(compose)
        #expect(s.extraHosts == ["api.local:::1", "db.local:10.0.0.5"])
        #expect(s.dependsOn == ["db": Dependency()])
        #expect(s.dependsOn["db"]?.condition == .started && s.dependsOn["db"]?.required == true)
    }

    @Test func dependsOnAnUnknownServiceIsReportedAtTheName() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    depends_on:\n      - dbb\nx-db: &db\n  image: postgres\n")])
        expectSingle(problems, "projects/app/compose.yml", 5, 9, "service 'web' depends on 'dbb', which is not a service of project 'app'")
    }

    @Test func dependsOnConditionMustBeKnown() {
        let compose = "services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n    depends_on:\n      db: {condition: service_healty}\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 7, 23, "'condition' must be one of service_started", "(did you mean 'service_healthy'?)")
    }

    @Test func ulimitNeedsBothSoftAndHard() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    ulimits:\n      nofile: {soft: 10}\n")])
        expectSingle(problems, "projects/app/compose.yml", 5, 15, "ulimit 'nofile' of service 'web' needs 'hard'")
    }

    @Test func ulimitSoftAboveHard() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    ulimits:\n      nofile: {soft: 10, hard: 5}\n")])
        expectSingle(problems, "projects/app/compose.yml", 5, 15, "soft limit 10 is above hard limit 5")
    }

    @Test func commandWithAnUnclosedQuote() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    command: echo 'oops\n")])
        expectSingle(problems, "projects/app/compose.yml", 4, 14, "'command' in service 'web' has an unclosed quote")
    }

    @Test func reservedLabels() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    labels: {berth.project: x}\n")])
        expectSingle(problems, "projects/app/compose.yml", 4, 13, "label 'berth.project' in service 'web' is reserved")
    }

    @Test func deployLimitsMustBePositive() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    deploy:\n      resources:\n        limits: {cpus: 0}\n")])
        expectSingle(problems, "projects/app/compose.yml", 6, 24, "'cpus' in 'limits' in 'resources' in 'deploy' in service 'web' must be greater than 0")
    }

    @Test func anchorsMergeKeysAndExtensionFields() throws {
        let compose = """
            x-defaults: &defaults
              restart: always
              environment: {A: "1"}
              read_only: true
            x-anything:
              whatever: [1, 2]
            services:
              web:
                <<: *defaults
                image: nginx
                restart: "no"
                x-note: ignored by design
              worker:
                <<: [*defaults]
                image: busybox
            """
        let web = try Repo.service(compose)
        #expect(web.restart == "no")  // explicit keys win over merged ones
        #expect(web.environment == ["A": "1"] && web.readOnly)
        let worker = try Repo.service(compose, "worker")
        #expect(worker.restart == "always" && worker.readOnly)
    }

    @Test func problemsInAMergedAnchorPointAtTheAnchor() {
        let compose = "x-defaults: &defaults\n  restrat: always\nservices:\n  web:\n    <<: *defaults\n    image: nginx\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 2, 3, "unknown key 'restrat' in service 'web' (did you mean 'restart'?)")
    }

    @Test func mergeKeyNeedsAMapping() {
        let problems = Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    <<: nginx\n    image: nginx\n"])
        expectSingle(problems, "projects/app/compose.yml", 3, 9, "a '<<' merge key needs a mapping")
    }

    @Test func aDifferentNameIsAWarningAndTheDirectoryWins() throws {
        let repository = try Repo.load(["projects/app/compose.yml": "name: other\n" + Repo.webCompose])
        #expect(repository.project("app") != nil)
        let warning = try #require(repository.warnings.first)
        #expect(warning.location == Location(file: "projects/app/compose.yml", line: 1, column: 1))
        #expect(warning.message.contains("Berth names the project after its directory ('app')"))
    }

    @Test func invalidServiceName() {
        let problems = Repo.problems(["projects/app/compose.yml": "services:\n  Web:\n    image: nginx\n"])
        expectSingle(problems, "projects/app/compose.yml", 2, 3, "service name 'Web' is invalid")
    }
}
