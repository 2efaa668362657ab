import Foundation
import Testing
import TestSupport

/// A real CrowdSec (Debian's `crowdsec` 1.4, LAPI on 127.0.0.1:`lapiPort`, its own config, SQLite
/// database and data directory in a temporary directory) and a real `crowdsec-firewall-bouncer`, started
/// as processes the way docs/config.md tells an operator to run them with the files Berth writes:
/// CrowdSec acquires Berth's `acquis.yaml` and loads Berth's raw parser plus the proxy's log parser
/// Debian ships; the bouncer runs Berth's `firewall-bouncer.yaml` with the key in its `.local` file.
///
/// `stop()` ends both and removes every iptables rule and ipset the bouncer added (the bouncer only
/// cleans up when it starts, not when it is stopped), also after a failure.
final class CrowdSecHarness: @unchecked Sendable {
    static let lapiPort = 18100
    static let prometheusPort = 18101
    let root: URL
    let config: URL
    private var crowdsec: E2EBackgroundCommand?
    private var bouncer: E2EBackgroundCommand?
    /// The bouncer's ipsets (IPv4 with iptables, IPv6 with ip6tables) and chains, for the clean-up.
    private var ipsets: [(name: String, tool: String)] = []
    private var chains: [String] = []

    static var available: Bool {
        ["/usr/bin/crowdsec", "/usr/bin/cscli", "/usr/bin/crowdsec-firewall-bouncer", "/usr/sbin/ipset", "/usr/sbin/iptables"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init() {
        root = Fixtures.tempDirectory("berth-crowdsec")
        config = root.appendingPathComponent("etc/config.yaml")
    }

    /// Writes CrowdSec's configuration around Berth's files (`berthDirectory` = `<state>/<platform>/crowdsec`)
    /// and starts it; returns when its LAPI answers.
    func start(berthDirectory: URL, logType: String) async throws {
        let etc = root.appendingPathComponent("etc")
        let files = FileManager.default
        for stage in ["s00-raw", "s01-parse", "s02-enrich"] {
            try files.createDirectory(at: etc.appendingPathComponent("parsers/\(stage)"), withIntermediateDirectories: true)
        }
        try files.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try files.createDirectory(at: root.appendingPathComponent("log"), withIntermediateDirectories: true)
        try files.createSymbolicLink(atPath: etc.appendingPathComponent("patterns").path, withDestinationPath: "/etc/crowdsec/patterns")
        // Berth's raw stage (copied: crowdsec skips a parser symlinked from outside its hub), the proxy's
        // parser from the hub copy Debian's package ships (offline), and Berth's acquisition linked into
        // acquis.d — the steps docs/config.md gives.
        try files.copyItem(at: berthDirectory.appendingPathComponent("parsers/s00-raw/berth-proxy-logs.yaml"),
                           to: etc.appendingPathComponent("parsers/s00-raw/berth-proxy-logs.yaml"))
        try files.createDirectory(at: etc.appendingPathComponent("acquis.d"), withIntermediateDirectories: true)
        try files.createSymbolicLink(atPath: etc.appendingPathComponent("acquis.d/berth.yaml").path,
                                     withDestinationPath: berthDirectory.appendingPathComponent("acquis.yaml").path)
        try files.createSymbolicLink(atPath: etc.appendingPathComponent("parsers/s01-parse/\(logType)-logs.yaml").path,
                                     withDestinationPath: "/usr/share/crowdsec/hub/parsers/s01-parse/crowdsecurity/\(logType)-logs.yaml")
        try "simulation: off\n".write(to: etc.appendingPathComponent("simulation.yaml"), atomically: true, encoding: .utf8)
        try """
            common:
              daemonize: false
              log_media: file
              log_level: info
              log_dir: \(root.path)/log
              working_dir: .
            config_paths:
              config_dir: \(etc.path)/
              data_dir: \(root.path)/data/
              simulation_path: \(etc.path)/simulation.yaml
              hub_dir: /usr/share/crowdsec/hub/
              index_path: /usr/share/crowdsec/hub/.index.json
            crowdsec_service:
              acquisition_dir: \(etc.path)/acquis.d
              parser_routines: 1
            db_config:
              type: sqlite
              db_path: \(root.path)/data/crowdsec.db
              use_wal: false
            api:
              client:
                credentials_path: \(etc.path)/local_api_credentials.yaml
              server:
                listen_uri: 127.0.0.1:\(Self.lapiPort)
                profiles_path: /etc/crowdsec/profiles.yaml
                trusted_ips: [127.0.0.1]
            prometheus:
              enabled: true
              level: full
              listen_addr: 127.0.0.1
              listen_port: \(Self.prometheusPort)

            """.write(to: config, atomically: true, encoding: .utf8)
        _ = files.createFile(atPath: etc.appendingPathComponent("local_api_credentials.yaml").path, contents: nil)
        let machine = await cscli(["machines", "add", "berth-test", "--auto", "--force", "-f", etc.appendingPathComponent("local_api_credentials.yaml").path])
        guard machine.status == 0 else { throw E2EFailure("cscli machines add failed: \(machine)") }
        crowdsec = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/bin/crowdsec"), arguments: ["-c", config.path])
        let deadline = Deadline(seconds: 30)
        while !deadline.passed {
            if crowdsec?.isRunning == false { throw E2EFailure("crowdsec exited: \(log("crowdsec.log"))") }
            if log("crowdsec.log").contains("Starting processing data") { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EFailure("crowdsec did not start within 30 s: \(log("crowdsec.log"))")
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("log/\(name)"), encoding: .utf8)) ?? ""
    }

    func cscli(_ arguments: [String]) async -> E2ECommandResult {
        await E2ECommand.run(["cscli", "-c", config.path] + arguments, timeout: 60)
    }

    /// Registers a bouncer and starts crowdsec-firewall-bouncer on Berth's file, with the key in
    /// `<file>.local` (mode 600), as docs/config.md says; returns when its firewall rules are in place.
    func startBouncer(berthFile: URL, ipset: String, chains: [String]) async throws {
        self.ipsets = [(ipset, "iptables")]
        self.chains = chains
        let added = await cscli(["bouncers", "add", "berth-test-\(UUID().uuidString.prefix(6))", "-o", "raw"])
        let key = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard added.status == 0, key.count >= 16 else { throw E2EFailure("cscli bouncers add failed: \(added)") }
        let local = URL(fileURLWithPath: berthFile.path + ".local")
        _ = FileManager.default.createFile(atPath: local.path, contents: Data("api_key: \(key)\n".utf8), attributes: [.posixPermissions: 0o600])
        bouncer = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/bin/crowdsec-firewall-bouncer"), arguments: ["-c", berthFile.path])
        let deadline = Deadline(seconds: 20)
        while !deadline.passed {
            if bouncer?.isRunning == false { throw E2EFailure("the bouncer exited: \(bouncerOutput)") }
            var ready = bouncerOutput.contains("Processing new and deleted decisions")
            for chain in chains where ready { ready = await hasRule(chain: chain, ipset: ipset) }
            if ready { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EFailure("the bouncer did not set up its rules within 20 s: \(bouncerOutput)")
    }

    /// The bouncer logs to its standard error (`log_mode: stdout` in Berth's file).
    var bouncerOutput: String { bouncer?.currentErrorOutput ?? "" }

    func hasRule(chain: String, ipset: String, tool: String = "iptables") async -> Bool {
        await E2ECommand.run([tool, "-C", chain, "-m", "set", "--match-set", ipset, "src", "-j", "DROP"]).status == 0
    }

    /// `cscli metrics -o json`: lines read and parsed for the acquisition of `file`.
    func acquisition(of file: String) async -> (read: Int, parsed: Int)? {
        let metrics = await cscli(["metrics", "-o", "json"])
        // cscli 1.4 prints one JSON object per table, back to back; the first is the acquisition's.
        guard metrics.status == 0, let end = metrics.stdout.range(of: "}{") else { return nil }
        let first = metrics.stdout[..<end.lowerBound] + "}"
        guard let acquisition = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              let entry = acquisition["file:\(file)"] as? [String: Any] else { return nil }
        return ((entry["reads"] as? Int) ?? 0, (entry["parsed"] as? Int) ?? 0)
    }

    /// Ends the bouncer and CrowdSec, then removes the bouncer's rules (every copy) and sets.
    func stop() async {
        for command in [bouncer, crowdsec].compactMap({ $0 }) where command.isRunning {
            kill(command.pid, SIGTERM)
            _ = await command.wait(timeout: 10)
        }
        for (ipset, tool) in ipsets {
            for chain in chains {
                while await hasRule(chain: chain, ipset: ipset, tool: tool) {
                    if await E2ECommand.run([tool, "-D", chain, "-m", "set", "--match-set", ipset, "src", "-j", "DROP"]).status != 0 { break }
                }
            }
            await E2ECommand.run(["ipset", "-exist", "destroy", ipset])
        }
        Fixtures.cleanup(root)
    }

    /// Whether any rule or set of `ipset` is left (for the test's last check).
    func leftovers() async -> [String] {
        var found: [String] = []
        let sets = await E2ECommand.run(["ipset", "list", "-n"]).stdout.split(separator: "\n")
        for (ipset, tool) in ipsets {
            for chain in ["INPUT", "DOCKER-USER", "FORWARD"] where await hasRule(chain: chain, ipset: ipset, tool: tool) {
                found.append("\(tool) \(chain) \(ipset)")
            }
            if sets.contains(Substring(ipset)) { found.append("ipset \(ipset)") }
        }
        return found
    }
}
