import BerthDocker
import Foundation

/// The host group: the DOCKER-USER firewall chain and ports published beyond loopback.
public enum HostChecks {
    /// `proxyPorts`: the host ports of a Berth proxy published through Docker (`proxy.network: bridge`), which
    /// the drop rule would block too: the fix then lets them through first.
    public static func dockerUser(_ facts: FirewallFacts, proxyPorts: [Int] = []) -> Finding {
        let id = CheckID.dockerUser
        let where_ = facts.namespacePID.map { " (in dockerd's network namespace, pid \($0))" } ?? ""
        let interfaces: [String?] = facts.externalInterfaces.isEmpty ? [nil] : facts.externalInterfaces
        let named = facts.externalInterfaces.isEmpty ? "the external interface" : facts.externalInterfaces.joined(separator: ", ")
        let ext = facts.externalInterfaces.first ?? "EXT"
        let fix = "iptables -I DOCKER-USER -i \(ext) -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP"
            + (facts.externalInterfaces.count > 1 ? " (once per external interface: \(named))" : "")
            + (facts.externalInterfaces.isEmpty ? " (EXT: the interface outside traffic arrives on)" : "")
            + (proxyPorts.isEmpty ? "" : "; then, so that the proxy (proxy.network: bridge) stays reachable, insert above it: "
                + proxyPorts.map { "iptables -I DOCKER-USER -i \(ext) -p tcp -m conntrack --ctorigdstport \($0) --ctdir ORIGINAL -j RETURN" }.joined(separator: "; "))
            + "; make it permanent with your firewall's configuration (iptables-persistent, the miuOps firewall role)"
        let chain: DockerUserChain
        switch facts.chain {
        case .unreadable(let reason):
            return Finding(id, .warn, why: "cannot read the DOCKER-USER chain\(where_): \(reason)", fix: "run berth doctor as root on the Docker host, with iptables installed")
        case .missing:
            return Finding(
                id, .warn, why: "no DOCKER-USER chain\(where_): dockerd does not manage iptables (--iptables=false) or is not running, so nothing here says published ports are filtered",
                fix: "filter FORWARD to the Docker bridges yourself, or let dockerd manage iptables and add: \(fix)")
        case .rules(let text): chain = DockerUserChain(iptablesSave: text)
        case .nft(let json):
            guard let parsed = DockerUserChain(nftJSON: Data(json.utf8)) else {
                return Finding(id, .warn, why: "cannot read nft's listing of DOCKER-USER\(where_)", fix: "check `nft list chain ip filter DOCKER-USER` by hand")
            }
            chain = parsed
        }
        var open: [String] = []
        var unknown: [String] = []
        var blockedBy: [String] = []
        for interface in interfaces {
            let name = interface ?? "external interfaces"
            switch chain.verdict(from: interface) {
            case .blocked(let rule): blockedBy.append("\(name): \(rule)")
            case .open(let rule): open.append(rule.map { "\(name) (returned by `\($0)`)" } ?? "\(name) (the chain only returns)")
            case .unknown(let jump): unknown.append("\(name) (`\(jump)` jumps to a chain not followed)")
            }
        }
        if !open.isEmpty {
            return Finding(id, .fail, why: "new connections from \(open.joined(separator: ", ")) reach published container ports\(where_)", fix: fix)
        }
        if !unknown.isEmpty {
            return Finding(id, .warn, why: "cannot tell whether outside traffic is dropped: \(unknown.joined(separator: ", "))\(where_)", fix: "make sure that chain drops new connections from outside, or add: \(fix)")
        }
        return Finding(id, .pass, why: "new connections from outside to containers are dropped (\(blockedBy.joined(separator: "; ")))\(where_)")
    }

    /// One finding per container with a port bound beyond loopback (the Berth proxy's are allowed), or one pass.
    public static func publishedPorts(_ containers: [ContainerSummary]) -> [Finding] {
        let id = CheckID.publishedPorts
        var findings: [Finding] = []
        for container in containers.sorted(by: { $0.name < $1.name }) where container.state == "running" {
            if container.labels["berth.role"] == "proxy" { continue }
            var seen = Set<String>()
            var wildcard: [String] = []
            var specific: [String] = []
            for port in container.ports {
                guard let ip = port.ip, let publicPort = port.publicPort, !isLoopback(ip) else { continue }
                let wild = ip.isEmpty || ip == "0.0.0.0" || ip == "::"
                let text = wild ? "\(publicPort)/\(port.type) (all addresses)" : "\(ip):\(publicPort)/\(port.type)"
                guard seen.insert(text).inserted else { continue }
                if wild { wildcard.append(text) } else { specific.append(text) }
            }
            guard !wildcard.isEmpty || !specific.isEmpty else { continue }
            let status: CheckStatus = wildcard.isEmpty ? .warn : .fail
            let ports = (wildcard + specific).joined(separator: ", ")
            let first = container.ports.first { $0.publicPort != nil && !isLoopback($0.ip ?? "") }
            let example = first.map { "127.0.0.1:\($0.publicPort!):\($0.privatePort)" } ?? "127.0.0.1:PORT:PORT"
            findings.append(Finding(
                id, status, subject: container.name,
                why: "publishes \(ports) beyond loopback, bypassing the proxy" + (wildcard.isEmpty ? " (a specific address: check that it is not reachable from outside)" : ""),
                fix: "publish on loopback only (ports: [\"\(example)\"]) or route it through the proxy; policy.published_ports: loopback enforces this for Berth's projects"))
        }
        if findings.isEmpty {
            findings.append(Finding(id, .pass, why: "no running container publishes a port beyond loopback, except the Berth proxy"))
        }
        return findings
    }

    static func isLoopback(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip == "localhost"
    }
}
