import BerthConfig
import Foundation
import Testing
import TestSupport

/// The service keys that pass to the container: parsed exactly, mapped where Berth's model differs,
/// and gated by the platform's policy where they reach beyond the container.
@Suite struct ComposeSettingsTests {
    static func web(_ extra: String) -> String { "services:\n  web:\n    image: nginx\n" + extra }
    static let strict = """
        domain: example.test
        policy: {privileged: false, devices: false, host_namespaces: false, docker_socket: false, capabilities: []}
        """
    static let open = """
        domain: example.test
        policy: {privileged: true, devices: true, host_namespaces: true, docker_socket: true, capabilities: [SYS_ADMIN]}
        """

    @Test func everyContainerSettingIsRead() throws {
        let s = try Repo.service(Self.web("""
                platform: linux/amd64
                tty: true
                stdin_open: true
                dns: 9.9.9.9
                dns_search: [example.test]
                dns_opt: [use-vc]
                group_add: [audio, "1001"]
                runtime: runc
                domainname: example.test
                mac_address: 02:42:ac:11:00:02
                mem_reservation: 64m
                memswap_limit: -1
                mem_swappiness: 10
                oom_kill_disable: true
                oom_score_adj: -500
                cpu_shares: 512
                cpu_period: 100000
                cpu_quota: 50000
                cpu_rt_runtime: 400ms
                cpuset: "0"
                storage_opt: {size: 1G}
                cgroup: private
                cgroup_parent: berth.slice
                ipc: shareable
                blkio_config:
                  weight: 300
                  device_read_bps: [{path: /dev/sda, rate: 12mb}]

            """))
        let c = try #require(s.settings)
        #expect(c.platform == "linux/amd64" && c.tty == true && c.stdinOpen == true)
        #expect(c.dns == ["9.9.9.9"] && c.dnsSearch == ["example.test"] && c.dnsOptions == ["use-vc"])
        #expect(c.groupAdd == ["audio", "1001"] && c.runtime == "runc" && c.domainname == "example.test")
        #expect(c.macAddress == "02:42:ac:11:00:02")
        #expect(c.memoryReservation == 64 << 20 && c.memorySwap == -1 && c.memorySwappiness == 10)
        #expect(c.oomKillDisable == true && c.oomScoreAdj == -500 && c.cpuShares == 512)
        #expect(c.cpuPeriod == 100_000 && c.cpuQuota == 50_000 && c.cpuRealtimeRuntime == 400_000 && c.cpuset == "0")
        #expect(c.storageOpt == ["size": "1G"] && c.cgroup == "private" && c.cgroupParent == "berth.slice" && c.ipc == "shareable")
        #expect(c.blkio?.weight == 300 && c.blkio?.readBps == [BlkioSettings.Rate(path: "/dev/sda", rate: 12 << 20)])
    }

    @Test func aServiceWithoutThemHasNoSettings() throws {
        #expect(try Repo.service(Repo.webCompose).settings == nil)
    }

    @Test func legacyLimitsAreTheDeployLimits() throws {
        let s = try Repo.service(Self.web("    mem_limit: 1g\n    cpus: 0.5\n    pids_limit: 100\n    scale: 2\n"))
        #expect(s.limits?.memory == 1 << 30 && s.limits?.cpus == 0.5 && s.limits?.pids == 100)
        #expect(s.replicas == 2)
        let both = Repo.problems(["projects/app/compose.yml": Self.web("    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n")])
        expectSingle(both, "projects/app/compose.yml", 4, 16, "'mem_limit' and deploy.resources.limits.memory of service 'web' differ")
    }

    @Test func deploySwarmKeysAreMapped() throws {
        let s = try Repo.service(Self.web("""
                deploy:
                  mode: global
                  labels: {team: web}
                  restart_policy: {condition: on-failure, max_attempts: 3}
                  update_config: {order: stop-first}
                  resources:
                    reservations: {memory: 32m}

            """))
        #expect(s.replicas == 1 && s.labels == ["team": "web"] && s.restart == "on-failure:3")
        #expect(s.updateOrder == .recreate && s.settings?.memoryReservation == 32 << 20)
        let any = try Repo.service(Self.web("    deploy: {restart_policy: {condition: any}}\n"))
        #expect(any.restart == "always")
        let conflict = Repo.problems(["projects/app/compose.yml": Self.web("    restart: \"no\"\n    deploy: {restart_policy: {condition: any}}\n")])
        expectSingle(conflict, "projects/app/compose.yml", 5, 30, "'restart: no' and deploy.restart_policy (always)")
        let job = Repo.problems(["projects/app/compose.yml": Self.web("    deploy: {mode: replicated-job}\n")])
        expectSingle(job, "projects/app/compose.yml", 4, 20, "'mode: replicated-job' (a Swarm job)")
    }

    @Test func swarmKeysWithoutEffectAreWarnings() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.web("""
                deploy:
                  restart_policy: {condition: any, delay: 5s}
                  update_config: {parallelism: 2, order: start-first}
                  resources: {reservations: {cpus: "0.5"}}

            """)])
        let messages = repository.warnings.map(\.message)
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.contains { $0.contains("'delay' in deploy.restart_policy") })
        #expect(messages.contains { $0.contains("'parallelism' in deploy.update_config") })
        #expect(messages.contains { $0.contains("CPU reservation") })
    }

    struct Gate: Sendable, CustomStringConvertible {
        var yaml: String
        var line: Int
        var column: Int
        var message: String
        var description: String { yaml }
    }

    static let gates: [Gate] = [
        Gate(yaml: "    privileged: true\n", line: 4, column: 5, message: "asks for a privileged container (root on the host)"),
        Gate(yaml: "    security_opt: [seccomp:unconfined]\n", line: 4, column: 5, message: "switches the container's confinement off"),
        Gate(yaml: "    devices: [/dev/fuse]\n", line: 4, column: 5, message: "uses host devices ('devices')"),
        Gate(yaml: "    gpus: all\n", line: 4, column: 5, message: "uses host devices ('gpus')"),
        Gate(yaml: "    pid: host\n", line: 4, column: 5, message: "shares the host's pid namespace"),
        Gate(yaml: "    userns_mode: host\n", line: 4, column: 5, message: "shares the host's user namespace"),
        Gate(yaml: "    cap_add: [SYS_ADMIN]\n", line: 4, column: 5, message: "adds capability SYS_ADMIN, which reaches beyond the container"),
        Gate(yaml: "    volumes: [/var/run/docker.sock:/var/run/docker.sock:ro]\n", line: 4, column: 5, message: "mounts the Docker socket /var/run/docker.sock"),
        Gate(yaml: "    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}\n", line: 4, column: 41, message: "reserves host devices"),
    ]

    /// A gate set to false refuses and names the key; unset allows with a warning naming it; true allows silently.
    @Test(arguments: gates)
    func policyGates(_ gate: Gate) throws {
        let compose = Self.web(gate.yaml)
        let refused = Repo.problems(["platform.yml": Self.strict, "projects/app/compose.yml": compose])
        expectSingle(refused, "projects/app/compose.yml", gate.line, gate.column, gate.message, "under 'policy' in platform.yml".isEmpty ? "" : "platform.yml")
        #expect(refused.first?.message.contains("policy.") == true || refused.first?.message.contains("'capabilities'") == true, "\(refused)")
        let warned = try Repo.load(["projects/app/compose.yml": compose]).warnings
        #expect(warned.count == 1 && warned.first?.message.contains(gate.message) == true, "\(warned)")
        #expect(warned.first?.message.contains("allowed because") == true)
        #expect(try Repo.load(["platform.yml": Self.open, "projects/app/compose.yml": compose]).warnings.isEmpty)
    }

    @Test func safeCapabilitiesNeedNoPolicy() throws {
        let s = try Repo.service(Self.web("    cap_add: [NET_ADMIN, cap_sys_nice, CHOWN]\n"))
        #expect(s.capAdd == ["NET_ADMIN", "cap_sys_nice", "CHOWN"])
        expectSingle(Repo.problems(["platform.yml": Self.strict, "projects/app/compose.yml": Self.web("    cap_add: [ALL]\n")]), "projects/app/compose.yml", 4, 5, "adds capability ALL")
        #expect(try Repo.load(["platform.yml": "domain: example.test\npolicy: {capabilities: [SYS_PTRACE]}\n",
                                "projects/app/compose.yml": Self.web("    cap_add: [SYS_PTRACE]\n")]).warnings.isEmpty)
    }

    @Test func devicesAndGpusAreReadInBothSyntaxes() throws {
        let s = try Repo.service(Self.web("""
                devices:
                  - /dev/dri
                  - /dev/ttyUSB0:/dev/zigbee
                  - /dev/sda:/dev/xvda:r
                  - {source: /dev/fuse, target: /dev/fuse, permissions: rw}
                gpus:
                  - {driver: nvidia, count: 1}

            """), files: ["platform.yml": Self.open])
        #expect(s.settings?.devices == ["/dev/dri:/dev/dri:rwm", "/dev/ttyUSB0:/dev/zigbee:rwm", "/dev/sda:/dev/xvda:r", "/dev/fuse:/dev/fuse:rw"])
        #expect(s.settings?.deviceRequests?.first?.driver == "nvidia" && s.settings?.deviceRequests?.first?.capabilities == ["gpu"])
    }

    @Test func sharingAnotherContainersNamespaceIsRefused() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    ipc: service:db\n")])
        expectSingle(problems, "projects/app/compose.yml", 4, 10, "'ipc: service:db' in service 'web' is not supported yet")
    }

    @Test func containerNameIsOneReplicaAndUniqueAcrossProjects() throws {
        let s = try Repo.service(Self.web("    container_name: my-web\n"))
        #expect(s.settings?.containerName == "my-web")
        let two = Repo.problems([
            "projects/app/compose.yml": Self.web("    container_name: shared\n"),
            "projects/blog/compose.yml": Self.web("    container_name: shared\n"),
        ])
        expectSingle(two, "projects/blog/compose.yml", 4, 21, "container_name 'shared' of service 'web' is already used by project 'app' service 'web'")
        let replicas = Repo.problems(["projects/app/compose.yml": Self.web("    container_name: w\n    deploy: {replicas: 2}\n")])
        expectSingle(replicas, "projects/app/compose.yml", 4, 21, "one name fits one container")
        let startFirst = Repo.problems(["projects/app/compose.yml": Self.web("    container_name: w\n"),
                                        "projects/app/project.yml": "rollout: {strategy: start-first}\n"])
        expectSingle(startFirst, "projects/app/compose.yml", 4, 21, "rolls out start-first")
    }

    @Test func volumesFromCopiesTheOtherServicesMounts() throws {
        let compose = """
            services:
              data:
                image: busybox
                volumes: [files:/srv/files, ./conf:/etc/app]
              web:
                image: nginx
                volumes_from: ["data:ro", "container:legacy"]
            volumes:
              files: {}
            """
        let s = try Repo.service(compose)
        #expect(s.volumes.map(\.target) == ["/srv/files", "/etc/app"])
        #expect(s.volumes.allSatisfy { $0.readOnly })
        #expect(s.settings?.volumesFrom == ["container:legacy"])
        let anonymous = Repo.problems(["projects/app/compose.yml": "services:\n  data:\n    image: busybox\n    volumes: [/data]\n  web:\n    image: nginx\n    volumes_from: [data]\n"])
        expectSingle(anonymous, "projects/app/compose.yml", 7, 20, "anonymous volume at /data")
    }

    @Test func labelFileLabelsAreUnderTheServicesOwn() throws {
        let s = try Repo.service(Self.web("    label_file: app.labels\n    labels: {b: own}\n"),
                                 files: ["projects/app/app.labels": "a=from-file\nb=from-file\n"])
        #expect(s.labels == ["a": "from-file", "b": "own"])
    }

    @Test func anOptionalDependencyThatIsNotThereIsLeftOut() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.web("    depends_on: {cache: {condition: service_started, required: false}}\n")])
        #expect(repository.project("app")?.compose.services["web"]?.dependsOn.isEmpty == true)
        #expect(repository.warnings.first?.message.contains("optional (required: false)") == true)
    }

    @Test func developAndAttachAreWarnings() throws {
        let repository = try Repo.load(["projects/app/compose.yml": Self.web("    attach: false\n    develop: {watch: []}\n")])
        #expect(repository.warnings.count == 2)
    }
}
