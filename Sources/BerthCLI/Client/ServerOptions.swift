import ArgumentParser
import Foundation

/// `--server URL --token T` (or BERTH_SERVER / BERTH_TOKEN): the command talks to a `berth serve` daemon
/// instead of the local engine. Prefer BERTH_TOKEN: a token on the command line is visible to `ps`.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A berth serve daemon to talk to instead of the local engine (or BERTH_SERVER), e.g. http://127.0.0.1:8088.", valueName: "URL"))
    var server: String?

    @Option(help: ArgumentHelp("The daemon's bearer token (or BERTH_TOKEN, better: not visible to ps).", valueName: "TOKEN"))
    var token: String?

    /// The client, when a server is given (by flag or environment); nil: run locally.
    func client(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerClient? {
        guard let url = server ?? environment["BERTH_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            if token != nil { throw ValidationError("--token needs --server URL (or BERTH_SERVER)") }
            return nil
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ValidationError("--server '\(url)' must be an http(s) URL, e.g. http://127.0.0.1:8088")
        }
        guard let token = token ?? environment["BERTH_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("--server needs a token: set BERTH_TOKEN (or pass --token); create one with berth token create on the daemon's host")
        }
        return ServerClient(base: url.hasSuffix("/") ? String(url.dropLast()) : url, token: token)
    }

    static let names: Set<String> = ["--server", "--token"]

    /// `berth --server URL --token T apply …`: the options given before the subcommand are moved after it,
    /// where the subcommand parses them.
    static func hoist(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if names.contains(a), i + 1 < arguments.count {
                leading += [a, arguments[i + 1]]
                i += 2
            } else if names.contains(where: { a.hasPrefix($0 + "=") }) {
                leading.append(a)
                i += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, i < arguments.count else { return arguments }
        return [arguments[i]] + leading + arguments[(i + 1)...]
    }
}
