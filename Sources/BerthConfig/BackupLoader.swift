import Foundation

/// Reads `backups` of platform.yml and of project.yml strictly (see BackupConfig).
public struct BackupLoader {
    let sink: DiagnosticSink

    func platform(_ f: Fields) -> BackupPlatformConfig? {
        let s3 = f.fields("s3", known: ["endpoint", "bucket", "prefix", "access_key_env", "secret_key_env"])
        let path = f.string("path")
        var repository: BackupPlatformConfig.Repository?
        if s3 != nil && path != nil {
            f.error("path", "'backups' has both 's3' and 'path'; give one restic repository")
        } else if let s3 {
            let endpoint = s3.requiredString("endpoint") ?? ""
            if s3.has("endpoint"), let url = URLComponents(string: endpoint), !["http", "https"].contains(url.scheme ?? "") || url.host?.isEmpty != false {
                s3.error("endpoint", "'endpoint' of 'backups.s3' must be an http(s) URL such as https://s3.example.com, found '\(endpoint)'")
            } else if s3.has("endpoint"), URLComponents(string: endpoint) == nil {
                s3.error("endpoint", "'endpoint' of 'backups.s3' must be an http(s) URL such as https://s3.example.com, found '\(endpoint)'")
            }
            let bucket = s3.requiredString("bucket") ?? ""
            if s3.has("bucket"), bucket.count < 3 || bucket.count > 63 || !bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) {
                s3.error("bucket", "'bucket' of 'backups.s3' must be 3-63 lower-case letters, digits, '-' and '.', found '\(bucket)'")
            }
            let prefix = (s3.string("prefix") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if prefix.contains("//") || prefix.contains(" ") { s3.error("prefix", "'prefix' of 'backups.s3' must be a path such as berth/prod, found '\(prefix)'") }
            repository = .s3(endpoint: endpoint, bucket: bucket, prefix: prefix)
        } else if let path {
            if !path.hasPrefix("/") { f.error("path", "'path' of 'backups' must be an absolute directory, found '\(path)'") }
            repository = .local(path: path)
        } else {
            sink.error(f.location, "'backups' needs a restic repository: 's3' (endpoint, bucket, prefix) or 'path' (a local directory)")
        }
        let passwordEnv = f.requiredString("password_env")
        guard let repository, let passwordEnv else { return nil }
        var config = BackupPlatformConfig(repository: repository, passwordEnv: passwordEnv, location: f.location)
        config.accessKeyEnv = s3?.string("access_key_env") ?? config.accessKeyEnv
        config.secretKeyEnv = s3?.string("secret_key_env") ?? config.secretKeyEnv
        for (key, fields) in [("password_env", f), ("access_key_env", s3), ("secret_key_env", s3)] {
            if let fields, let name = fields.string(key), !ACMECredentials.isVariableName(name) {
                fields.error(key, "'\(key)' names an environment variable (letters, digits and '_', not starting with a digit), found '\(name)'; the value itself goes into the platform's secrets")
            }
        }
        if let schedule = f.string("schedule") {
            do { _ = try CronSchedule(parsing: schedule) } catch { f.error("schedule", "'schedule' of 'backups': \(error.description)") }
            config.schedule = schedule
        }
        if let r = f.fields("retention", known: ["keep_last", "keep_daily", "keep_weekly", "keep_monthly"]) {
            config.retention = BackupRetention(
                keepLast: r.int("keep_last", in: 1...10_000), keepDaily: r.int("keep_daily", in: 1...10_000),
                keepWeekly: r.int("keep_weekly", in: 1...10_000), keepMonthly: r.int("keep_monthly", in: 1...10_000))
        }
        if let w = f.fields("webhook", known: ["url", "on_success"]), let url = w.requiredString("url") {
            if let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false {
                config.webhook = BackupWebhook(url: url, onSuccess: w.bool("on_success") ?? false)
            } else {
                w.error("url", "'url' of 'backups.webhook' must be an http(s) URL")
            }
        }
        if let timeout = f.duration("timeout") {
            if timeout.milliseconds < 1000 { f.error("timeout", "'timeout' of 'backups' must be at least 1s") }
            config.timeout = timeout
        }
        return config
    }

    func project(_ f: Fields) -> BackupProjectConfig {
        var config = BackupProjectConfig(location: f.location)
        if let schedule = f.string("schedule") {
            do { _ = try CronSchedule(parsing: schedule) } catch { f.error("schedule", "'schedule' of 'backups': \(error.description)") }
            config.schedule = schedule
        }
        if let value = f["volumes"] {
            guard case .sequence(let items, _) = value else {
                sink.error(value.location, "'volumes' of 'backups' must be a list of volume names or {name, stop}, found \(value.kindName)")
                return config
            }
            for item in items {
                if case .scalar = item, let name = Scalar.string(item, "a volume of 'backups'", sink) {
                    config.volumes.append(BackupVolume(name: name, location: item.location))
                } else if let v = Fields(item, what: "a volume of 'backups'", known: ["name", "stop"], sink: sink), let name = v.requiredString("name") {
                    config.volumes.append(BackupVolume(name: name, stop: v.bool("stop") ?? false, location: v["name"]?.location ?? v.location))
                }
            }
        }
        if let value = f["databases"] {
            guard case .sequence(let items, _) = value else {
                sink.error(value.location, "'databases' of 'backups' must be a list of {kind, service, database, user}, found \(value.kindName)")
                return config
            }
            for item in items {
                guard let d = Fields(item, what: "a database of 'backups'", known: ["kind", "service", "database", "user"], sink: sink) else { continue }
                var kind = DatabaseKind.postgres
                if let text = d.string("kind") {
                    if let k = DatabaseKind(rawValue: text) { kind = k } else {
                        d.error("kind", "'kind' of a database must be \(DatabaseKind.allCases.map(\.rawValue).joined(separator: ", ")) (MySQL/MariaDB and Redis are not supported yet), found '\(text)'")
                    }
                }
                guard let service = d.requiredString("service"), let database = d.requiredString("database") else { continue }
                let user = d.string("user") ?? "postgres"
                for (key, text) in [("database", database), ("user", user)] where !Self.isIdentifier(text) {
                    d.error(key, "'\(key)' of a database must be a PostgreSQL name (letters, digits, '_', at most 63), found '\(text)'")
                }
                config.databases.append(BackupDatabase(kind: kind, service: service, database: database, user: user, location: d["database"]?.location ?? d.location))
            }
        }
        var seen: [String: Location] = [:]
        for (name, location) in config.volumes.map({ ($0.name, $0.location) }) + config.databases.map({ ($0.database, $0.location) }) {
            if let first = seen[name] { sink.error(location, "'\(name)' is listed twice in 'backups' (first at \(first)); volumes and databases need distinct names") }
            seen[name] = location
        }
        return config
    }

    public static func isPostgresName(_ s: String) -> Bool { isIdentifier(s) }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 63 && s.first.map { $0.isLetter || $0 == "_" } == true
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

extension RepositoryLoader {
    /// The backup repository's credentials: from the platform's secrets, then berth's environment. A missing
    /// value is not a configuration error (apply does not need it); `berth backup` reports it by name.
    func resolveBackupCredentials(_ platform: inout PlatformConfig, secrets: SecretSet?) {
        guard let backups = platform.backups else { return }
        let values = ACMECredentials.resolve(backups.credentialNames, from: ACMECredentials.source(secrets: secrets, environment: environment))
        platform.backups?.credentials = values.mapValues(SecretValue.init)
    }
}
