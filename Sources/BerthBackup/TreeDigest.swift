import Crypto
import Foundation
import Glibc

/// The content digest of a directory tree: SHA-256 over one line per entry, in path order — relative
/// path, type, permission bits, owner, size and the SHA-256 of a file's bytes (a link's target).
/// Modification times are left out: a restore sets them, a copy may not. Two trees with the same digest
/// hold the same files byte for byte.
public struct TreeDigest: Sendable, Hashable, Codable {
    public var digest: String
    public var files: Int
    public var bytes: Int64

    public static func of(_ root: String) throws -> TreeDigest {
        var lines: [String] = []
        var files = 0
        var bytes: Int64 = 0
        try walk(root, relative: "", into: &lines, files: &files, bytes: &bytes)
        lines.sort()
        var hasher = SHA256()
        for line in lines { hasher.update(data: Data((line + "\n").utf8)) }
        return TreeDigest(digest: hex(hasher.finalize()), files: files, bytes: bytes)
    }

    private static func walk(_ root: String, relative: String, into lines: inout [String], files: inout Int, bytes: inout Int64) throws {
        let dir = relative.isEmpty ? root : "\(root)/\(relative)"
        guard let handle = opendir(dir) else {
            throw BackupError(.verificationFailed, "cannot read the directory \(dir): \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names {
            let rel = relative.isEmpty ? name : "\(relative)/\(name)"
            let path = "\(root)/\(rel)"
            var st = stat()
            guard lstat(path, &st) == 0 else { throw BackupError(.verificationFailed, "cannot read \(path): \(String(cString: strerror(errno)))") }
            let mode = String(st.st_mode & 0o7777, radix: 8)
            let owner = "\(st.st_uid):\(st.st_gid)"
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                lines.append("\(rel)\td\t\(mode)\t\(owner)")
                try walk(root, relative: rel, into: &lines, files: &files, bytes: &bytes)
            case S_IFREG:
                files += 1
                bytes += Int64(st.st_size)
                lines.append("\(rel)\tf\t\(mode)\t\(owner)\t\(st.st_size)\t\(try fileDigest(path))")
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(path, &buffer, buffer.count - 1)
                let target = n >= 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
                lines.append("\(rel)\tl\t\(owner)\t\(target)")
            default:
                lines.append("\(rel)\to\t\(mode)\t\(owner)")
            }
        }
    }

    private static func fileDigest(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError(.verificationFailed, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw BackupError(.verificationFailed, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
