import Foundation
import Testing

@testable import BerthDocker

extension DockerEngineTests {
    /// Everything Berth does to one app container, in order: networks and volume, create with the full
    /// configuration, a second network with an alias, start, healthy, reachable by alias, logs, list,
    /// disconnect, stop (promptly, thanks to init and the stop signal), remove.
    @Test func containerLifecycle() async throws {
        try await DockerTest.withDocker { docker in
            let netA = DockerTest.name("a")
            let netB = DockerTest.name("b")
            let (_, subnetA) = try await DockerTest.createNetwork(docker, name: netA, internal: true)
            let (_, subnetB) = try await DockerTest.createNetwork(docker, name: netB, internal: true)
            let volume = DockerTest.name("data")
            try await docker.volumes.create(VolumeCreate(name: volume, labels: DockerTest.labels))
            let hostDir = FileManager.default.temporaryDirectory.appendingPathComponent(DockerTest.name("host"))
            try FileManager.default.createDirectory(at: hostDir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: hostDir) }
            try "greeting-from-host\n".write(to: hostDir.appendingPathComponent("greeting.txt"), atomically: true, encoding: .utf8)

            let name = DockerTest.name("web")
            let id = try await docker.containers.create(name: name, config: webConfig(network: netA, volume: volume, hostDir: hostDir.path))
            let created = try await docker.containers.inspect(id)
            #expect(created.name == name)
            #expect(created.state.status == "created")
            #expect(created.config.stopSignal == "SIGINT")
            #expect(created.config.env?.contains("GREETING=hi-from-env") == true)
            #expect(created.labels["berth.test.case"] == "lifecycle")
            #expect(created.hostConfig?.initProcess == true)
            #expect(created.hostConfig?.capDrop == ["ALL"])
            #expect(created.hostConfig?.restartPolicy == RestartPolicy(name: "on-failure", maximumRetryCount: 2))
            #expect(created.hostConfig?.mounts?.map(\.type) == [.volume, .bind, .tmpfs])
            #expect(created.config.healthcheck?.interval == 1_000_000_000)

            try await docker.networks.connect(netB, container: id, aliases: ["web-b"])
            try await docker.containers.start(id)
            let healthy = try await DockerTest.waitFor("\(name) to be healthy") { () -> ContainerDetails? in
                let details = try await docker.containers.inspect(id)
                #expect(details.state.health?.status != "unhealthy")
                return details.state.health?.status == "healthy" ? details : nil
            }
            #expect(healthy.state.running)
            #expect(healthy.state.health?.outputs.last?.contains("hi-from-env") == true)
            #expect(healthy.networks[netA]?.aliases?.contains("web-a") == true)
            #expect(healthy.networks[netB]?.aliases?.contains("web-b") == true)
            #expect(inSubnet(healthy.networks[netA]?.ipAddress, subnetA))
            #expect(inSubnet(healthy.networks[netB]?.ipAddress, subnetB))
            #expect(try await docker.networks.inspect(netB).containers[id]?.name == name)

            // Another container on the second network reaches the app by its alias there.
            let probe = try await docker.containers.create(
                name: DockerTest.name("probe"),
                config: ContainerConfig(
                    image: TestImages.busybox, cmd: ["wget", "-q", "-O", "-", "http://web-b:8080/"], labels: DockerTest.labels,
                    networkingConfig: NetworkingConfig(endpointsConfig: [netB: EndpointConfig()])))
            try await docker.containers.start(probe)
            let probed = try await DockerTest.waitFor("the probe to exit") { () -> ContainerDetails? in
                let details = try await docker.containers.inspect(probe)
                return details.state.status == "exited" ? details : nil
            }
            #expect(probed.state.exitCode == 0)
            #expect(try await docker.containers.logLines(probe) == [LogLine(stream: .stdout, text: "hi-from-env")])

            let lines = try await docker.containers.logLines(id)
            #expect(lines.filter { $0.stream == .stdout }.map(\.text) == ["hello-stdout", "greeting-from-host", "stored"])
            #expect(lines.filter { $0.stream == .stderr }.map(\.text) == ["oops"])
            var streamed: [LogLine] = []
            for try await line in docker.containers.logs(id) { streamed.append(line) }
            #expect(Set(streamed) == Set(lines))
            #expect(try await docker.containers.logLines(id, tail: 1).count == 1)
            for try await line in docker.containers.logs(id, follow: true) where line.text == "stored" {
                break  // leaving a followed stream cancels its request
            }

            let listed = try await docker.containers.list(labelFilters: DockerTest.runFilter + ["berth.test.case=lifecycle"])
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.name == name)
            #expect(listed.first?.state == "running")

            try await docker.networks.disconnect(netB, container: id)
            #expect(try await docker.containers.inspect(id).networks.keys.sorted() == [netA])

            let stopping = ContinuousClock.now
            try await docker.containers.stop(id, timeout: 120)
            #expect(ContinuousClock.now - stopping < .seconds(60), "SIGINT through init should end httpd at once")
            let stopped = try await docker.containers.inspect(id)
            #expect(stopped.state.status == "exited")
            #expect(!stopped.state.running)
            try await docker.containers.stop(id, timeout: 1)  // stopping a stopped container is fine

            try await docker.containers.remove(id, volumes: true)
            try await docker.containers.remove(probe)
            let gone = await DockerTest.expectDockerError { _ = try await docker.containers.inspect(id) }
            #expect(gone?.code == .notFound)
            try await docker.volumes.remove(volume)
            try await docker.networks.remove(netA)
            try await docker.networks.remove(netB)
            #expect(try await docker.networks.list(labelFilters: DockerTest.runFilter).isEmpty)
        }
    }

    private func webConfig(network: String, volume: String, hostDir: String) -> ContainerConfig {
        let script = """
            echo hello-stdout; echo oops >&2; cat /host/greeting.txt; echo stored > /data/file; cat /data/file
            echo "$GREETING" > /www/index.html; exec httpd -f -p 8080 -h /www
            """
        return ContainerConfig(
            image: TestImages.busybox, cmd: ["sh", "-c", script], env: ["GREETING=hi-from-env"],
            labels: DockerTest.labels.merging(["berth.test.case": "lifecycle"]) { a, _ in a }, hostname: "web",
            healthcheck: HealthConfig(
                test: ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/"], interval: .seconds(1), timeout: .seconds(2),
                retries: 3),
            stopSignal: "SIGINT", stopTimeout: 20, exposedPorts: ["8080/tcp"],
            hostConfig: HostConfig(
                mounts: [
                    .volume(volume, at: "/data"), .bind(hostDir, at: "/host", readOnly: true),
                    .tmpfs(at: "/scratch", sizeBytes: 1 << 20),
                ],
                restartPolicy: RestartPolicy(name: "on-failure", maximumRetryCount: 2), capDrop: ["ALL"],
                tmpfs: ["/www": "size=1m"], securityOpt: ["no-new-privileges:true"],
                ulimits: [Ulimit(name: "nofile", soft: 1024, hard: 1024)], initProcess: true, shmSize: 8 << 20,
                sysctls: ["net.ipv4.ip_unprivileged_port_start": "0"], extraHosts: ["berth-host:127.0.0.1"],
                logConfig: LogConfig(type: "json-file", config: ["max-size": "1m"]), nanoCpus: 500_000_000,
                memory: 64 << 20, pidsLimit: 64),
            networkingConfig: NetworkingConfig(endpointsConfig: [network: EndpointConfig(aliases: ["web-a"])]))
    }

    /// Whether `address` lies in the /24 `subnet`.
    private func inSubnet(_ address: String?, _ subnet: String) -> Bool {
        guard let address else { return false }
        let prefix = subnet.split(separator: "/")[0].split(separator: ".").prefix(3).joined(separator: ".")
        return address.hasPrefix(prefix + ".")
    }
}
