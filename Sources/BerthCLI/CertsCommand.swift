import ArgumentParser
import BerthConfig
import BerthProxy
import BerthRender
import Foundation

struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Show the certificate of every routed TLS host: issuer, names, not-after, days left.",
        discussion: """
            Read from the proxy's own storage in the state directory (Traefik's acme.json, Caddy's data
            directory); private keys are never read. A host without a certificate is 'missing', one whose
            certificate ends within 14 days 'expiring'. Exit code 1 when any certificate has expired.

            Examples:
              berth certs -c ./platform
              berth certs --json
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("state-dir"), help: "Where Berth keeps the proxy's files (default BERTH_STATE_DIR or /var/lib/berth).")
    var stateDir: String?

    @Flag(help: "Print the hosts as JSON.")
    var json = false

    func run() async throws {
        let repository = try options.load()
        let platform = repository.platform
        let base = URL(fileURLWithPath: stateDir ?? ProcessInfo.processInfo.environment["BERTH_STATE_DIR"] ?? "/var/lib/berth")
        let store = CertificateStore(directory: base.appendingPathComponent(platform.name).appendingPathComponent("proxy"), platform: platform)
        let certificates: [CertificateInfo]
        do {
            certificates = try store.certificates()
        } catch {
            throw RuntimeFailure("cannot read the proxy's certificates: \(error)")
        }
        let report = CertificateReport.hosts(Self.tlsHosts(repository), certificates: certificates)
        if json {
            print(Self.document(report).json(), terminator: "")
        } else {
            print(Self.table(report, terminal: options.terminal), terminator: "")
        }
        // Documented exit code 1 for an expired certificate (as for invalid input: something to fix now).
        if report.contains(where: { $0.status == .expired }) { throw BerthExit(.invalidInput) }
    }

    /// Every host of an enabled project's TLS route, once, in repository order.
    static func tlsHosts(_ repository: Repository) -> [String] { CertificateReport.tlsHosts(repository) }

    static func document(_ report: [HostCertificate]) -> Document { CertificateReport.document(report) }

    static func table(_ report: [HostCertificate], terminal: Terminal) -> String {
        guard !report.isEmpty else { return "No routed TLS hosts.\n" }
        let iso = ISO8601DateFormatter()
        var out = ""
        for entry in report {
            let status: String = switch entry.status {
            case .ok: terminal.paint("ok", .green)
            case .missing: terminal.paint("missing", .yellow)
            case .expiring: terminal.paint("expiring", .yellow)
            case .expired: terminal.paint("expired", .red)
            }
            guard let cert = entry.certificate, let days = entry.daysLeft else {
                out += "\(entry.host)  \(status)  no certificate in the proxy's storage yet\n"
                continue
            }
            out += "\(entry.host)  \(status)  not after \(iso.string(from: cert.notAfter)) (\(days) days left)  issuer \(cert.issuer)  names \(cert.sans.joined(separator: ", "))  serial \(cert.serial)\n"
        }
        return out
    }
}
