import BerthConfig
import BerthProxy
import Foundation
import Hummingbird

/// `GET /v1/certs`: the certificate of every routed TLS host the token may see, as `berth certs --json`
/// prints it (status ok / missing / expiring / expired, issuer, names, not-after, days left).
enum CertRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/v1/certs") { _, context -> Response in
            let token = try context.caller()
            try Access.requireRead(token)
            let repository: BerthConfig.Repository
            do { repository = try services.driver.repository() } catch {
                throw APIError(.unprocessableContent, "invalid_config", "the configuration repository cannot be read:\n\(error)")
            }
            let hosts: [HostCertificate]
            do { hosts = try services.driver.certificates(repository, include: token.allows) } catch {
                throw APIError(.serviceUnavailable, "certificates_unreadable", "the proxy's certificates cannot be read: \(error)")
            }
            let json = CertificateReport.document(hosts).json()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
}
