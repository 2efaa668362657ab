import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/hooks/git`: a push webhook (GitHub, Gitea, Forgejo…). It carries no bearer token: the body's
/// HMAC-SHA256 with `BERTH_WEBHOOK_SECRET`, in `X-Hub-Signature-256: sha256=<hex>` (or Gitea's
/// `X-Gitea-Signature: <hex>`), proves the sender. The repository is fast-forwarded to its upstream and a
/// deploy of the changed projects (every project when files outside `projects/` changed) is queued, plus a
/// teardown of the projects the push removed.
enum HookRoutes {
    static let webhook = APIToken(name: "webhook", hash: "", scope: .admin, projects: [], expiresAt: nil)

    struct Answer: Encodable {
        var from: String
        var to: String
        var changed: [String]?
        var removed: [String]
        var tasks: [DeployTask]
        var message: String
    }

    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.post("/v1/hooks/git") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 5 * 1024 * 1024)
            return try await services.audited(webhook, "hook.git", "-") {
                guard let secret = services.webhookSecret else {
                    throw APIError(.notFound, "webhook_disabled", "the git webhook is off: start berth serve with BERTH_WEBHOOK_SECRET set")
                }
                let header = request.headers[.hubSignature256].map { $0.hasPrefix("sha256=") ? String($0.dropFirst(7)) : "" }
                    ?? request.headers[.giteaSignature]
                guard let header else {
                    throw APIError(.unauthorized, "missing_signature", "the request has no X-Hub-Signature-256: sha256=<hex> header (HMAC-SHA256 of the body with the webhook secret)")
                }
                guard verify(signature: header, body: Data(buffer: body), secret: secret) else {
                    throw APIError(.unauthorized, "bad_signature", "the X-Hub-Signature-256 signature does not match the body; check the webhook's secret")
                }
                if request.headers[.githubEvent] == "ping" {
                    return (try JSONResponse.make(["message": "pong"]), "ping")
                }
                let pull = try await pullMapped(services)
                var tasks: [DeployTask] = []
                if !pull.removed.isEmpty {
                    tasks.append(try await services.queue.enqueue(DeployTask(kind: .teardown, projects: pull.removed, createdBy: webhook.name)))
                }
                if pull.changed == nil || pull.changed?.isEmpty == false {
                    tasks.append(try await services.queue.enqueue(DeployTask(projects: pull.changed, createdBy: webhook.name)))
                }
                let message = pull.upToDate ? "already up to date with the upstream; nothing queued"
                    : "fast-forwarded \(pull.from.prefix(12))..\(pull.to.prefix(12)); queued \(tasks.map(\.id).joined(separator: ", "))"
                let answer = Answer(from: pull.from, to: pull.to, changed: pull.changed, removed: pull.removed, tasks: tasks, message: message)
                return (try JSONResponse.make(answer, status: tasks.isEmpty ? .ok : .accepted), message)
            }
        }
    }

    static func pullMapped(_ services: APIServices) async throws -> ConfigRepository.Pull {
        do { return try await services.repository.pull() } catch {
            switch error {
            case .invalid(let config):
                throw APIError(.unprocessableContent, "invalid_config", "the pushed repository is invalid; it was not applied (HEAD stays):\n\(config)")
            case .failed(let message): throw APIError(.conflict, "pull_failed", message)
            default: throw APIError(.internalServerError, "pull_failed", "\(error)")
            }
        }
    }

    /// Constant-time comparison of the hex signature with the body's HMAC-SHA256.
    static func verify(signature: String, body: Data, secret: String) -> Bool {
        guard let given = hexBytes(signature.trimmingCharacters(in: .whitespaces)), given.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        return bytes
    }
}

extension HTTPField.Name {
    static let hubSignature256 = Self("X-Hub-Signature-256")!
    static let giteaSignature = Self("X-Gitea-Signature")!
    static let githubEvent = Self("X-GitHub-Event")!
}
