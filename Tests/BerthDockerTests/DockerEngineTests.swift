import Foundation
import Testing

@testable import BerthDocker

/// Tests against the real engine at DOCKER_HOST or /var/run/docker.sock. One at a time: they share the
/// run's labels, and the clean-up after each test removes everything labelled with the run id.
@Suite(.serialized)
struct DockerEngineTests {
    @Test func pingAndVersion() async throws {
        try await DockerTest.withDocker { docker in
            try await docker.ping()
            let info = try await docker.version()
            let server = try #require(APIVersion(info.apiVersion))
            #expect(server >= DockerClient.minimumAPIVersion)
            #expect(!info.version.isEmpty)
            #expect(try await docker.apiVersion() == min(server, DockerClient.maximumAPIVersion))
        }
    }

    @Test func networkAndVolumeLifecycle() async throws {
        try await DockerTest.withDocker { docker in
            let name = DockerTest.name("net")
            let (id, subnet) = try await DockerTest.createNetwork(docker, name: name, internal: true)
            let network = try await docker.networks.inspect(name)
            #expect(network.id == id)
            #expect(network.internal)
            #expect(network.driver == "bridge")
            #expect(network.subnets == [subnet])
            #expect(network.labels["berth.test"] == DockerTest.runID)
            #expect(try await docker.networks.list(labelFilters: DockerTest.runFilter).map(\.id) == [id])
            #expect(try await docker.networks.list(labelFilters: ["berth.test=not-\(DockerTest.runID)"]).isEmpty)

            let volumeName = DockerTest.name("vol")
            let created = try await docker.volumes.create(
                VolumeCreate(name: volumeName, driverOpts: ["type": "tmpfs", "device": "tmpfs"], labels: DockerTest.labels))
            #expect(created.name == volumeName)
            let volume = try await docker.volumes.inspect(volumeName)
            #expect(volume.labels["berth.test"] == DockerTest.runID)
            #expect(volume.options["type"] == "tmpfs")
            #expect(try await docker.volumes.list(labelFilters: DockerTest.runFilter).map(\.name) == [volumeName])

            try await docker.networks.remove(name)
            try await docker.volumes.remove(volumeName)
            let missingNetwork = await DockerTest.expectDockerError { _ = try await docker.networks.inspect(name) }
            #expect(missingNetwork?.code == .notFound)
            let missingVolume = await DockerTest.expectDockerError { _ = try await docker.volumes.inspect(volumeName) }
            #expect(missingVolume?.code == .notFound)
        }
    }

    @Test func createAttachesEveryNetworkWithAliases() async throws {
        try await DockerTest.withDocker { docker in
            let first = DockerTest.name("first")
            let second = DockerTest.name("second")
            _ = try await DockerTest.createNetwork(docker, name: first, internal: true)
            _ = try await DockerTest.createNetwork(docker, name: second, internal: true)
            let config = ContainerConfig(
                image: TestImages.busybox, cmd: ["sleep", "60"], labels: DockerTest.labels,
                hostConfig: HostConfig(initProcess: true),
                networkingConfig: NetworkingConfig(endpointsConfig: [
                    first: EndpointConfig(aliases: ["app-first"]), second: EndpointConfig(aliases: ["app-second"]),
                ]))
            let id = try await docker.containers.create(name: DockerTest.name("multi"), config: config)
            let details = try await docker.containers.inspect(id)
            #expect(Set(details.networks.keys) == [first, second])
            #expect(details.networks[first]?.aliases?.contains("app-first") == true)
            #expect(details.networks[second]?.aliases?.contains("app-second") == true)
            #expect(details.hostConfig?.networkMode == first)
        }
    }

    @Test func nameConflictIsConflict() async throws {
        try await DockerTest.withDocker { docker in
            let name = DockerTest.name("twice")
            let config = ContainerConfig(image: TestImages.busybox, cmd: ["sleep", "60"], labels: DockerTest.labels)
            _ = try await docker.containers.create(name: name, config: config)
            let error = await DockerTest.expectDockerError { _ = try await docker.containers.create(name: name, config: config) }
            #expect(error?.code == .conflict)
            #expect(error?.status == 409)
            #expect(error?.description.hasPrefix("creating container \(name): ") == true)
            #expect(error?.message.contains("already in use") == true)
        }
    }

    @Test func missingImageIsNotFound() async throws {
        try await DockerTest.withDocker { docker in
            let image = "berth-test/does-not-exist:\(DockerTest.runID)"
            let missing = try await docker.images.inspect(image)
            #expect(missing == nil)
            let present = try await docker.images.inspect(TestImages.busybox)
            #expect(present?.repoTags.contains(TestImages.busybox) == true)
            let config = ContainerConfig(image: image, labels: DockerTest.labels)
            let error = await DockerTest.expectDockerError {
                _ = try await docker.containers.create(name: DockerTest.name("noimage"), config: config)
            }
            #expect(error?.code == .notFound)
            #expect(error?.status == 404)
            #expect(error?.hint == "image \(image) not found; pull or build it first")
            #expect(error?.description.contains("No such image: \(image)") == true)
        }
    }

    @Test func unreachableEngineSaysWhatToDo() async throws {
        let docker = try DockerClient(host: "unix:///nonexistent.sock")
        let started = ContinuousClock.now
        let error = await DockerTest.expectDockerError { try await docker.ping() }
        try await docker.shutdown()
        #expect(ContinuousClock.now - started < .seconds(60))  // loose: the point is no hang
        #expect(error?.code == .unreachable)
        #expect(error?.hint == DockerError.unreachableHint)
        #expect(error?.description.contains("unix:///nonexistent.sock") == true)
        #expect(error?.description.hasPrefix("pinging the Docker engine: ") == true)
    }

    @Test func publishedPortInUseIsNamed() async throws {
        try await DockerTest.withDocker { docker in
            let port = String(Int.random(in: 20000...40000))
            let config = ContainerConfig(
                image: TestImages.busybox, cmd: ["sleep", "60"], labels: DockerTest.labels, exposedPorts: ["80/tcp"],
                hostConfig: HostConfig(initProcess: true, portBindings: ["80/tcp": [PortBinding(hostIP: "127.0.0.1", hostPort: port)]]))
            let first = try await docker.containers.create(name: DockerTest.name("port-1"), config: config)
            try await docker.containers.start(first)
            let second = try await docker.containers.create(name: DockerTest.name("port-2"), config: config)
            let error = await DockerTest.expectDockerError { try await docker.containers.start(second) }
            #expect(error?.code == .conflict)
            #expect(error?.hint?.contains("host port 127.0.0.1:\(port) is already in use") == true)
            #expect(error?.description.hasPrefix("starting container \(second): ") == true)
        }
    }

    @Test func pullFailureIsSurfaced() async throws {
        try await DockerTest.withDocker { docker in
            // A registry on a closed local port: the engine only ever connects to 127.0.0.1.
            let reference = "127.0.0.1:1/berth-test/nothing:1"
            let error = await DockerTest.expectDockerError {
                try await docker.images.pull(reference, auth: RegistryAuth(username: "u", password: "p", serverAddress: "127.0.0.1:1"))
            }
            #expect(error?.code == .server || error?.code == .notFound)
            #expect(error?.message.contains("127.0.0.1:1") == true)
            #expect(error?.context == "pulling image \(reference)")
        }
    }
}
