import BerthConfig
import BerthPlan
import Foundation
import Testing
import TestSupport

/// Compose `ports`: both syntaxes read exactly as Compose reads them, the platform's policy, and host
/// ports that two services (or a service and the proxy) would both bind.
@Suite struct ComposePortsTests {
    static let forms = """
        services:
          web:
            image: nginx
            ports:
              - "3000"
              - "8080:80"
              - "127.0.0.1:8081:81"
              - "9000-9002:7000-7002"
              - "53:53/udp"
              - "[::1]:6000:6001"
              - target: 80
                published: 8088
                protocol: tcp
              - 4000
        """

    static let expected: [ComposePort] = [
        ComposePort(hostPort: nil, containerPort: 3000),
        ComposePort(hostPort: 8080, containerPort: 80),
        ComposePort(hostIP: "127.0.0.1", hostPort: 8081, containerPort: 81),
        ComposePort(hostPort: 9000, containerPort: 7000), ComposePort(hostPort: 9001, containerPort: 7001),
        ComposePort(hostPort: 9002, containerPort: 7002),
        ComposePort(hostPort: 53, containerPort: 53, proto: .udp),
        ComposePort(hostIP: "::1", hostPort: 6000, containerPort: 6001),
        ComposePort(hostPort: 8088, containerPort: 80),
        ComposePort(hostPort: nil, containerPort: 4000),
    ]

    @Test func everyFormIsReadAndRangesAreExpanded() throws {
        let web = try Repo.service(Self.forms)
        #expect(web.ports == Self.expected)
    }

    /// docker-compose 1.29, the reference implementation here, reads the same file into the same ports.
    @Test func docker_composeReadsTheSamePorts() throws {
        let dir = Fixtures.tempDirectory("berth-ports")
        defer { Fixtures.cleanup(dir) }
        try Self.forms.write(to: dir.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let script = """
            import sys, yaml, subprocess
            out = subprocess.run(["docker-compose", "-f", sys.argv[1], "config"], capture_output=True, text=True, check=True).stdout
            for p in yaml.safe_load(out)["services"]["web"]["ports"]:
                if isinstance(p, str):
                    spec, proto = p.rsplit("/", 1)
                    ip, host, target = spec.rsplit(":", 2)
                    print(ip, host, target, proto)
                else:
                    print("-", p.get("published", "-"), p["target"], p.get("protocol", "tcp"))
            """
        let result = try Fixtures.run(["python3", "-c", script, dir.appendingPathComponent("docker-compose.yml").path], in: dir)
        try #require(result.status == 0, "docker-compose config failed: \(result.output)")
        let theirs = result.output.split(separator: "\n").map { line -> ComposePort in
            let f = line.split(separator: " ").map(String.init)
            return ComposePort(hostIP: f[0] == "-" ? nil : f[0], hostPort: Int(f[1]), containerPort: Int(f[2])!,
                               proto: ComposePort.Proto(rawValue: f[3])!)
        }
        #expect(theirs == Self.expected)
    }

    @Test(arguments: [
        ("\"8080:80/sctp\"", "the protocol must be tcp or udp"),
        ("\"8080:eighty\"", "'eighty' is not a port"),
        ("\"70000:80\"", "'70000' is not a port"),
        ("\"8000-8002:80-81\"", "the host range has 3 ports, the container range 2"),
        ("\"8000-8002:80\"", "a host port range for one container port"),
        ("\"1.2.3:8080:80\"", "'1.2.3' is not an IPv4 address"),
        ("{published: 8080}", "needs 'target'"),
        ("{target: 80, protocol: icmp}", "'protocol' must be tcp or udp"),
    ])
    func badPortsAreErrorsThatSayWhatIsWrong(item: String, message: String) {
        let compose = "services:\n  web:\n    image: nginx\n    ports:\n      - \(item)\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        #expect(problems.count == 1 && problems.first?.message.contains(message) == true, "\(render(problems))")
        #expect(problems.first?.location.file == "projects/app/compose.yml" && problems.first?.location.line == 5)
    }

    @Test func aFixedHostPortWithSeveralReplicasIsAnError() {
        let compose = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    deploy: {replicas: 2}\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 4, 5,
                     "publishes host port 8080:80/tcp and has 2 replicas")
        // An ephemeral host port is fine with any number of replicas.
        let ephemeral = "services:\n  web:\n    image: nginx\n    ports: [\"80\"]\n    deploy: {replicas: 2}\n"
        #expect(Repo.problems(["projects/app/compose.yml": ephemeral]).isEmpty)
    }

    @Test func aHostPortTakenTwiceIsAnError() {
        let problems = Repo.problems([
            "platform.yml": "domain: example.test\nproxy: {http_port: 8000, https_port: 8443}\n",
            "projects/a/compose.yml": "services:\n  web:\n    image: nginx\n    ports: [\"127.0.0.1:9000:80\"]\n",
            "projects/b/compose.yml": "services:\n  web:\n    image: nginx\n    ports: [\"9000:80\", \"9000:80/udp\"]\n",
            "projects/c/compose.yml": "services:\n  web:\n    image: nginx\n    ports: [\"8443:443\"]\n",
        ])
        #expect(problems.count == 2, "\(render(problems))")
        expectContains(problems, "projects/b/compose.yml", 4, 5, "host port 9000:80/tcp", "taken by project 'a' service 'web'")
        expectContains(problems, "projects/c/compose.yml", 4, 5, "taken by the proxy's proxy.https_port")
    }

    @Test func thePolicyCanForbidPortsOrKeepThemOnLoopback() {
        let compose = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n"
        let none = Repo.problems(["platform.yml": "domain: example.test\npolicy: {published_ports: none}\n", "projects/app/compose.yml": compose])
        expectSingle(none, "projects/app/compose.yml", 4, 5, "policy.published_ports: none", "ingress row")
        let loopback = Repo.problems(["platform.yml": "domain: example.test\npolicy: {published_ports: loopback}\n",
                                      "projects/app/compose.yml": compose])
        expectSingle(loopback, "projects/app/compose.yml", 4, 5, "policy.published_ports: loopback", "127.0.0.1:8080:80")
        let bound = "services:\n  web:\n    image: nginx\n    ports: [\"127.0.0.1:8080:80\"]\n"
        #expect(Repo.problems(["platform.yml": "domain: example.test\npolicy: {published_ports: loopback}\n", "projects/app/compose.yml": bound]).isEmpty)
        expectSingle(Repo.problems(["platform.yml": "domain: example.test\npolicy: {published_ports: some}\n"]),
                     "platform.yml", 2, 27, "must be any, loopback or none")
    }

    @Test func aServiceWithAHostPortIsRecreatedAndThePlanSaysWhy() throws {
        let repository = try Repo.load(["projects/app/compose.yml": "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n  eph:\n    image: nginx\n    ports: [\"80\"]\n"])
        let desired = try DesiredStateBuilder(repository: repository).build()
        let web = try #require(desired.project("app")?.service("web"))
        #expect(web.strategy == .recreate)
        #expect(web.strategyReason.contains("publishes host port 8080:80/tcp"))
        #expect(desired.project("app")?.service("eph")?.strategy == .startFirst)
    }
}
