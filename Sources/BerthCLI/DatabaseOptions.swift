import ArgumentParser
import BerthConfig
import BerthServer
import Foundation

/// `--database`: the daemon's store in PostgreSQL, shared by several `berth serve`. Flag, then BERTH_DATABASE_URL,
/// then `api.database` in platform.yml. A URL without a password takes BERTH_DATABASE_PASSWORD. Never printed
/// with its password.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"),
            help: "PostgreSQL URL of a queue shared by several daemons, postgres://USER@HOST:5432/DB (default BERTH_DATABASE_URL, then api.database).")
    var database: String?

    func resolve(_ api: APIConfig?) throws -> DatabaseURL? {
        let environment = ProcessInfo.processInfo.environment
        var url: DatabaseURL
        if let database {
            do { url = try DatabaseURL(database, source: "--database") } catch { throw ValidationError("\(error)") }
        } else if let raw = environment["BERTH_DATABASE_URL"], !raw.isEmpty {
            do { url = try DatabaseURL(raw, source: "BERTH_DATABASE_URL") } catch { throw ValidationError("\(error)") }
        } else if let raw = api?.database {
            let location = api?.databaseLocation ?? Location(file: "platform.yml")
            do { url = try DatabaseURL(raw, source: "'database' in 'api'") } catch {
                throw ConfigError([Diagnostic(location, "\(error)")])
            }
        } else {
            return nil
        }
        if url.password == nil, let password = environment["BERTH_DATABASE_PASSWORD"], !password.isEmpty { url.password = password }
        return url
    }
}
