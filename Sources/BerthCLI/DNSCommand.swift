import ArgumentParser
import BerthConfig
import BerthProxy
import BerthSystem
import Foundation

struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Check what DNS answers for the platform's hosts.",
        subcommands: [DNSCheckCommand.self]
    )
}

struct DNSCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare what every routed host must resolve to (dns.addresses) with what a DNS server answers.",
        discussion: """
            Every host of every enabled project's routes is asked for (A for IPv4 addresses, AAAA for IPv6;
            a wildcard *.name through a name below it) and shown ok, missing (NXDOMAIN or no address),
            wrong (other addresses) or error (no usable answer), with the fix. Exit code 1 on any problem.
            The server: --server, else the platform's DNS server (dns.server), else the system resolver
            (the first nameserver of /etc/resolv.conf).

            Examples:
              berth dns check -c ./platform
              berth dns check --server 127.0.0.1:5353 --json
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "The DNS server to ask: IP:PORT (127.0.0.1:53) or [IPv6]:PORT.")
    var server: String?

    @Flag(help: "Print the results as JSON.")
    var json = false

    func run() throws {
        let repository = try options.load()
        guard let dns = repository.platform.dns else {
            throw ConfigError([Diagnostic(Location(file: "platform.yml"), "platform.yml has no 'dns': add dns.addresses (what the hosts resolve to) so that there is something to check (docs/config.md, 'dns')")])
        }
        let state = try options.desiredState(repository)
        let target: String
        if let server {
            target = server
        } else if dns.server.kind != .none {
            target = "\(dns.server.address == "0.0.0.0" ? "127.0.0.1" : dns.server.address):\(dns.server.port)"
        } else if let system = DNSClient.systemResolver() {
            target = system
        } else {
            throw RuntimeFailure("no DNS server to ask: /etc/resolv.conf names none and dns.server is not set; pass --server IP:PORT")
        }
        do {
            _ = try DNSClient.socketAddress(target)
        } catch {
            throw ValidationError("--server: \(error)")
        }
        let results = DNSCheck.run(state, client: DNSClient(server: target))
        if json {
            print(JSONOutput.encode(DNSCheckOutput(server: target, hosts: results), pretty: true), terminator: "")
        } else {
            print("Asked \(target):")
            if results.isEmpty { print("  no routed hosts") }
            for result in results {
                let status: String = switch result.status {
                case .ok: options.terminal.paint("ok     ", .green)
                case .missing: options.terminal.paint("missing", .yellow)
                case .wrong, .error: options.terminal.paint(result.status == .wrong ? "wrong  " : "error  ", .red)
                }
                let answer = result.answered.isEmpty ? "no address" : result.answered.joined(separator: ", ")
                print("  \(status) \(result.host) → \(answer)\(result.query != result.host ? " (asked \(result.query))" : "")")
                if let fix = result.fix { print("          fix: \(fix)") }
            }
            let bad = results.filter { $0.status != .ok }.count
            print(bad == 0 ? "\(results.count) host\(results.count == 1 ? "" : "s") ok" : "\(bad) of \(results.count) host\(results.count == 1 ? "" : "s") with a problem")
        }
        // Documented: exit code 1 when any host is not answered as it must be (something to fix).
        if results.contains(where: { $0.status != .ok }) { throw BerthExit(.invalidInput) }
    }
}

struct DNSCheckOutput: Encodable {
    var server: String
    var hosts: [DNSCheck.Result]
    var ok: Bool { hosts.allSatisfy { $0.status == .ok } }

    enum CodingKeys: String, CodingKey { case server, hosts, ok }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(server, forKey: .server)
        try c.encode(hosts, forKey: .hosts)
        try c.encode(ok, forKey: .ok)
    }
}
