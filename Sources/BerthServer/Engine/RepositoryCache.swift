import BerthConfig
import Foundation
import Synchronization

/// The configuration repository as last loaded, reused while no file under it changed (same paths, sizes
/// and modification times; `.git` aside). Every deploy, status and `POST /v1/deployments` needs the
/// repository, and loading 50 projects takes tens of milliseconds; checking the files takes about one.
/// A failed load is not kept: the next call loads (and reports) again.
final class RepositoryCache: Sendable {
    private let last = Mutex<(fingerprint: [String], repository: Repository)?>(nil)

    func load(_ directory: String) throws(ConfigError) -> Repository {
        let fingerprint = Self.fingerprint(directory)
        if let fingerprint, let hit = last.withLock({ $0?.fingerprint == fingerprint ? $0?.repository : nil }) { return hit }
        let repository = try RepositoryLoader().load(directory)
        if let fingerprint { last.withLock { $0 = (fingerprint, repository) } }
        return repository
    }

    /// One line per file and directory: path, size, modification time; nil when the tree cannot be read.
    static func fingerprint(_ directory: String) -> [String]? {
        let root = URL(fileURLWithPath: directory)
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isDirectoryKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else { return nil }
        var lines: [String] = []
        for case let url as URL in walker {
            if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
            guard let values = try? url.resourceValues(forKeys: Set(keys)) else { return nil }
            let time = values.contentModificationDate?.timeIntervalSince1970 ?? 0
            lines.append("\(url.path)\t\(values.fileSize ?? -1)\t\(time)")
        }
        return lines
    }
}
