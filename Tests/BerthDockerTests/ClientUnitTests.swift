import Foundation
import Testing

@testable import BerthDocker

/// The client's pure logic: endpoints, queries, references, errors, version negotiation, encoding.
struct ClientUnitTests {
    @Test(arguments: [
        ("unix:///var/run/docker.sock", DockerEndpoint.unixSocket(path: "/var/run/docker.sock")),
        ("tcp://127.0.0.1:2375", .tcp(host: "127.0.0.1", port: 2375)),
        ("tcp://docker.local:2376/", .tcp(host: "docker.local", port: 2376)),
        ("http://[::1]:2375", .tcp(host: "::1", port: 2375)),
    ])
    func parsesHosts(text: String, endpoint: DockerEndpoint) throws {
        #expect(try DockerEndpoint.parse(text) == endpoint)
    }

    @Test(arguments: ["", "unix://relative.sock", "tcp://host", "tcp://:80", "ssh://me@host", "tcp://h:99999"])
    func rejectsBadHosts(text: String) {
        #expect(throws: DockerError.self) { try DockerEndpoint.parse(text) }
    }

    @Test func endpointOrderIsExplicitThenEnvironmentThenDefault() throws {
        let env = ["DOCKER_HOST": "tcp://127.0.0.1:2375"]
        #expect(try DockerEndpoint.resolve(explicit: "unix:///x.sock", environment: env) == .unixSocket(path: "/x.sock"))
        #expect(try DockerEndpoint.resolve(explicit: nil, environment: env) == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try DockerEndpoint.resolve(explicit: nil, environment: [:]) == .unixSocket(path: "/var/run/docker.sock"))
    }

    @Test func socketPathIsPercentEncodedIntoTheHost() {
        #expect(DockerEndpoint.unixSocket(path: "/var/run/docker.sock").url("/_ping")
            == "http+unix://%2Fvar%2Frun%2Fdocker.sock/_ping")
        #expect(DockerEndpoint.tcp(host: "127.0.0.1", port: 2375).url("/v1.41/info") == "http://127.0.0.1:2375/v1.41/info")
    }

    @Test func labelFiltersBecomeEncodedJSON() {
        var query = QueryString()
        query.add("all", true)
        query.addFilters(["label": ["berth.test=a b"], "name": []])
        #expect(query.encoded == "?all=true&filters=%7B%22label%22%3A%5B%22berth.test%3Da%20b%22%5D%7D")
        var empty = QueryString()
        empty.addFilters(["label": []])
        #expect(empty.encoded == "")
    }

    @Test(arguments: [
        ("busybox", "busybox", "latest"), ("busybox:1.36", "busybox", "1.36"),
        ("127.0.0.1:5000/team/app", "127.0.0.1:5000/team/app", "latest"),
        ("127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app", "v2"),
    ])
    func splitsImageReferences(reference: String, name: String, tag: String) {
        let split = ImageAPI.split(reference)
        #expect(split.name == name)
        #expect(split.tag == tag)
    }

    @Test func digestReferencesKeepTheirDigestAndNoTag() {
        let split = ImageAPI.split("app@sha256:abc")
        #expect(split.name == "app@sha256:abc")
        #expect(split.tag == nil)
    }

    @Test func pullStreamErrorsAreFound() {
        let stream = Data("""
            {"status":"Pulling from team/app","id":"v2"}
            {"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}

            """.utf8)
        #expect(ImageAPI.streamError(stream) == "manifest unknown")
        #expect(ImageAPI.streamError(Data(#"{"status":"Downloaded newer image"}"#.utf8)) == nil)
    }

    @Test func portAllocationNamesThePort() {
        let error = DockerError.fromResponse(
            status: 500,
            message: "driver failed programming external connectivity on endpoint web-1 (abc): Bind for 127.0.0.1:8080 failed: port is already allocated",
            context: "starting container web-1")
        #expect(error.code == .conflict)
        #expect(error.status == 500)
        #expect(error.description.hasPrefix("starting container web-1: driver failed"))
        #expect(error.hint == "host port 127.0.0.1:8080 is already in use by another container or process; free it or publish another port")
    }

    @Test(arguments: [(404, DockerError.Code.notFound), (409, .conflict), (400, .badRequest), (500, .server), (503, .server)])
    func statusesMapToCodes(status: Int, code: DockerError.Code) {
        #expect(DockerError.fromResponse(status: status, message: "m", context: "c").code == code)
    }

    @Test func negotiatesTheHighestCommonVersion() throws {
        func info(_ api: String, min: String? = "1.12") -> VersionInfo {
            VersionInfo(version: "x", apiVersion: api, minAPIVersion: min, os: nil, arch: nil, kernelVersion: nil)
        }
        #expect(try DockerClient.negotiate(server: info("1.41")) == APIVersion(1, 41))
        #expect(try DockerClient.negotiate(server: info("1.45")) == APIVersion(1, 45))
        #expect(try DockerClient.negotiate(server: info("1.52", min: "1.44")) == DockerClient.maximumAPIVersion)
        #expect(throws: DockerError.self) { try DockerClient.negotiate(server: info("1.40")) }
        #expect(throws: DockerError.self) { try DockerClient.negotiate(server: info("1.60", min: "1.50")) }
    }

    @Test func registryAuthIsBase64URLJSON() throws {
        let header = try RegistryAuth(username: "me", password: "s3cr3t?>", serverAddress: "127.0.0.1:5000").headerValue()
        #expect(!header.contains("+") && !header.contains("/"))
        let base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let json = try #require(Data(base64Encoded: base64))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(object == ["username": "me", "password": "s3cr3t?>", "serveraddress": "127.0.0.1:5000"])
    }

    @Test func containerConfigUsesDockersKeys() throws {
        let config = ContainerConfig(
            image: "app:1", exposedPorts: ["80/tcp"],
            hostConfig: HostConfig(
                mounts: [.tmpfs(at: "/tmp", sizeBytes: 1024)], initProcess: true,
                portBindings: ["80/tcp": [PortBinding(hostIP: "127.0.0.1", hostPort: "8080")]]),
            networkingConfig: NetworkingConfig(endpointsConfig: ["net": EndpointConfig(aliases: ["web"])]))
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any])
        #expect(json["Image"] as? String == "app:1")
        #expect((json["ExposedPorts"] as? [String: [String: Any]])?.keys.sorted() == ["80/tcp"])
        let host = try #require(json["HostConfig"] as? [String: Any])
        #expect(host["Init"] as? Bool == true)
        #expect(((host["Mounts"] as? [[String: Any]])?.first?["TmpfsOptions"] as? [String: Any])?["SizeBytes"] as? Int == 1024)
        #expect((host["PortBindings"] as? [String: [[String: String]]])?["80/tcp"] == [["HostIp": "127.0.0.1", "HostPort": "8080"]])
        let networks = try #require((json["NetworkingConfig"] as? [String: Any])?["EndpointsConfig"] as? [String: [String: [String]]])
        #expect(networks == ["net": ["Aliases": ["web"]]])
        #expect(try JSONDecoder().decode(ContainerConfig.self, from: JSONEncoder().encode(config)) == config)
    }

    @Test func healthDurationsAreNanoseconds() {
        let health = HealthConfig(test: ["CMD", "true"], interval: .milliseconds(1500), timeout: .seconds(2), startPeriod: .zero)
        #expect(health.interval == 1_500_000_000)
        #expect(health.timeout == 2_000_000_000)
        #expect(health.startPeriod == 0)
    }

    @Test func timestampsHaveNineFractionDigits() {
        #expect(unixTimestamp(Date(timeIntervalSince1970: 1_700_000_000.5)) == "1700000000.500000000")
        #expect(unixTimestamp(Date(timeIntervalSince1970: 12)) == "12.000000000")
    }

    @Test func testCleanupReadsDockersTimes() {
        #expect(DockerTest.parseTime("2026-11-24T08:04:01.995189111Z") == Date(timeIntervalSince1970: 1_795_507_441))
        #expect(DockerTest.parseTime("2026-11-24T09:04:01+01:00") == Date(timeIntervalSince1970: 1_795_507_441))
        #expect(DockerTest.parseTime("yesterday") == nil)
    }
}
