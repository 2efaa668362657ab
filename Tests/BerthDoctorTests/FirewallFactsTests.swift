import BerthSystem
import Foundation
import TestSupport
import Testing

@testable import BerthDoctor

/// FirewallFacts.read against the real iptables and nft, in a network namespace the test creates (a
/// `sleep` under `unshare --net`): nothing of the host's firewall is read or changed. Needs root.
@Suite(.serialized, .enabled(if: getuid() == 0 && HostCommand.tool("unshare") != nil && HostCommand.tool("nsenter") != nil, "needs root, unshare and nsenter"))
struct FirewallFactsTests {
    /// Runs `body` with the pid of a process alone in a new network namespace with `setup` applied there.
    func withNamespace(_ setup: String, _ body: (Int32) async throws -> Void) async throws {
        let process = try ChildProcess(try #require(HostCommand.tool("unshare")), ["--net", "sh", "-c", "set -e; ip link set lo up; \(setup); exec sleep 60"])
        defer {
            process.send(SIGTERM)
            _ = process.waitBlocking()
        }
        // Ready when the shell has exec'd sleep (after the setup).
        let deadline = Deadline(seconds: 10)
        while !deadline.passed {
            if let comm = try? String(contentsOfFile: "/proc/\(process.pid)/comm", encoding: .utf8), comm.hasPrefix("sleep") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(process.isRunning, "the namespace's setup failed: \(setup)")
        try await body(process.pid)
    }

    static let ext = "ip link add ext0 type veth peer name ext0p; ip link set ext0 up; ip addr add 192.0.2.200/24 dev ext0; ip route add default via 192.0.2.1 dev ext0"

    @Test func aNamespaceWithoutTheChain() async throws {
        try await withNamespace(Self.ext) { pid in
            let facts = await FirewallFacts.read(namespaceOf: pid)
            #expect(facts.chain == .missing)
            #expect(facts.externalInterfaces == ["ext0"])
            #expect(HostChecks.dockerUser(facts).status == .warn)
        }
    }

    @Test func iptablesRules() async throws {
        try await withNamespace(Self.ext + "; iptables -N DOCKER-USER; iptables -A DOCKER-USER -j RETURN") { pid in
            let facts = await FirewallFacts.read(namespaceOf: pid)
            #expect(facts.chain == .rules("-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n"))
            #expect(HostChecks.dockerUser(facts).status == .fail)
        }
        try await withNamespace(Self.ext + "; iptables -N DOCKER-USER; iptables -A DOCKER-USER -i ext0 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP; iptables -A DOCKER-USER -j RETURN") { pid in
            #expect(HostChecks.dockerUser(await FirewallFacts.read(namespaceOf: pid)).status == .pass)
        }
    }

    @Test(.enabled(if: HostCommand.tool("nft") != nil, "needs nft")) func rulesWrittenWithNft() async throws {
        let setup = Self.ext + "; iptables -N DOCKER-USER; iptables -A DOCKER-USER -j RETURN; nft insert rule ip filter DOCKER-USER iifname ext0 ct state new drop"
        try await withNamespace(setup) { pid in
            let facts = await FirewallFacts.read(namespaceOf: pid)
            guard case .nft = facts.chain else {
                Issue.record("expected nft's listing, got \(facts.chain)")
                return
            }
            let f = HostChecks.dockerUser(facts)
            #expect(f.status == .pass, "\(f.why)")
            #expect(f.why.contains("nft: iifname \"ext0\" ct state new drop"))
        }
    }
}
