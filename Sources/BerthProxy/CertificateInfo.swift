import Foundation
import SwiftASN1
import X509

/// What `berth certs` shows of one certificate: read from the leaf of a PEM chain, never from a key.
public struct CertificateInfo: Sendable, Hashable {
    /// The issuer's distinguished name (`CN=Pebble Intermediate CA 1f2e3d`).
    public var issuer: String
    /// The DNS names the certificate is valid for (wildcards as `*.example.com`).
    public var sans: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// The serial number in hex (a renewed certificate has a new one).
    public var serial: String
    /// Where it was read (a file, or `acme.json` and the resolver).
    public var source: String

    public init(issuer: String, sans: [String], notBefore: Date, notAfter: Date, serial: String, source: String) {
        self.issuer = issuer
        self.sans = sans
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serial = serial
        self.source = source
    }

    /// The first certificate (the leaf) of a PEM chain; other PEM blocks (intermediates) are ignored.
    public init(pemChain: String, source: String) throws {
        guard let leaf = try PEMDocument.parseMultiple(pemString: pemChain).first(where: { $0.discriminator == "CERTIFICATE" }) else {
            throw CertificateReadError(source: source, message: "holds no PEM certificate")
        }
        let certificate = try Certificate(derEncoded: leaf.derBytes)
        var names: [String] = []
        for name in try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames([]) {
            if case .dnsName(let dns) = name { names.append(dns) }
        }
        self.init(issuer: certificate.issuer.description, sans: names, notBefore: certificate.notValidBefore,
                  notAfter: certificate.notValidAfter, serial: certificate.serialNumber.description, source: source)
    }

    /// Whether the certificate is valid for `host`: a SAN equal to it (any case), a wildcard SAN
    /// `*.example.com` for a host one label below `example.com`, or the same wildcard.
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased()
        return sans.contains { san in
            let san = san.lowercased()
            if san == host { return true }
            guard san.hasPrefix("*."), !host.hasPrefix("*.") else { return false }
            guard let dot = host.firstIndex(of: ".") else { return false }
            return host[host.index(after: dot)...] == san.dropFirst(2)
        }
    }
}

public struct CertificateReadError: Error, CustomStringConvertible {
    public var source: String
    public var message: String
    public var description: String { "\(source): \(message)" }
}
