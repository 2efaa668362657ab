@testable import BerthBackup
import Foundation
import Testing
import TestSupport

/// A snapshot is read back as `restic dump --archive tar`: the digest of that stream must equal the
/// digest of the same tree on disk, for every tar dialect a dumper may write.
@Suite struct TarTreeDigestTests {
    /// Directories, modes, owners, an empty file, a file of several blocks, a symlink, a hard link, a
    /// FIFO, a path beyond ustar's 100 and 256 bytes, and a link target beyond 100.
    static func tree() throws -> URL {
        let root = Fixtures.tempDirectory("berth-tar")
        let fm = FileManager.default
        let deep = (0..<6).map { "directory-with-a-long-name-\($0)" }.joined(separator: "/")
        try fm.createDirectory(atPath: root.path + "/tree/a/b/" + deep, withIntermediateDirectories: true)
        try Data("one".utf8).write(to: root.appendingPathComponent("tree/a/b/one"))
        try Data().write(to: root.appendingPathComponent("tree/empty"))
        try Data((0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: root.appendingPathComponent("tree/a/blocks"))
        try Data("deep".utf8).write(to: root.appendingPathComponent("tree/a/b/\(deep)/f-\(String(repeating: "x", count: 80))"))
        try fm.setAttributes([.posixPermissions: 0o640, .ownerAccountID: 1234, .groupOwnerAccountID: 99], ofItemAtPath: root.path + "/tree/a/b/one")
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.path + "/tree/a")
        try fm.createSymbolicLink(atPath: root.path + "/tree/link", withDestinationPath: "a/b/one")
        try fm.createSymbolicLink(atPath: root.path + "/tree/far", withDestinationPath: "a/b/\(deep)")
        #expect(link(root.path + "/tree/a/blocks", root.path + "/tree/hard") == 0)
        #expect(mkfifo(root.path + "/tree/fifo", 0o600) == 0)
        return root
    }

    static func digest(_ archive: Data, chunk: Int) throws -> TreeDigest {
        var tar = TarTreeDigest()
        var offset = 0
        while offset < archive.count {
            let end = min(archive.count, offset + chunk)
            archive[offset..<end].withUnsafeBytes { tar.consume($0) }
            offset = end
        }
        return try tar.finish()
    }

    @Test(arguments: ["gnu", "posix", "ustar-python", "pax-python", "gnu-python"])
    func theStreamDigestEqualsTheTreeOnDisk(_ dialect: String) throws {
        let root = try Self.tree()
        defer { Fixtures.cleanup(root) }
        let archive = root.appendingPathComponent("t.tar").path
        let tree = root.appendingPathComponent("tree").path
        let made: (status: Int32, output: String)
        if dialect.hasSuffix("-python") {
            let format = ["ustar": "USTAR_FORMAT", "pax": "PAX_FORMAT", "gnu": "GNU_FORMAT"][String(dialect.dropLast(7))]!
            made = try Fixtures.run(["python3", "-c", """
                import os, sys, tarfile
                with tarfile.open(sys.argv[1], "w", format=tarfile.\(format)) as t:
                    for name in sorted(os.listdir(sys.argv[2])): t.add(os.path.join(sys.argv[2], name), arcname=name)
                """, archive, tree])
        } else {
            made = try Fixtures.run(["tar", "--format=\(dialect)", "-C", tree, "-cf", archive, "."])
        }
        if dialect == "ustar-python" {  // ustar cannot hold the longest path: python refuses, which is right
            #expect(made.status != 0)
            return
        }
        #expect(made.status == 0, "\(made.output)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let onDisk = try TreeDigest.of(tree)
        #expect(onDisk.files == 5)
        for chunk in [1, 511, 4096, 1 << 20] {
            #expect(try Self.digest(bytes, chunk: chunk) == onDisk, "\(dialect), fed \(chunk) bytes at a time")
        }
    }

    @Test func aChangedByteATruncatedStreamAndNoiseAreCaught() throws {
        let root = try Self.tree()
        defer { Fixtures.cleanup(root) }
        let archive = root.appendingPathComponent("t.tar").path
        let tree = root.appendingPathComponent("tree").path
        #expect(try Fixtures.run(["tar", "-C", tree, "-cf", archive, "."]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let good = try Self.digest(bytes, chunk: 65_536)
        // One byte of the large file's content changed: a different digest.
        let cut = try #require(bytes.range(of: Data([0, 31, 62, 93])))
        var changed = bytes
        changed[cut.lowerBound + 100] ^= 1
        #expect(try Self.digest(changed, chunk: 65_536) != good)
        // Cut inside the large file.
        #expect(throws: BackupError.self) { try Self.digest(bytes.prefix(cut.lowerBound + 10_000), chunk: 4096) }
        // Not a tar stream.
        #expect(throws: BackupError.self) { try Self.digest(Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 | 1) }), chunk: 4096) }
    }
}
