import Foundation
import Testing

@testable import BerthDoctor

@Suite struct DockerUserChainTests {
    static let dockerDefault = "-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n"

    /// miuOps' firewall role: established traffic and loopback → bridges return, everything else from outside is dropped.
    static let miuOps = """
        -N DOCKER-USER
        -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
        -A DOCKER-USER -i lo -o br+ -j RETURN
        -A DOCKER-USER -i eth0 -m comment --comment "block direct access" -j DROP
        -A DOCKER-USER -j RETURN

        """

    func facts(_ rules: String, _ interfaces: [String] = ["eth0"]) -> FirewallFacts {
        FirewallFacts(chain: .rules(rules), externalInterfaces: interfaces)
    }

    @Test func dockersDefaultChainOnlyReturnsAndFails() {
        let f = HostChecks.dockerUser(facts(Self.dockerDefault))
        #expect(f.status == .fail)
        #expect(f.why.contains("eth0"))
        #expect(f.fix.contains("iptables -I DOCKER-USER -i eth0 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP"))
    }

    /// A proxy published through Docker would be cut off by the drop rule: the fix lets its ports through first,
    /// and a chain with that exception still counts as blocking.
    @Test func aBridgedProxysPortsAreLetThrough() {
        let f = HostChecks.dockerUser(facts(Self.dockerDefault), proxyPorts: [80, 443])
        #expect(f.fix.contains("iptables -I DOCKER-USER -i eth0 -p tcp -m conntrack --ctorigdstport 443 --ctdir ORIGINAL -j RETURN"))
        let withException = "-A DOCKER-USER -i eth0 -p tcp -m conntrack --ctorigdstport 443 --ctdir ORIGINAL -j RETURN\n"
            + "-A DOCKER-USER -i eth0 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP\n-A DOCKER-USER -j RETURN"
        #expect(HostChecks.dockerUser(facts(withException)).status == .pass)
    }

    @Test func anEmptyChainIsOpen() {
        #expect(HostChecks.dockerUser(facts("-N DOCKER-USER\n")).status == .fail)
    }

    @Test func miuOpsRulesBlockOutsideAccess() {
        let f = HostChecks.dockerUser(facts(Self.miuOps))
        #expect(f.status == .pass, "\(f.why)")
        #expect(f.why.contains("-i eth0"))
    }

    @Test(arguments: [
        "-A DOCKER-USER -i eth0 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP",
        "-A DOCKER-USER ! -i lo -j DROP",
        "-A DOCKER-USER -i eth+ -m conntrack --ctstate NEW -j REJECT --reject-with icmp-port-unreachable",
        "-A DOCKER-USER -i eth0 -m state --state NEW,INVALID -j DROP",
        "-A DOCKER-USER -s 10.0.0.0/8 -j RETURN\n-A DOCKER-USER -i eth0 -j DROP",
    ])
    func rulesThatBlock(_ rules: String) {
        #expect(HostChecks.dockerUser(facts("-N DOCKER-USER\n" + rules + "\n-A DOCKER-USER -j RETURN")).status == .pass)
    }

    @Test(arguments: [
        // Only one port, one destination, or the default bridge alone: the rest stays open.
        "-A DOCKER-USER -i eth0 -p tcp -m tcp --dport 5432 -j DROP",
        "-A DOCKER-USER -i eth0 -d 172.17.0.2/32 -j DROP",
        "-A DOCKER-USER -i eth0 -o docker0 -j DROP",
        // Another interface, established traffic only, or an accept first.
        "-A DOCKER-USER -i wlan0 -j DROP",
        "-A DOCKER-USER -i eth0 -m conntrack --ctstate INVALID -j DROP",
        "-A DOCKER-USER -j ACCEPT\n-A DOCKER-USER -i eth0 -j DROP",
    ])
    func rulesThatLeaveItOpen(_ rules: String) {
        #expect(HostChecks.dockerUser(facts("-N DOCKER-USER\n" + rules + "\n-A DOCKER-USER -j RETURN")).status == .fail)
    }

    @Test func everyExternalInterfaceMustBeBlocked() {
        let rules = "-N DOCKER-USER\n-A DOCKER-USER -i eth0 -j DROP\n-A DOCKER-USER -j RETURN\n"
        #expect(HostChecks.dockerUser(facts(rules, ["eth0"])).status == .pass)
        let f = HostChecks.dockerUser(facts(rules, ["eth0", "wg0"]))
        #expect(f.status == .fail)
        #expect(f.why.contains("wg0"))
    }

    @Test func withoutAKnownExternalInterfaceOnlyInterfaceIndependentRulesCount() {
        #expect(HostChecks.dockerUser(facts("-A DOCKER-USER -i eth0 -j DROP", [])).status == .fail)
        #expect(HostChecks.dockerUser(facts("-A DOCKER-USER ! -i lo -j DROP", [])).status == .pass)
    }

    @Test func aJumpToAnotherChainCannotBeJudged() {
        let f = HostChecks.dockerUser(facts("-A DOCKER-USER -j MY-FILTER\n-A DOCKER-USER -j RETURN"))
        #expect(f.status == .warn)
        #expect(f.why.contains("MY-FILTER"))
    }

    @Test func aLogRuleIsPassedOver() {
        #expect(HostChecks.dockerUser(facts("-A DOCKER-USER -i eth0 -j LOG --log-prefix \"outside: \"\n-A DOCKER-USER -i eth0 -j DROP")).status == .pass)
    }

    @Test func anUnreadableOrMissingChainIsAWarning() {
        let unreadable = HostChecks.dockerUser(FirewallFacts(chain: .unreadable("iptables is not installed"), externalInterfaces: []))
        #expect(unreadable.status == .warn)
        #expect(unreadable.why.contains("iptables is not installed"))
        #expect(HostChecks.dockerUser(FirewallFacts(chain: .missing, externalInterfaces: ["eth0"])).status == .warn)
    }

    @Test func defaultRoutesNameTheExternalInterfaces() {
        let ipv4 = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
            """
        let ipv6 = """
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     wg0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
            """
        #expect(FirewallFacts.defaultRouteInterfaces(ipv4: ipv4, ipv6: ipv6) == ["eth0", "wg0"])
    }
}

@Suite struct DockerUserChainNFTTests {
    static func listing(_ rules: String) -> Data {
        Data(#"{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"chain": {"family": "ip", "table": "filter", "name": "DOCKER-USER", "handle": 1}}, \#(rules)]}"#.utf8)
    }

    static let drop = #"{"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 4, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth*"}}, {"match": {"op": "!=", "left": {"ct": {"key": "state"}}, "right": {"set": ["established", "related"]}}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]}}"#
    static let portDrop = #"{"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 5432}}, {"drop": null}]}}"#
    static let ret = #"{"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 2, "expr": [{"counter": {"packets": 0, "bytes": 0}}, {"return": null}]}}"#

    @Test func nftRulesAreFollowedLikeIptablesOnes() throws {
        let blocked = try #require(DockerUserChain(nftJSON: Self.listing(Self.drop + ", " + Self.ret)))
        #expect(blocked.verdict(from: "eth0") == .blocked(rule: "nft: iifname \"eth*\" ct state != established,related drop"))
        #expect(blocked.verdict(from: "wg0") == .open(rule: "nft: return"))
        let partial = try #require(DockerUserChain(nftJSON: Self.listing(Self.portDrop + ", " + Self.ret)))
        #expect(partial.verdict(from: "eth0") == .open(rule: "nft: return"))
        let f = HostChecks.dockerUser(FirewallFacts(chain: .nft(String(decoding: Self.listing(Self.ret), as: UTF8.self)), externalInterfaces: ["eth0"]))
        #expect(f.status == .fail)
        #expect(DockerUserChain(nftJSON: Data("not json".utf8)) == nil)
    }
}
