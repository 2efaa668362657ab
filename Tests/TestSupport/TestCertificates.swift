import Foundation

/// Real X.509 certificates made with openssl for tests of what reads them: any names and any validity
/// window, expired ones included (`openssl ca` takes explicit start and end dates).
public enum TestCertificates {
    /// A self-signed certificate (PEM) for `names` (DNS SANs, the first also as CN), valid from
    /// `notBefore` to `notAfter` (`YYYYMMDDHHMMSSZ`).
    public static func make(names: [String], notBefore: String, notAfter: String, issuer: String = "berth test CA") throws -> String {
        let dir = Fixtures.tempDirectory("berth-cert")
        defer { Fixtures.cleanup(dir) }
        let d = dir.path
        try FileManager.default.createDirectory(atPath: "\(d)/db", withIntermediateDirectories: true)
        try "".write(toFile: "\(d)/db/index.txt", atomically: true, encoding: .utf8)
        try String(format: "%02X\n", Int.random(in: 16...250)).write(toFile: "\(d)/db/serial", atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = d
            [d]
            database = \(d)/db/index.txt
            serial = \(d)/db/serial
            new_certs_dir = \(d)/db
            policy = p
            default_md = sha256
            copy_extensions = copy
            [p]
            commonName = supplied
            """.write(toFile: "\(d)/ca.cnf", atomically: true, encoding: .utf8)
        let sans = names.map { "DNS:\($0)" }.joined(separator: ",")
        let steps: [[String]] = [
            ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(names.first ?? "test")",
             "-addext", "subjectAltName=\(sans)", "-keyout", "\(d)/key.pem", "-out", "\(d)/req.csr"],
            ["openssl", "ca", "-batch", "-config", "\(d)/ca.cnf", "-selfsign", "-keyfile", "\(d)/key.pem", "-in", "\(d)/req.csr",
             "-subj", "/CN=\(issuer)", "-startdate", notBefore, "-enddate", notAfter, "-notext", "-out", "\(d)/cert.pem"],
        ]
        for step in steps {
            let result = try Fixtures.run(step)
            guard result.status == 0 else { throw TestCertificateError(message: "\(step.prefix(2).joined(separator: " ")) failed: \(result.output)") }
        }
        return try String(contentsOfFile: "\(d)/cert.pem", encoding: .utf8)
    }

    /// `YYYYMMDDHHMMSSZ` for a date `days` from now (negative: in the past).
    public static func date(days: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: Date().addingTimeInterval(days * 86_400))
    }
}

public struct TestCertificateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
