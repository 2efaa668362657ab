import Foundation
import Testing
import TestSupport

/// The containers Berth creates from a Compose file carry the configuration `docker-compose up` gives the
/// containers of the same file, apart from what Berth states it owns (names, networks, its labels).
extension ApplyE2ETests {
    static let fidelityCompose = """
        services:
          app:
            image: berth-demo/app:1
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            environment: {APP_VERSION: "fid", B: "2"}
            user: "0:0"
            working_dir: /www
            hostname: app
            domainname: example.test
            restart: on-failure:2
            labels: {team: web}
            cap_add: [NET_ADMIN]
            cap_drop: [MKNOD]
            security_opt: ["no-new-privileges:true"]
            ulimits: {nofile: {soft: 1024, hard: 2048}}
            sysctls: {net.ipv4.ip_unprivileged_port_start: "0"}
            shm_size: 32m
            tmpfs: [/scratch]
            extra_hosts: ["db.example.test:10.9.8.7"]
            stop_signal: SIGINT
            stop_grace_period: 7s
            dns: [10.1.1.1]
            dns_search: [example.test]
            dns_opt: [use-vc]
            group_add: ["1234"]
            tty: true
            stdin_open: true
            mem_limit: 96m
            memswap_limit: 192m
            mem_reservation: 32m
            mem_swappiness: 20
            cpus: 0.5
            cpu_shares: 256
            cpuset: "0"
            pids_limit: 64
            oom_score_adj: 100
            devices: ["/dev/null:/dev/xnull:rw"]
            device_cgroup_rules: ["c 1:3 r"]
            ipc: shareable
            init: true
            read_only: true
            healthcheck:
              test: ["CMD", "true"]
              interval: 5s
              timeout: 2s
              retries: 3
              start_period: 1s
            logging: {driver: json-file, options: {max-size: 1m}}
            blkio_config: {weight: 300}
            volumes:
              - data:/data
              - type: bind
                source: /tmp
                target: /host-tmp
                read_only: true
        volumes:
          data: {}
        """

    /// `docker inspect` paths that must be equal; mounts and labels are compared apart.
    static let fidelityPaths = [
        "Config.Image", "Config.Cmd", "Config.Entrypoint", "Config.User", "Config.WorkingDir", "Config.Hostname",
        "Config.Domainname", "Config.Tty", "Config.OpenStdin", "Config.Healthcheck", "Config.StopSignal", "Config.StopTimeout",
        "HostConfig.CapAdd", "HostConfig.CapDrop", "HostConfig.SecurityOpt", "HostConfig.Ulimits", "HostConfig.Sysctls",
        "HostConfig.ShmSize", "HostConfig.Tmpfs", "HostConfig.ExtraHosts", "HostConfig.Dns", "HostConfig.DnsSearch",
        "HostConfig.DnsOptions", "HostConfig.GroupAdd", "HostConfig.Memory", "HostConfig.MemorySwap", "HostConfig.MemoryReservation",
        "HostConfig.MemorySwappiness", "HostConfig.NanoCpus", "HostConfig.CpuShares", "HostConfig.CpusetCpus", "HostConfig.PidsLimit",
        "HostConfig.OomScoreAdj", "HostConfig.Devices", "HostConfig.DeviceCgroupRules", "HostConfig.IpcMode", "HostConfig.Init",
        "HostConfig.ReadonlyRootfs", "HostConfig.RestartPolicy", "HostConfig.LogConfig", "HostConfig.BlkioWeight", "HostConfig.Privileged",
        "HostConfig.PidMode", "HostConfig.UsernsMode",
    ]

    @Test func containersMatchWhatDockerComposeCreates() async throws {
        try await E2EScenario.run("e2efid-") { s in
            let reference = "e2efidref"
            let dir = s.repo.deletingLastPathComponent().appendingPathComponent("reference")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Self.fidelityCompose.write(to: dir.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
            let composeFile = dir.appendingPathComponent("docker-compose.yml").path
            defer { _ = try? Fixtures.run(["docker-compose", "-p", reference, "-f", composeFile, "down", "-v"]) }
            let up = try Fixtures.run(["docker-compose", "-p", reference, "-f", composeFile, "up", "-d"])
            try #require(up.status == 0, "docker-compose up failed: \(up.output)")

            try s.write("platform.yml", E2E.platformYAML(extra: "policy: {devices: true}"))
            try s.write("projects/e2efid-app/compose.yml", Self.fidelityCompose)
            try s.write("projects/e2efid-app/project.yml", "rollout: {ready_timeout: 30s}\n")
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")

            let theirs = try await Self.inspect("\(reference)_app_1")
            let ours = try await Self.inspect(try #require(await E2E.containers("e2efid-app-app-").first))
            for path in Self.fidelityPaths {
                #expect(Self.value(theirs, path) == Self.value(ours, path), "\(path): docker-compose \(Self.value(theirs, path)) ≠ berth \(Self.value(ours, path))")
            }
            #expect(Self.value(ours, "HostConfig.Memory") == "100663296", "the file's own values arrive: \(Self.value(ours, "HostConfig.Memory"))")
            let env = { (c: [String: Any]) in Set(((c["Config"] as? [String: Any])?["Env"] as? [String]) ?? []) }
            #expect(env(theirs) == env(ours))
            let labels = { (c: [String: Any]) in
                (((c["Config"] as? [String: Any])?["Labels"] as? [String: String]) ?? [:]).filter { !$0.key.hasPrefix("com.docker.compose.") && !$0.key.hasPrefix("berth.") }
            }
            #expect(labels(theirs) == labels(ours))
            let mounts = { (c: [String: Any]) in
                Set(((c["Mounts"] as? [[String: Any]]) ?? []).map { "\($0["Type"] ?? "") \($0["Destination"] ?? "") rw=\($0["RW"] ?? "")" })
            }
            #expect(mounts(theirs) == mounts(ours))
        }
    }

    static func inspect(_ container: String) async throws -> [String: Any] {
        let result = await E2ECommand.docker(["inspect", container])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result)")
        return try #require(list.first)
    }

    /// The value at a dotted path, as canonical JSON (sorted keys) so that objects compare by content.
    static func value(_ object: [String: Any], _ path: String) -> String {
        var current: Any? = object
        for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        guard let current, !(current is NSNull) else { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: current, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(current)"
    }
}
