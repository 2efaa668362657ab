@testable import BerthBackup
import BerthConfig
import Foundation
import Testing
import TestSupport

@Suite struct ResticMessageTests {
    @Test func messagesKeepTheLastDistinctLinesWithoutGoStackFrames() {
        let stderr = """
            Save(<lock/8dc7b8ab97>) returned error, retrying after 552.330144ms: client.PutObject: Access Denied.
            Save(<lock/8dc7b8ab97>) returned error, retrying after 1.080381816s: client.PutObject: Access Denied.
            unable to create lock in backend
            github.com/restic/restic/internal/restic.(*Lock).createLock
            \t/build/restic/internal/restic/lock.go:177
            runtime.goexit
            \truntime/asm_amd64.s:1594
            """
        #expect(Restic.lastLines(stderr) == "Save(<lock/8dc7b8ab97>) returned error, retrying after 1.080381816s: client.PutObject: Access Denied. | unable to create lock in backend")
    }

    @Test func aPermanentErrorIsRecognisedInTheOutput() throws {
        let dir = Fixtures.tempDirectory("berth-restic-msg")
        defer { Fixtures.cleanup(dir) }
        let file = dir.appendingPathComponent("err").path
        try "Save(<lock/1>) returned error, retrying after 1s: client.PutObject: Access Denied.\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(ProcessRunner.reportsPermanentError(file))
        try "repository 1234abcd opened successfully\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(!ProcessRunner.reportsPermanentError(file))
    }

    @Test func failuresNameTheStepAndWhatToDoWithoutSecrets() throws {
        var config = BackupPlatformConfig(repository: .s3(endpoint: "http://127.0.0.1:1", bucket: "bkt", prefix: "p"), passwordEnv: "PW", location: Location(file: "platform.yml"))
        config.credentials = ["PW": SecretValue("hunter2"), "AWS_ACCESS_KEY_ID": SecretValue("AKIA"), "AWS_SECRET_ACCESS_KEY": SecretValue("s3cr3t")]
        let restic = Restic(config: config, runner: ProcessRunner(timeout: .seconds(1), scratch: URL(fileURLWithPath: "/tmp")), cacheDirectory: URL(fileURLWithPath: "/tmp"))
        let env = try restic.environment()
        #expect(env["RESTIC_PASSWORD"] == "hunter2" && env["AWS_SECRET_ACCESS_KEY"] == "s3cr3t" && env["RESTIC_REPOSITORY"] == "s3:http://127.0.0.1:1/bkt/p")
        #expect(env["AWS_CA_BUNDLE"] == nil, "only what restic needs")
        let wrong = restic.failure(step: "restic backup", "Fatal: wrong password or no key found", timedOut: false)
        #expect(wrong.code == .resticFailed && wrong.hint?.contains("PW does not open this repository") == true)
        let refused = restic.failure(step: "restic backup", "dial tcp 127.0.0.1:1: connect: connection refused", timedOut: false)
        #expect(refused.hint?.contains("does not answer") == true)
        let slow = restic.failure(step: "restic backup", "", timedOut: true)
        #expect(slow.cause.contains("did not finish within"))
        for error in [wrong, refused, slow] { #expect(!error.description.contains("hunter2") && !error.description.contains("s3cr3t")) }

        config.credentials = [:]
        let missing = Restic(config: config, runner: restic.runner, cacheDirectory: restic.cacheDirectory)
        #expect(throws: BackupError.self) { try missing.environment() }
        do { _ = try missing.environment() } catch let error as BackupError {
            #expect(error.code == .backupCredentialMissing && error.cause.contains("PW, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are not set"))
        }
    }

    @Test func theScheduleIsTheProjectsOrThePlatformsDefault() throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: example.test\nbackups: {path: /srv/r, password_env: PW, schedule: '15 4 * * *'}\n",
            "projects/a/compose.yml": "services:\n  web:\n    image: nginx:1.27\n    volumes: [d:/d]\nvolumes:\n  d: {}\n",
            "projects/a/project.yml": "backups: {volumes: [d]}\n",
            "projects/b/compose.yml": "services:\n  web:\n    image: nginx:1.27\n    volumes: [d:/d]\nvolumes:\n  d: {}\n",
            "projects/b/project.yml": "backups: {volumes: [d], schedule: '@hourly'}\n",
            "projects/c/compose.yml": "services:\n  web:\n    image: nginx:1.27\n",
        ])
        defer { Fixtures.cleanup(root) }
        let runner = BackupRunner(repository: try Fixtures.load(root), stateDirectory: root)
        #expect(runner.schedule(project: "a") == "15 4 * * *" && runner.schedule(project: "b") == "@hourly" && runner.schedule(project: "c") == nil)
        #expect(runner.projectsWithBackups == ["a", "b"])
        #expect(try runner.schedules().mapValues(\.description) == ["a": "15 4 * * *", "b": "@hourly"])
        #expect(try runner.targets(project: "a").map(\.name) == ["d"])
        #expect(throws: BackupError.self) { try runner.targets(project: "a", volume: "x") }
    }
}
