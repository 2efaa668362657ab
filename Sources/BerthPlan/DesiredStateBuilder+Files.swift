import BerthConfig
import Crypto
import Foundation

/// Digests of the secrets and configs a service mounts, so that a change of their content rolls out
/// exactly the services that mount them.
extension DesiredStateBuilder {
    /// Configs: SHA-256 of the content. Secrets: HMAC-SHA256 keyed with the platform's key
    /// (`<state-dir>/<platform>/hash.key`), so that the hash (in labels and names) says nothing about the
    /// value; without a key (a render without state) a secret's content does not enter the hash.
    static func digested(_ files: [ComposeFileMount]?, hashKey: Data?) -> [ComposeFileMount]? {
        files?.map { file in
            var f = file
            let content = f.content ?? Data()
            switch f.kind {
            case .config:
                f.digest = "sha256:" + hex(SHA256.hash(data: content))
            case .secret:
                f.digest = hashKey.map { key in
                    "hmac-sha256:" + hex(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key)))
                }
            }
            return f
        }
    }

    /// Environment values that use secrets: HMAC-SHA256 with the platform's key, like secret files (no key:
    /// the value does not enter the hash).
    static func digested(_ environment: [String: SecretEnvironment]?, hashKey: Data?) -> [String: SecretEnvironment]? {
        environment?.mapValues { entry in
            var e = entry
            e.digest = hashKey.map { key in
                "hmac-sha256:" + hex(HMAC<SHA256>.authenticationCode(for: Data((entry.value?.reveal() ?? "").utf8), using: SymmetricKey(data: key)))
            }
            return e
        }
    }
}
