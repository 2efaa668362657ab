import Foundation
import Synchronization
import Testing

@testable import BerthDocker

extension DockerEngineTests {
    /// `POST /build` with a tar made by `TarWriter`: files (also a long path and an executable), a
    /// directory and a symlink arrive as written; build args, labels and the target stage apply; the
    /// output streams line by line; a failing step throws with the error and the last output lines.
    @Test func buildFromATarContext() async throws {
        try await DockerTest.withDocker { docker in
            _ = try await TestImages.ensureBusybox()
            let tag = "berth-test-build:\(DockerTest.runID)"
            defer { _ = try? TestImages.run(["docker", "image", "rm", "-f", tag]) }
            let long = String(repeating: "deep/", count: 25) + "file.txt"
            var tar = TarWriter()
            tar.add(path: "Dockerfile", kind: .file, mode: 0o644, contents: Data("""
                FROM \(TestImages.busybox) AS base
                ARG GREETING
                RUN echo "greeting=$GREETING" > /greeting
                FROM base AS final
                COPY . /ctx/
                RUN echo never > /never

                """.utf8))
            tar.add(path: "dir", kind: .directory, mode: 0o755)
            tar.add(path: "dir/run.sh", kind: .file, mode: 0o755, contents: Data("#!/bin/sh\necho hi\n".utf8))
            tar.add(path: "link", kind: .symlink("dir/run.sh"), mode: 0o777)
            tar.add(path: long, kind: .file, mode: 0o600, contents: Data("long\n".utf8))
            var options = BuildOptions(tags: [tag])
            options.buildArgs = ["GREETING": "hello"]
            options.labels = ["org.example.test": "yes"]
            options.target = "base"
            let lines = LockedLines()
            let id = try await docker.images.build(context: tar.finished(), options: options) { lines.append($0.line) }
            #expect(id.hasPrefix("sha256:"), "\(id)")
            #expect(lines.all.contains { $0.hasPrefix("Step 1/") && $0.contains("FROM \(TestImages.busybox)") }, "\(lines.all)")
            let image = try #require(try await docker.images.inspect(tag))
            #expect(image.config?.labels?["org.example.test"] == "yes")
            let greeting = try TestImages.run(["docker", "run", "--rm", tag, "cat", "/greeting"])
            #expect(greeting.output == "greeting=hello\n", "\(greeting)")
            // target: base stops before the final stage.
            #expect(try TestImages.run(["docker", "run", "--rm", tag, "ls", "/ctx"]).status != 0)

            options.target = nil
            let all = try await docker.images.build(context: tar.finished(), options: options)
            #expect(all.hasPrefix("sha256:"))
            let listing = try TestImages.run(["docker", "run", "--rm", tag, "sh", "-c",
                                              "ls -l /ctx/dir/run.sh /ctx/\(long) /ctx/link; cat /ctx/\(long)"]).output
            #expect(listing.contains("-rwxr-xr-x") && listing.contains("-rw-------"), "modes: \(listing)")
            #expect(listing.contains("/ctx/link -> dir/run.sh"), "symlink: \(listing)")
            #expect(listing.hasSuffix("long\n"), "a path beyond ustar's 100 bytes: \(listing)")

            var failing = TarWriter()
            failing.add(path: "Dockerfile", kind: .file, mode: 0o644, contents: Data("FROM \(TestImages.busybox)\nRUN echo about to fail && false\n".utf8))
            let failed = await DockerTest.expectDockerError {
                try await docker.images.build(context: failing.finished(), options: BuildOptions(tags: ["berth-test-build-failed:\(DockerTest.runID)"]))
            }
            #expect(failed?.message.contains("returned a non-zero code: 1") == true, "\(String(describing: failed))")
            #expect(failed?.message.contains("about to fail") == true, "the last lines: \(String(describing: failed))")
            #expect(try await docker.images.inspect("berth-test-build-failed:\(DockerTest.runID)") == nil)
        }
    }
}

/// Lines collected from a `@Sendable` callback.
final class LockedLines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}
