import BerthConfig
import Crypto
import Foundation

/// The config hash of a service: what decides whether a rollout is needed.
enum ConfigHash {
    struct Input: Encodable {
        var version = 1
        var image: String
        var spec: ComposeService
        var networks: [NetworkAttachment]
        var extra: [String: String]
    }

    static func compute(image: String, spec: ComposeService, networks: [NetworkAttachment], extra: [String: String] = [:]) -> String {
        var normalized = spec
        normalized.replicas = 0  // scaling is not a new version
        normalized.pullPolicy = nil  // when to pull is not what runs
        let input = Input(image: image, spec: normalized, networks: networks, extra: extra)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        let data = (try? encoder.encode(input)) ?? Data()
        return hex(SHA256.hash(data: data))
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
