import Foundation

/// What the doctor read of the firewall in dockerd's network namespace.
public struct FirewallFacts: Sendable, Hashable {
    public enum Chain: Sendable, Hashable {
        /// `iptables -S DOCKER-USER` output.
        case rules(String)
        /// `nft -j list chain ip filter DOCKER-USER` output (rules written with nft, which iptables-nft cannot list).
        case nft(String)
        /// The chain does not exist (dockerd runs with `--iptables=false`, or has not started).
        case missing
        /// The rules cannot be read: no iptables, not root… (the reason).
        case unreadable(String)
    }

    public var chain: Chain
    /// Interfaces with a default route (IPv4 or IPv6): where outside traffic arrives.
    public var externalInterfaces: [String]
    /// `nf_tables` or `legacy` (from `iptables -V`), when known.
    public var backend: String?
    /// `-n` of nsenter when the rules were read in dockerd's own network namespace.
    public var namespacePID: Int32?

    public init(chain: Chain, externalInterfaces: [String], backend: String? = nil, namespacePID: Int32? = nil) {
        self.chain = chain
        self.externalInterfaces = externalInterfaces
        self.backend = backend
        self.namespacePID = namespacePID
    }

    /// Reads the chain with `iptables -S` (inside `pid`'s network namespace through nsenter when
    /// given) and the default routes from `/proc/<pid>/net/route` and `ipv6_route`.
    public static func read(namespaceOf pid: Int32?) async -> FirewallFacts {
        let procNet = pid.map { "/proc/\($0)/net" } ?? "/proc/self/net"
        let interfaces = defaultRouteInterfaces(
            ipv4: (try? String(contentsOfFile: "\(procNet)/route", encoding: .utf8)) ?? "",
            ipv6: (try? String(contentsOfFile: "\(procNet)/ipv6_route", encoding: .utf8)) ?? "")
        guard let iptables = HostCommand.tool("iptables") else {
            return FirewallFacts(chain: .unreadable("iptables is not installed"), externalInterfaces: interfaces, namespacePID: pid)
        }
        var prefix: [String] = []
        var executable = iptables
        if let pid {
            guard let nsenter = HostCommand.tool("nsenter") else {
                return FirewallFacts(
                    chain: .unreadable("dockerd runs in another network namespace and nsenter is not installed"),
                    externalInterfaces: interfaces, namespacePID: pid)
            }
            executable = nsenter
            prefix = ["-t", String(pid), "-n", iptables]
        }
        let version = await HostCommand.run(executable, prefix + ["-V"])
        let backend = version.flatMap { v in
            v.stdout.contains("nf_tables") ? "nf_tables" : v.stdout.contains("legacy") ? "legacy" : nil
        }
        // The whole filter table, then DOCKER-USER's lines: `iptables-nft -S DOCKER-USER` reports a missing
        // chain as "incompatible", which cannot be told apart from rules written with nft.
        guard let result = await HostCommand.run(executable, prefix + ["-w", "5", "-S"]) else {
            return FirewallFacts(chain: .unreadable("\(executable) could not be started"), externalInterfaces: interfaces, backend: backend, namespacePID: pid)
        }
        let chain: Chain
        if result.status == 0 {
            chain = chainRules(result.stdout)
        } else if result.stderr.contains("incompatible"), let nft = HostCommand.tool("nft") {
            // Rules written with nft itself: iptables-nft cannot list them, nft can.
            let args = ["-j", "list", "chain", "ip", "filter", "DOCKER-USER"]
            let listed = pid == nil ? await HostCommand.run(nft, args) : await HostCommand.run(executable, ["-t", String(pid!), "-n", nft] + args)
            if let listed, listed.status == 0 {
                chain = .nft(listed.stdout)
            } else if let listed, listed.stderr.contains("No such file") {
                chain = .missing
            } else {
                chain = .unreadable("iptables cannot list the filter table (written with nft) and nft failed: \(listed?.stderr.split(separator: "\n").first.map(String.init) ?? "not started")")
            }
        } else {
            let message = result.stderr.split(separator: "\n").first.map(String.init) ?? "exit status \(result.status)"
            chain = .unreadable("iptables -S failed: \(message)")
        }
        return FirewallFacts(chain: chain, externalInterfaces: interfaces, backend: backend, namespacePID: pid)
    }

    /// DOCKER-USER's lines of `iptables -S`, or `.missing` when the table has no such chain.
    static func chainRules(_ table: String) -> Chain {
        let lines = table.split(separator: "\n").map(String.init)
        guard lines.contains("-N DOCKER-USER") else { return .missing }
        return .rules(lines.filter { $0.hasPrefix("-N DOCKER-USER") || $0.hasPrefix("-A DOCKER-USER ") }.joined(separator: "\n") + "\n")
    }

    /// Interfaces of default routes: `/proc/net/route` rows with destination and mask 0, `/proc/net/ipv6_route`
    /// rows with a ::/0 destination (loopback and unreachable routes left out).
    static func defaultRouteInterfaces(ipv4: String, ipv6: String) -> [String] {
        var names: [String] = []
        for line in ipv4.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count >= 8, f[1] == "00000000", f[7] == "00000000", !names.contains(String(f[0])) { names.append(String(f[0])) }
        }
        for line in ipv6.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 10, f[0] == String(repeating: "0", count: 32), f[1] == "00" else { continue }
            let name = String(f[9])
            if name != "lo", !names.contains(name) { names.append(name) }
        }
        return names
    }
}
