import Foundation

/// Writes rendered files under a directory: each file atomically (temp file, fsync, rename), and
/// files Berth wrote earlier that are no longer rendered are removed from the directories it owns.
public struct OutputDirectory: Sendable {
    public var root: URL
    /// Subdirectories whose other `*.yml`/`*.json`/`*.zone` files are Berth's to remove when no longer rendered.
    public var owned: [String]
    /// fsync each file before its rename (for files a running proxy reads); an export can skip it.
    public var durable: Bool

    public init(root: URL, owned: [String] = ["traefik/dynamic", "compose", "dns"], durable: Bool = true) {
        self.root = root
        self.owned = owned
        self.durable = durable
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes every file; returns the paths (relative to root) of stale files removed.
    @discardableResult
    public func write(_ files: [RenderedFile]) throws -> [String] {
        for file in files {
            let url = root.appendingPathComponent(file.path)
            // Unchanged files are left alone: no needless write, and no reload for a watching proxy.
            if let current = try? Data(contentsOf: url), current.elementsEqual(file.contents.utf8) { continue }
            try Self.writeAtomically(file.contents, to: url, sync: durable)
        }
        let wanted = Set(files.map(\.path))
        var removed: [String] = []
        let fm = FileManager.default
        for dir in owned {
            let base = root.appendingPathComponent(dir)
            guard let walker = fm.enumerator(atPath: base.path) else { continue }
            for case let relative as String in walker {
                let path = "\(dir)/\(relative)"
                guard relative.hasSuffix(".yml") || relative.hasSuffix(".json") || relative.hasSuffix(".zone"), !wanted.contains(path) else { continue }
                try? fm.removeItem(at: base.appendingPathComponent(relative))
                removed.append(path)
            }
            // Remove directories left empty (e.g. compose/<removed project>).
            for case let relative as String in fm.enumerator(atPath: base.path) ?? FileManager.DirectoryEnumerator() {
                let url = base.appendingPathComponent(relative)
                if (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true { try? fm.removeItem(at: url) }
            }
        }
        return removed.sorted()
    }

    /// Temp file in the same directory, fsync, rename over the target: readers see the old or the new file, never half.
    public static func writeAtomically(_ contents: String, to url: URL, sync: Bool = true) throws {
        let fm = FileManager.default
        let dir = url.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: dir.path, reason: error.localizedDescription)
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: temp.path, reason: String(cString: strerror(errno))) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp.path)
                throw WriteError(path: url.path, reason: reason)
            }
            written += n
        }
        let synced = !sync || fsync(fd) == 0
        close(fd)
        guard synced, rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw WriteError(path: url.path, reason: reason)
        }
    }
}
