import BerthConfig
import BerthPlan
import BerthProxy
import BerthRender
import BerthRuntime
import Foundation
import Testing
import TestSupport

/// The DNS server's container and plan line (logic only; Knot runs for real in DNSE2ETests, CoreDNS
/// cannot run on the test machine).
@Suite struct DNSStackTests {
    static func state(server: String) throws -> DesiredState {
        let dir = Fixtures.repository(DNSFixtures.files(server: server))
        defer { Fixtures.cleanup(dir) }
        return try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
    }

    static func stack(_ state: DesiredState, _ runtime: MemoryRuntime, _ dir: URL) -> DNSStack {
        DNSStack(directory: dir, platform: state.platform, runtime: runtime)
    }

    /// A running DNS container as an earlier apply left it, with the given labels.
    static func existing(_ runtime: MemoryRuntime, labels: [String: String]) -> ManagedContainer {
        let added = runtime.add("berth-example-test-dns")
        var labelled = labels
        labelled[Labels.role] = ResourceRole.dns.rawValue
        return ManagedContainer(actual: added.actual, labels: labelled)
    }

    @Test func coreDNSRunsItsImageWithTheMountedCorefileOnThePublishedPort() throws {
        let state = try Self.state(server: "  server: {kind: coredns, address: 127.0.0.1, port: 5353}")
        let dir = Fixtures.tempDirectory("berth-dns-stack")
        defer { Fixtures.cleanup(dir) }
        let stack = Self.stack(state, MemoryRuntime(), dir)
        let request = stack.containerRequest(try #require(state.platform.dns?.server))
        #expect(request.name == "berth-example-test-dns")
        #expect(request.image == "coredns/coredns:1.11.3")
        #expect(request.service.command == ["-conf", "/etc/berth-dns/Corefile"])
        #expect(request.binds.map { "\($0.host)→\($0.container)" } == ["\(dir.path)→/etc/berth-dns"])
        #expect(request.publish == [PublishedPort(ip: "127.0.0.1", hostPort: 5353, containerPort: 53, proto: .udp),
                                    PublishedPort(ip: "127.0.0.1", hostPort: 5353, containerPort: 53, proto: .tcp)])
        #expect(request.labels[Labels.role] == "dns" && request.labels[Labels.platform] == "example-test")
        // The Corefile it mounts names the zone files at the same path.
        let corefile = try #require(stack.files(state).first { $0.path == "Corefile" }?.contents)
        #expect(corefile.contains("file /etc/berth-dns/example.test.zone"))
    }

    @Test func knotRunsKnotdWithTheRenderedConfigAndAnImageOfItsOwnWhenSet() throws {
        let state = try Self.state(server: "  server: {kind: knot, image: registry.example.test/knot:3.2}")
        let stack = Self.stack(state, MemoryRuntime(), Fixtures.tempDirectory("berth-dns-stack"))
        defer { Fixtures.cleanup(stack.directory) }
        let request = stack.containerRequest(try #require(state.platform.dns?.server))
        #expect(request.image == "registry.example.test/knot:3.2")
        #expect(request.service.command == ["knotd", "-c", "/etc/berth-dns/knot.conf"])
        #expect(request.publish.map(\.hostPort) == [53, 53])
        #expect(stack.queryAddress == "127.0.0.1:53")
    }

    @Test func thePlanSaysCreateThenNothingThenTheZoneThatChanged() async throws {
        let state = try Self.state(server: "  server: {kind: knot, address: 127.0.0.1, port: 5353}")
        let runtime = MemoryRuntime()
        let stack = Self.stack(state, runtime, Fixtures.tempDirectory("berth-dns-stack"))
        defer { Fixtures.cleanup(stack.directory) }
        #expect(stack.pendingChange(state, existing: []) == "create the DNS server berth-example-test-dns (knot, berth/knot:3.2, 127.0.0.1:5353)")
        // The files of an earlier apply, and its container with the same settings: nothing to do.
        try OutputDirectory(root: stack.directory, owned: []).write(stack.files(state))
        let server = try #require(state.platform.dns?.server)
        let probe = try #require(stack.containerRequest(server).labels["berth.dns.signature"])
        let container = Self.existing(runtime, labels: ["berth.dns.signature": probe])
        #expect(stack.pendingChange(state, existing: [container]) == nil)
        // One host more: only its zone changes, with the next serial.
        var changed = state
        changed.projects[0].routes[0].hosts.append("new.example.test")
        let written = try String(contentsOf: stack.directory.appendingPathComponent("example.test.zone"), encoding: .utf8)
        let next = DNSRenderer.nextSerial(after: DNSRenderer.serial(in: written), now: Date())
        #expect(stack.pendingChange(changed, existing: [container]) == "update the DNS zone example.test (serial \(next))")
        // Other settings: recreate.
        let old = Self.existing(runtime, labels: ["berth.dns.signature": "coredns|…"])
        #expect(stack.pendingChange(state, existing: [old])?.hasPrefix("recreate the DNS server berth-example-test-dns") == true)
    }

    @Test func withoutAServerTheContainerIsRemovedAndNothingIsWritten() async throws {
        let state = try Self.state(server: "")
        let runtime = MemoryRuntime()
        let stack = Self.stack(state, runtime, Fixtures.tempDirectory("berth-dns-stack"))
        defer { Fixtures.cleanup(stack.directory) }
        let container = Self.existing(runtime, labels: [:])
        #expect(stack.pendingChange(state, existing: [container]) == "remove the DNS server berth-example-test-dns (dns.server is not set)")
        let outcome = try await stack.ensure(state, existing: [container])
        #expect(outcome.removed)
        #expect(runtime.log == ["stop berth-example-test-dns", "remove berth-example-test-dns"])
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stack.directory.path))?.isEmpty ?? true)
    }
}

extension DNSStackTests {
    /// A port another process holds (here a UDP socket of the test's own on 127.0.0.1): a clear error, and
    /// nothing is written or created.
    @Test func aPortInUseIsAnErrorThatChangesNothing() async throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let state = try Self.state(server: "  server: {kind: knot, address: 127.0.0.1, port: \(port)}")
        let runtime = MemoryRuntime()
        let stack = Self.stack(state, runtime, Fixtures.tempDirectory("berth-dns-stack"))
        defer { Fixtures.cleanup(stack.directory) }
        do {
            _ = try await stack.ensure(state, existing: [])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("the DNS server cannot publish udp 127.0.0.1:\(port): it is in use by another process"), "\(error)")
            #expect("\(error)".contains("change dns.server.port"))
        }
        #expect(runtime.log.isEmpty)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stack.directory.path))?.isEmpty ?? true)
    }
}
