import Foundation

/// One routed TLS host and the certificate that serves it (the one that covers it and lasts longest).
public struct HostCertificate: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Valid for more than `CertificateReport.warningDays`.
        case ok
        /// No certificate in the proxy's storage covers the host (not obtained yet, or failing).
        case missing
        /// Valid, but ends within `CertificateReport.warningDays`.
        case expiring
        case expired
    }

    public var host: String
    public var status: Status
    public var certificate: CertificateInfo?
    /// Whole days until not-after (negative once expired).
    public var daysLeft: Int?
}

public enum CertificateReport {
    /// A certificate that ends within this many days is flagged.
    public static let warningDays = 14

    public static func hosts(_ hosts: [String], certificates: [CertificateInfo], now: Date = Date()) -> [HostCertificate] {
        hosts.map { host in
            guard let best = certificates.filter({ $0.covers(host) }).max(by: { $0.notAfter < $1.notAfter }) else {
                return HostCertificate(host: host, status: .missing, certificate: nil, daysLeft: nil)
            }
            let seconds = best.notAfter.timeIntervalSince(now)
            let days = Int((seconds / 86_400).rounded(.down))
            let status: HostCertificate.Status = seconds <= 0 ? .expired : seconds < Double(warningDays) * 86_400 ? .expiring : .ok
            return HostCertificate(host: host, status: status, certificate: best, daysLeft: days)
        }
    }
}
