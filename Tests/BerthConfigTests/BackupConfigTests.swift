import BerthConfig
import Testing
import TestSupport

@Suite struct BackupConfigTests {
    static let platform = """
        domain: example.test
        backups:
          s3: {endpoint: "http://127.0.0.1:18333", bucket: berth-backups, prefix: /prod/, access_key_env: S3_KEY, secret_key_env: S3_SECRET}
          password_env: RESTIC_PW
          schedule: "30 2 * * *"
          retention: {keep_last: 3, keep_daily: 7, keep_weekly: 4, keep_monthly: 6}
          webhook: {url: "http://127.0.0.1:9/hook", on_success: true}
          timeout: 10m
        """
    static let compose = """
        services:
          db:
            image: postgres:16
            volumes: [pgdata:/var/lib/postgresql/data]
          web:
            image: nginx:1.27
            volumes: [uploads:/srv]
        volumes:
          pgdata: {}
          uploads: {name: shared-uploads}
        """

    @Test func platformAndProjectBackupsAreRead() throws {
        let repository = try Repo.load([
            "platform.yml": Self.platform,
            "projects/app/compose.yml": Self.compose,
            "projects/app/project.yml": """
                backups:
                  schedule: "@daily"
                  volumes: [uploads, {name: pgdata, stop: true}]
                  databases:
                    - {kind: postgres, service: db, database: notes, user: notes}
                """,
        ], environment: ["RESTIC_PW": "pw", "S3_KEY": "key", "S3_SECRET": "secret"])
        let backups = try #require(repository.platform.backups)
        #expect(backups.repository == .s3(endpoint: "http://127.0.0.1:18333", bucket: "berth-backups", prefix: "prod"))
        #expect(backups.resticRepository == "s3:http://127.0.0.1:18333/berth-backups/prod")
        #expect(backups.credentialNames == ["RESTIC_PW", "S3_KEY", "S3_SECRET"])
        #expect(backups.credentials["S3_SECRET"]?.reveal() == "secret")
        #expect(backups.retention == BackupRetention(keepLast: 3, keepDaily: 7, keepWeekly: 4, keepMonthly: 6))
        #expect(backups.webhook == BackupWebhook(url: "http://127.0.0.1:9/hook", onSuccess: true))
        #expect(backups.schedule == "30 2 * * *")
        #expect(backups.timeout == .seconds(600))
        let project = try #require(repository.project("app")?.config.backups)
        #expect(project.schedule == "@daily")
        #expect(project.volumes.map(\.name) == ["uploads", "pgdata"] && project.volumes.map(\.stop) == [false, true])
        #expect(project.databases.map { "\($0.kind.rawValue) \($0.service) \($0.database) \($0.user)" } == ["postgres db notes notes"])
    }

    @Test func aLocalRepositoryNeedsOnlyThePassword() throws {
        let repository = try Repo.load(["platform.yml": "domain: example.test\nbackups: {path: /srv/restic, password_env: PW}\n"])
        #expect(repository.platform.backups?.resticRepository == "/srv/restic")
        #expect(repository.platform.backups?.credentialNames == ["PW"])
        #expect(repository.platform.backups?.credentials.isEmpty == true, "an unset variable is not a config error; berth backup names it")
    }

    @Test(arguments: [
        ("backups: {path: /x, password_env: PW, retension: {}}", "platform.yml:2:39: unknown key 'retension' in 'backups' in platform.yml (did you mean 'retention'?)"),
        ("backups: {password_env: PW}", "needs a restic repository: 's3' (endpoint, bucket, prefix) or 'path'"),
        ("backups: {path: /x}", "platform.yml:2:10: 'backups' in platform.yml needs 'password_env'"),
        ("backups: {path: relative, password_env: PW}", "'path' of 'backups' must be an absolute directory"),
        ("backups: {path: /x, s3: {endpoint: 'http://h', bucket: abc}, password_env: PW}", "has both 's3' and 'path'"),
        ("backups: {s3: {endpoint: 'ftp://h', bucket: abc}, password_env: PW}", "'endpoint' of 'backups.s3' must be an http(s) URL"),
        ("backups: {s3: {endpoint: 'http://h', bucket: A_B}, password_env: PW}", "'bucket' of 'backups.s3' must be 3-63 lower-case"),
        ("backups: {path: /x, password_env: 'my password'}", "'password_env' names an environment variable"),
        ("backups: {path: /x, password_env: PW, schedule: '61 * * * *'}", "'schedule' of 'backups': '61' is out of range 0-59"),
        ("backups: {path: /x, password_env: PW, schedule: daily}", "expected 5 cron fields"),
        ("backups: {path: /x, password_env: PW, retention: {keep_last: 0}}", "keep_last"),
        ("backups: {path: /x, password_env: PW, webhook: {url: 'mailto:x'}}", "'url' of 'backups.webhook' must be an http(s) URL"),
    ])
    func badPlatformBackupsAreReported(_ yaml: String, _ message: String) {
        let problems = Repo.problems(["platform.yml": "domain: example.test\n\(yaml)\n"]).map(\.description)
        #expect(problems.contains { $0.contains(message) }, "\(problems)")
    }

    @Test(arguments: [
        ("backups: {volumes: [uplods]}", "projects/app/project.yml:1:21: 'backups' names volume 'uplods', which compose.yml does not declare under 'volumes' (did you mean 'uploads'?)"),
        ("backups: {databases: [{service: dbb, database: notes}]}", "which compose.yml does not define (did you mean 'db'?)"),
        ("backups: {databases: [{kind: mysql, service: db, database: notes}]}", "'kind' of a database must be postgres"),
        ("backups: {databases: [{service: db, database: 'no-tes'}]}", "'database' of a database must be a PostgreSQL name"),
        ("backups: {volumes: [{name: uploads, stop: maybe}]}", "'stop' in a volume of 'backups'"),
        ("backups: {volumes: [uploads, uploads]}", "'uploads' is listed twice"),
        ("backups: {volumes: [uploads], schedule: '* * *'}", "expected 5 cron fields"),
    ])
    func badProjectBackupsAreReported(_ yaml: String, _ message: String) {
        let problems = Repo.problems([
            "platform.yml": "domain: example.test\nbackups: {path: /x, password_env: PW}\n",
            "projects/app/compose.yml": Self.compose, "projects/app/project.yml": yaml + "\n",
        ]).map(\.description)
        #expect(problems.contains { $0.contains(message) }, "\(problems)")
    }

    @Test func projectBackupsNeedThePlatformRepository() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Self.compose, "projects/app/project.yml": "backups: {volumes: [uploads]}\n",
        ]).map(\.description)
        #expect(problems.contains { $0.contains("platform.yml has no 'backups' repository") }, "\(problems)")
    }
}
