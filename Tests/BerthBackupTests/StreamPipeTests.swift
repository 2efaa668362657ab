@testable import BerthBackup
import BerthConfig
import Foundation
import Testing
import TestSupport

@Suite struct StreamPipeTests {
    let scratch = Fixtures.tempDirectory("berth-pipe")

    @Test func bothEndsAreReportedAndTheStreamIsHashed() async throws {
        defer { Fixtures.cleanup(scratch) }
        let out = scratch.appendingPathComponent("copy").path
        let pipe = StreamPipe(timeout: .seconds(30), scratch: scratch)
        let env = ["PATH": "/usr/bin:/bin"]
        let ok = try await pipe.run(.init(executable: "sh", arguments: ["-c", "printf hello"], environment: env),
                                    .init(executable: "sh", arguments: ["-c", "cat > \(out)"], environment: env))
        #expect(ok.producer.succeeded && ok.consumer.succeeded && ok.bytes == 5)
        #expect(ok.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(FileManager.default.contents(atPath: out) == Data("hello".utf8))

        // A producer that fails after writing: the consumer stores the truncated stream and succeeds;
        // only the producer's status tells.
        let broken = try await pipe.run(.init(executable: "sh", arguments: ["-c", "head -c 300000 /dev/zero; echo 'dump broke' >&2; exit 3"], environment: env),
                                        .init(executable: "sh", arguments: ["-c", "cat > \(out)"], environment: env))
        #expect(broken.consumer.succeeded && !broken.producer.succeeded && broken.producer.status == 3)
        #expect(broken.producerStderr == "dump broke" && broken.bytes == 300_000)

        // A consumer that ends early: the producer is not left hanging, and the consumer's status tells.
        let early = try await pipe.run(.init(executable: "sh", arguments: ["-c", "head -c 50000000 /dev/zero"], environment: env),
                                       .init(executable: "sh", arguments: ["-c", "head -c 10 >/dev/null; exit 4"], environment: env))
        #expect(!early.consumer.succeeded && early.consumer.status == 4)
        #expect(early.bytes < 50_000_000)

        // Without a consumer the stream is only counted and hashed.
        let readBack = try await pipe.run(.init(executable: "sh", arguments: ["-c", "printf hello"], environment: env), nil)
        #expect(readBack.sha256 == ok.sha256 && readBack.bytes == 5)
    }

    @Test func aHangingProgramIsStoppedAtTheTimeout() async throws {
        defer { Fixtures.cleanup(scratch) }
        let runner = ProcessRunner(timeout: .milliseconds(300), scratch: scratch)
        let started = Stopwatch()
        let result = try await runner.run("sleep", ["120"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.timedOut && !result.succeeded)
        #expect(started.seconds < 60, "stopped only after the program would have ended")  // loose: 2 cores run every suite at once
    }
}

@Suite struct TreeDigestTests {
    @Test func theDigestChangesWithAnyByteModeOrNameAndNotWithTimes() throws {
        let root = Fixtures.tempDirectory("berth-digest")
        defer { Fixtures.cleanup(root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root.path + "/a/b", withIntermediateDirectories: true)
        try Data("one".utf8).write(to: root.appendingPathComponent("a/b/f"))
        try Data(repeating: 7, count: 3_000_000).write(to: root.appendingPathComponent("big"))
        try fm.createSymbolicLink(atPath: root.path + "/a/link", withDestinationPath: "b/f")
        let first = try TreeDigest.of(root.path)
        #expect(first.files == 2 && first.bytes == 3_000_003)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: root.path + "/a/b/f")
        #expect(try TreeDigest.of(root.path) == first, "times are not part of the digest")
        try Data("onf".utf8).write(to: root.appendingPathComponent("a/b/f"))
        let changed = try TreeDigest.of(root.path)
        #expect(changed.digest != first.digest)
        try Data("one".utf8).write(to: root.appendingPathComponent("a/b/f"))
        #expect(try TreeDigest.of(root.path) == first)
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: root.path + "/a/b/f")
        #expect(try TreeDigest.of(root.path).digest != first.digest, "the mode is part of it")
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: root.path + "/a/b/f")
        try fm.moveItem(atPath: root.path + "/big", toPath: root.path + "/big2")
        #expect(try TreeDigest.of(root.path).digest != first.digest, "names are part of it")
    }
}
