import Foundation
import Testing
import TestSupport

/// `berth backup` refusals that need no Docker: bad arguments and bad configuration change nothing.
@Suite struct BackupCLITests {
    @Test func badArgumentsAndConfigurationAreRefusedBeforeAnythingRuns() throws {
        let repo = Fixtures.repository([
            "platform.yml": "domain: example.test\nbackups: {path: /nonexistent/restic, password_env: BK_PW}\n",
            "projects/app/compose.yml": "services:\n  web:\n    image: nginx:1.27\n    volumes: [data:/d]\nvolumes:\n  data: {}\n",
            "projects/app/project.yml": "backups:\n  volumes: [dta]\n",
        ])
        let state = Fixtures.tempDirectory("berth-bk-state")
        defer { Fixtures.cleanup(repo); Fixtures.cleanup(state) }
        let common = ["-c", repo.path, "--state-dir", state.path]

        let typo = try BerthBinary.run(["backup", "run", "app"] + common)
        #expect(typo.status == 1 && typo.stderr.contains("projects/app/project.yml:2:13: 'backups' names volume 'dta', which compose.yml does not declare under 'volumes' (did you mean 'data'?)"), "\(typo)")

        let both = try BerthBinary.run(["backup", "restore", "app", "--volume", "data", "--database", "x"] + common)
        #expect(both.status == 1 && both.stderr.contains("give --volume or --database, not both"), "\(both)")
        let neither = try BerthBinary.run(["backup", "restore", "app"] + common)
        #expect(neither.status == 1 && neither.stderr.contains("give --volume V or --database D"), "\(neither)")
        let noProject = try BerthBinary.run(["backup", "run", "--volume", "data"] + common)
        #expect(noProject.status == 1 && noProject.stderr.contains("--volume and --database need a PROJECT"), "\(noProject)")

        try "backups:\n  volumes: [data]\n".write(to: repo.appendingPathComponent("projects/app/project.yml"), atomically: true, encoding: .utf8)
        let empty = try BerthBinary.run(["backup", "list"] + common)
        #expect(empty.status == 0 && empty.stdout.contains("No backups recorded."), "\(empty)")
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("example-test/backups/records").path), "nothing was written")
    }
}
