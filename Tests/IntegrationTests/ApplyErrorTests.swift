import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension ApplyE2ETests {
    // MARK: 7. runtime errors: exit 3, a clear message, nothing half-done

    @Test func unreachableDockerEngineExitsThree() async throws {
        try await E2EScenario.run("e2edock-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2edock-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "dock.e2e.localhost"))
            let result = try await s.apply(["--docker-host", "unix:///nonexistent.sock"])
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("Docker engine"), "\(result)")
            #expect(result.stderr.contains("/nonexistent.sock"), "\(result)")
            #expect(!result.stderr.contains("Fatal error"), "\(result)")
            #expect(await E2E.containers("e2edock-") == [])
        }
    }

    /// The image cannot be pulled: its registry is 127.0.0.1:9, where nothing listens (the same
    /// failure as an unknown image on Docker Hub without internet, but the engine's pull stays on
    /// the loopback address, as the tests' network rule wants).
    @Test func missingImageFailsCleanlyAndTheProxyKeepsServing() async throws {
        try await E2EScenario.run("e2enope-") { s in
            let image = "127.0.0.1:9/berth-demo/nope:1"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2enope-keep", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "keep.nope.e2e.localhost"))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            try #require(await E2EHTTP.waitFor("keep.nope.e2e.localhost", "/cgi-bin/version") != nil)

            try s.project("e2enope-bad", compose: E2E.appCompose(replicas: 1, image: image), project: E2E.appProject(host: "bad.nope.e2e.localhost"))
            let load = E2ELoad.start(host: "keep.nope.e2e.localhost", concurrency: 2, duration: 30)
            let result = try await s.apply()
            let stats = await load.finish()
            print("[e2e] missing image: exit \(result.status); networks left: \(await E2E.networks("e2enope-bad_")); load on the other project: \(stats)")
            #expect(result.status == 3, "\(result)")
            #expect(result.output.contains("pulling image \(image)"), "\(result.output)")
            #expect(result.output.contains("✗ e2enope-bad"), "\(result.output)")
            #expect(await E2E.containers("e2enope-bad-") == [], "containers of the failed project were left")
            // The proxy and the other project are untouched.
            #expect(await E2E.runningContainers(E2E.proxyContainer) == [E2E.proxyContainer])
            #expect(E2EHTTP.versions("keep.nope.e2e.localhost", count: 5) == ["version=1": 5])
            #expect(stats.serverErrors == 0 && stats.non2xx == 0 && stats.connectionErrors == 0, "\(stats)")
            // The failing project is not routed to anything.
            #expect(E2EHTTP.versions("bad.nope.e2e.localhost", count: 2)["version=1"] == nil)
        }
    }

    @Test func publishedPortAlreadyTakenExitsThreeWithAClearMessage() async throws {
        try await E2EScenario.run("e2eport-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2eport-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "port.e2e.localhost"))
            // A fresh proxy (E2EScenario.run removed any) and a listening socket on 127.0.0.1:18080.
            #expect(await E2E.containers(E2E.proxyContainer) == [])
            let listener = try E2EListener(port: E2E.httpPort)
            defer { listener.close() }
            let result = try await s.apply()
            print("[e2e] port taken: exit \(result.status): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("127.0.0.1:\(E2E.httpPort)"), "\(result)")
            #expect(result.stderr.contains("already in use"), "\(result)")
            #expect(await E2E.runningContainers("e2eport-") == [], "project containers started without a proxy")
        }
    }
}

/// A TCP socket listening on 127.0.0.1:`port`, to take the port away from the proxy.
final class E2EListener {
    private var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EFailure("socket failed") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let message = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw E2EFailure("cannot listen on 127.0.0.1:\(port): \(message)")
        }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}
