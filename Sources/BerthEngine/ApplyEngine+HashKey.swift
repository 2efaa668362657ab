import BerthConfig
import Foundation

/// The platform's key for the digests of secrets in config hashes: 32 random bytes in
/// `<state-dir>/<platform>/hash.key` (0600), created the first time a plan needs it.
extension ApplyEngine {
    func hashKey(_ platform: PlatformConfig) throws -> Data {
        let url = directory(platform).appendingPathComponent("hash.key")
        let fm = FileManager.default
        if let data = fm.contents(atPath: url.path), data.count >= 32 { return data }
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom) on Linux.
        var generator = SystemRandomNumberGenerator()
        let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".hash.key.tmp")
        guard fm.createFile(atPath: temporary.path, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        // Another process may have created it meanwhile: link fails then, and its key is the one.
        if link(temporary.path, url.path) != 0 {
            try? fm.removeItem(at: temporary)
            guard let data = fm.contents(atPath: url.path), data.count >= 32 else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path])
            }
            return data
        }
        try fm.removeItem(at: temporary)
        return key
    }
}
