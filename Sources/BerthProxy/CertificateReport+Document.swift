import BerthRender
import Foundation

extension CertificateReport {
    /// The hosts as `berth certs --json` prints them and `GET /v1/certs` answers: one object per host with
    /// its status, issuer, names, validity, days left and serial (the certificate fields absent when it has none).
    public static func document(_ report: [HostCertificate]) -> Document {
        let iso = ISO8601DateFormatter()
        return .array(report.map { entry in
            .object([
                "host": .string(entry.host),
                "status": .string(entry.status.rawValue),
                "issuer": entry.certificate.map { .string($0.issuer) },
                "sans": entry.certificate.map { .strings($0.sans) },
                "not_before": entry.certificate.map { .string(iso.string(from: $0.notBefore)) },
                "not_after": entry.certificate.map { .string(iso.string(from: $0.notAfter)) },
                "days_left": entry.daysLeft.map { .int($0) },
                "serial": entry.certificate.map { .string($0.serial) },
            ])
        })
    }
}
