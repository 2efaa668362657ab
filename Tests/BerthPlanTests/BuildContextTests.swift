import BerthConfig
import Foundation
import Testing
import TestSupport

@testable import BerthPlan

/// `.dockerignore` rules as Docker applies them, and the context digest that tags built images.
@Suite struct BuildContextTests {
    @Test(arguments: [
        // pattern file, path, excluded
        ("*.log", "a.log", true), ("*.log", "dir/a.log", false), ("**/*.log", "dir/sub/a.log", true),
        ("**/*.log", "a.log", true), ("dir/**", "dir/x/y", true), ("dir/**", "dir", false), ("dir", "dir/x/y", true),
        ("/dir", "dir/x", true), ("./dir/", "dir/x", true), ("d?r", "dir", true), ("d?r", "dir/sub", true), ("d?r", "ddir", false),
        ("[a-c]*", "beta", true), ("[!a-c]*", "beta", false), ("# comment\n\n  *.tmp  ", "x.tmp", true), ("#*.tmp", "x.tmp", false),
        ("*\n!keep.txt", "keep.txt", false), ("*\n!keep.txt", "other.txt", true), ("notes\n!notes/keep.txt", "notes/keep.txt", false),
        ("notes\n!notes/keep.txt", "notes/draft.txt", true), ("!a\na", "a", true), ("a/*/c", "a/b/c", true), ("a/*/c", "a/b/x/c", false),
        ("a/**/c", "a/b/x/c", true), ("a/**/c", "a/c", true), ("\\*", "*", true), ("\\*", "x", false), ("**", "any/thing", true),
    ])
    func ignorePatterns(patterns: String, path: String, excluded: Bool) {
        #expect(DockerIgnore(patterns).excludes(path) == excluded, "\(patterns) on \(path)")
    }

    @Test func theDockerfileAndDockerignoreAreAlwaysSent() throws {
        let dir = try Self.context(["Dockerfile": "FROM x\n", ".dockerignore": "*\n", "src/app.txt": "a"])
        defer { Fixtures.cleanup(dir) }
        let context = try BuildContext.scan(ComposeBuild(), projectDirectory: dir, service: "web")
        #expect(context.entries.map(\.path) == [".dockerignore", "Dockerfile"])
    }

    @Test func anInvalidPatternIsReported() throws {
        let dir = try Self.context(["Dockerfile": "FROM x\n", ".dockerignore": "[abc\n"])
        defer { Fixtures.cleanup(dir) }
        #expect(throws: BuildContext.Failure.self) { try BuildContext.scan(ComposeBuild(), projectDirectory: dir, service: "web") }
    }

    @Test func theDigestDependsOnContentNotOnOrderOrTimes() throws {
        let files = ["Dockerfile": "FROM x\nCOPY . /\n", ".dockerignore": "*.log\n", "a.txt": "a", "dir/b.txt": "b", "debug.log": "1"]
        let one = try Self.context(files)
        let two = try Self.context(files, reversed: true)
        defer { Fixtures.cleanup(one); Fixtures.cleanup(two) }
        let build = ComposeBuild()
        let digest = try Self.digest(one, build)
        #expect(try Self.digest(two, build) == digest, "written in another order, elsewhere")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: one.appendingPathComponent("a.txt").path)
        #expect(try Self.digest(one, build) == digest, "times are not part of it")

        try "2".write(to: one.appendingPathComponent("debug.log"), atomically: true, encoding: .utf8)
        #expect(try Self.digest(one, build) == digest, "an ignored file changed")

        try "a2".write(to: one.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let changed = try Self.digest(one, build)
        #expect(changed != digest, "a source file changed")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: one.appendingPathComponent("a.txt").path)
        #expect(try Self.digest(one, build) != changed, "permissions are part of the image")
        try FileManager.default.createDirectory(at: one.appendingPathComponent("empty"), withIntermediateDirectories: true)
        #expect(try Self.digest(one, build) != changed, "a new directory")

        var args = build
        args.args = ["VERSION": "2"]
        #expect(try Self.digest(two, args) != digest, "build args")
        var target = build
        target.target = "prod"
        #expect(try Self.digest(two, target) != digest, "the target")
        var tagged = build
        tagged.image = "example/web:1"
        tagged.tags = ["other"]
        #expect(try Self.digest(two, tagged) == digest, "extra tags name the image, they do not change it")
    }

    @Test func plannedServicesRunTheDigestTagAndOthersKeepTheirHash() throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: example.test\n",
            "projects/app/compose.yml": "services:\n  web:\n    build: ./src\n  db:\n    image: postgres:16\n",
            "projects/app/src/Dockerfile": "FROM x\n",
            "projects/app/src/index.html": "one",
        ])
        defer { Fixtures.cleanup(root) }
        let state = try DesiredStateBuilder(repository: Fixtures.load(root)).build()
        let web = try #require(state.project("app")?.service("web"))
        let digest = try #require(web.spec.build?.contextDigest)
        #expect(web.spec.image == "app-web:\(digest)")
        #expect(web.buildSummary == "builds ./src (Dockerfile) as app-web:\(digest.prefix(12))")
        // A service without build (or pull_policy) hashes exactly as before these keys existed.
        let db = try #require(state.project("app")?.service("db"))
        let encoded = String(decoding: try JSONEncoder().encode(db.spec), as: UTF8.self)
        #expect(!encoded.contains("build") && !encoded.contains("pullPolicy"), "\(encoded)")

        try "two".write(to: root.appendingPathComponent("projects/app/src/index.html"), atomically: true, encoding: .utf8)
        let after = try #require(try DesiredStateBuilder(repository: Fixtures.load(root)).build().project("app"))
        #expect(after.service("web")?.configHash != web.configHash, "a source change is a new version")
        #expect(after.service("db")?.configHash == db.configHash)
    }

    static func context(_ files: [String: String], reversed: Bool = false) throws -> URL {
        let dir = Fixtures.tempDirectory("berth-context")
        let order = files.keys.sorted()
        for path in reversed ? order.reversed() : order {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files[path]!.write(to: url, atomically: false, encoding: .utf8)
        }
        return dir
    }

    static func digest(_ dir: URL, _ build: ComposeBuild) throws -> String {
        try BuildContext.scan(build, projectDirectory: dir, service: "web").digest(build)
    }
}
