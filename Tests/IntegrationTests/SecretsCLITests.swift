import BerthSystem
import Foundation
import Testing
import TestSupport

/// `berth secrets set|unset|list|edit` and `berth init --age`, with the real sops and age: values go in
/// on standard input only and never come out; a new file is encrypted for `.sops.yaml`'s recipient.
@Suite struct SecretsCLITests {
    /// Runs the built berth with `input` on its standard input.
    static func berth(_ arguments: [String], input: String = "", environment: [String: String]) throws -> BerthBinary.Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["SOPS_AGE_KEY_FILE"] = nil
        for (k, v) in environment { env[k] = v }
        let result = try ChildProcess.runBlocking(BerthBinary.url.path, arguments, environment: env, input: Data(input.utf8))
        return .init(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }

    @Test func initWithAgeThenSetListUnsetAndEdit() throws {
        let dir = Fixtures.tempDirectory("berth-secrets-cli")
        defer { Fixtures.cleanup(dir) }
        let repo = dir.appendingPathComponent("repo").path
        let key = dir.appendingPathComponent("keys/age.txt").path
        let made = try Self.berth(["init", repo, "--age", "--age-key-file", key], environment: [:])
        try #require(made.status == 0, "\(made.stdout)\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: key))
        #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int).map { $0 & 0o077 } == 0, "the private key is for its owner only")
        let publicKey = try Fixtures.run(["age-keygen", "-y", key]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let sopsYAML = try String(contentsOfFile: "\(repo)/.sops.yaml", encoding: .utf8)
        #expect(sopsYAML.contains("age: \(publicKey)"))
        #expect(!sopsYAML.contains("AGE-SECRET-KEY"))
        #expect(try String(contentsOfFile: "\(repo)/.gitignore", encoding: .utf8).contains("keys.txt"))
        #expect(made.stdout.contains(key) && !made.stdout.contains("AGE-SECRET-KEY"), "\(made.stdout)")

        let env = ["SOPS_AGE_KEY_FILE": key]
        let value = "v@lue with spaces \(UUID().uuidString.prefix(8))"
        let other = "second-\(UUID().uuidString.prefix(8))"
        let set = try Self.berth(["secrets", "set", "notes", "DB_PASSWORD", "-c", repo], input: value + "\n", environment: env)
        try #require(set.status == 0, "\(set.stdout)\(set.stderr)")
        let file = try String(contentsOfFile: "\(repo)/projects/notes/secrets.enc.env", encoding: .utf8)
        #expect(file.contains("DB_PASSWORD=ENC[") && file.contains(publicKey) && !file.contains(value), "encrypted for .sops.yaml's recipient")
        let second = try Self.berth(["secrets", "set", "notes", "API_KEY", "-c", repo], input: other, environment: env)
        try #require(second.status == 0, "\(second.stdout)\(second.stderr)")
        let platform = try Self.berth(["secrets", "set", "--platform", "DNS_TOKEN", "-c", repo], input: other, environment: env)
        try #require(platform.status == 0, "\(platform.stdout)\(platform.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(repo)/secrets.enc.env"))

        let list = try Self.berth(["secrets", "list", "notes", "-c", repo], environment: env)
        #expect(list.status == 0 && list.stdout == "API_KEY\nDB_PASSWORD\n", "\(list.stdout)\(list.stderr)")
        let json = try Self.berth(["secrets", "list", "notes", "-c", repo, "--json"], environment: env)
        #expect(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\"API_KEY\", \"DB_PASSWORD\"]")
        let decrypted = try Fixtures.run([SopsFixture.sops, "--decrypt", "--output-type", "json", "\(repo)/projects/notes/secrets.enc.env"], environment: env)
        #expect(decrypted.output.contains(SopsFixture.jsonEscaped(value)), "the value exactly, without the trailing newline")

        let unset = try Self.berth(["secrets", "unset", "notes", "API_KEY", "-c", repo], environment: env)
        #expect(unset.status == 0, "\(unset.stdout)\(unset.stderr)")
        let missing = try Self.berth(["secrets", "unset", "notes", "API_KEY", "-c", repo], environment: env)
        #expect(missing.status == 3 && missing.stderr.contains("has no key API_KEY"), "\(missing.stderr)")
        let after = try Self.berth(["secrets", "list", "notes", "-c", repo], environment: env)
        #expect(after.stdout == "DB_PASSWORD\n")

        // edit: sops opens the decrypted file in $EDITOR and encrypts what it saves.
        let editor = dir.appendingPathComponent("editor.sh")
        try "#!/bin/sh\nprintf 'DB_PASSWORD=edited\\nNEW_KEY=%s\\n' \"$(cat \(dir.path)/new-value)\" > \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        try other.write(to: dir.appendingPathComponent("new-value"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor.path)
        let edit = try Self.berth(["secrets", "edit", "notes", "-c", repo], environment: env.merging(["EDITOR": editor.path]) { a, _ in a })
        #expect(edit.status == 0, "\(edit.stdout)\(edit.stderr)")
        let edited = try Self.berth(["secrets", "list", "notes", "-c", repo], environment: env)
        #expect(edited.stdout == "DB_PASSWORD\nNEW_KEY\n", "\(edited.stdout)\(edited.stderr)")

        for result in [made, set, second, platform, list, json, unset, missing, after, edit, edited] {
            #expect(!(result.stdout + result.stderr).contains(value) && !(result.stdout + result.stderr).contains(other))
        }
        // The repository with its secrets validates with the key, and fails clearly without it.
        let valid = try Self.berth(["validate", "-c", repo], environment: env)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        let noKey = try Self.berth(["validate", "-c", repo], environment: ["HOME": dir.path])
        #expect(noKey.status == 1 && noKey.stderr.contains("cannot decrypt"), "\(noKey.stderr)")
    }

    /// From a terminal the value is read without echo (`script` gives the command a pseudo-terminal;
    /// the value is typed a second later, once the prompt has turned echo off).
    @Test func setFromATerminalDoesNotEcho() throws {
        let sops = try SopsFixture()
        defer { sops.cleanup() }
        let root = Fixtures.repository(["platform.yml": "domain: example.test\n", "projects/app/compose.yml": "services:\n  web:\n    image: busybox:1\n"])
        defer { Fixtures.cleanup(root) }
        try sops.writeSopsConfig(in: root)
        let value = "typed-\(UUID().uuidString.prefix(8))"
        let command = "\(BerthBinary.url.path) secrets set app TYPED -c \(root.path)"
        let typed = try Fixtures.run(["sh", "-c", "(sleep 1; printf '%s\\n' '\(value)') | script -qec '\(command)' /dev/null"], environment: sops.environment)
        #expect(typed.status == 0 && typed.output.contains("value for TYPED:") && typed.output.contains("set TYPED"), "\(typed.output)")
        #expect(!typed.output.contains(value), "the typed value was echoed: \(typed.output)")
        let decrypted = try Fixtures.run([SopsFixture.sops, "--decrypt", "--output-type", "json", root.appendingPathComponent("projects/app/secrets.enc.env").path], environment: sops.environment)
        #expect(decrypted.output.contains("\"TYPED\": \"\(value)\""), "\(decrypted.output)")
    }

    @Test func setRefusesBadInputAndChangesNothing() throws {
        let sops = try SopsFixture()
        defer { sops.cleanup() }
        let root = Fixtures.repository(["platform.yml": "domain: example.test\n", "projects/app/compose.yml": "services:\n  web:\n    image: busybox:1\n"])
        defer { Fixtures.cleanup(root) }
        let env = sops.environment
        let noRecipients = try Self.berth(["secrets", "set", "app", "A", "-c", root.path], input: "x", environment: env)
        #expect(noRecipients.status == 3 && noRecipients.stderr.contains("no age recipients"), "\(noRecipients.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/app/secrets.enc.env").path))
        // platform.yml's recipients when there is no .sops.yaml.
        let withRecipients = Fixtures.repository(["platform.yml": "domain: example.test\nsecrets: {age_recipients: [\(sops.publicKey)]}\n",
                                                  "projects/app/compose.yml": "services:\n  web:\n    image: busybox:1\n"])
        defer { Fixtures.cleanup(withRecipients) }
        let fromPlatform = try Self.berth(["secrets", "set", "app", "A", "-c", withRecipients.path], input: "x", environment: env)
        #expect(fromPlatform.status == 0, "\(fromPlatform.stderr)")
        let created = try String(contentsOf: withRecipients.appendingPathComponent("projects/app/secrets.enc.env"), encoding: .utf8)
        #expect(created.contains(sops.publicKey))
        try sops.writeSopsConfig(in: root)
        let empty = try Self.berth(["secrets", "set", "app", "A", "-c", root.path], input: "", environment: env)
        #expect(empty.status == 1 && empty.stderr.contains("no value on standard input"), "\(empty.stderr)")
        let badKey = try Self.berth(["secrets", "set", "app", "1BAD", "-c", root.path], input: "x", environment: env)
        #expect(badKey.status == 3 && badKey.stderr.contains("not a valid variable name"), "\(badKey.stderr)")
        let noProject = try Self.berth(["secrets", "set", "nope", "A", "-c", root.path], input: "x", environment: env)
        #expect(noProject.status == 1 && noProject.stderr.contains("no project 'nope'"), "\(noProject.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/app/secrets.enc.env").path))

        // A file encrypted for another key is not changed.
        let stranger = try SopsFixture()
        defer { stranger.cleanup() }
        let file = root.appendingPathComponent("projects/app/secrets.enc.env")
        try stranger.encrypt([("A", "1")], to: file)
        let before = try Data(contentsOf: file)
        let wrong = try Self.berth(["secrets", "set", "app", "A", "-c", root.path], input: "2", environment: env)
        #expect(wrong.status == 3 && wrong.stderr.contains("is not one of its recipients"), "\(wrong.stderr)")
        #expect(try Data(contentsOf: file) == before)
    }
}

extension SopsFixture {
    /// `text` as it appears inside a JSON string.
    static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
