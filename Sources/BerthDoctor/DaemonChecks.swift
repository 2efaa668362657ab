/// The daemon group: settings read from `GET /info`, the default bridge, dockerd's configuration file and command line.
public enum DaemonChecks {
    public static func all(_ facts: DaemonFacts) -> [Finding] {
        [liveRestore(facts), icc(facts), userlandProxy(facts), logRotation(facts), noNewPrivileges(facts)]
    }

    static func restart(_ facts: DaemonFacts) -> String { "then restart dockerd" }

    static func unknown(_ id: CheckID, _ facts: DaemonFacts, _ what: String) -> Finding {
        Finding(
            id, .warn, why: "cannot check \(what): \(facts.configProblem ?? "the daemon's configuration was not read")",
            fix: "run berth doctor on the Docker host as root, or pass --daemon-config PATH")
    }

    public static func liveRestore(_ facts: DaemonFacts) -> Finding {
        let id = CheckID.liveRestore
        guard let on = facts.info?.liveRestoreEnabled else { return Finding(id, .warn, why: "the daemon did not report LiveRestoreEnabled", fix: "") }
        if on { return Finding(id, .pass, why: "live-restore is on (GET /info): containers keep running while dockerd restarts") }
        return Finding(
            id, .warn, why: "live-restore is off (GET /info): every container stops while dockerd restarts or is upgraded",
            fix: "\"live-restore\": true in \(facts.configFileName), \(restart(facts)) (not with Swarm mode)")
    }

    public static func icc(_ facts: DaemonFacts) -> Finding {
        let id = CheckID.icc
        guard facts.info != nil else { return Finding(id, .warn, why: "the daemon did not answer", fix: "") }
        if let problem = facts.bridgeProblem {
            return Finding(id, .warn, why: "cannot inspect the default bridge: \(problem)", fix: "check with docker network inspect bridge")
        }
        guard let options = facts.defaultBridgeOptions else {
            return Finding(id, .pass, why: "there is no default bridge (dockerd --bridge=none): nothing shares docker0")
        }
        if options["com.docker.network.bridge.enable_icc"] == "false" {
            return Finding(id, .pass, why: "containers on the default bridge cannot reach each other (enable_icc false)")
        }
        return Finding(
            id, .warn, why: "containers on the default bridge (docker0) can reach each other on every port (enable_icc true)",
            fix: "\"icc\": false in \(facts.configFileName), \(restart(facts))")
    }

    public static func userlandProxy(_ facts: DaemonFacts) -> Finding {
        let id = CheckID.userlandProxy
        guard let s = facts.setting("--userland-proxy", "userland-proxy", line: \.userlandProxy, file: \.userlandProxy, default: true) else {
            return unknown(id, facts, "userland-proxy (GET /info does not report it)")
        }
        if !s.value { return Finding(id, .pass, why: "userland-proxy is off (\(s.source)): published ports keep the client's address") }
        return Finding(
            id, .warn, why: "userland-proxy is on (\(s.source)): docker-proxy replaces client addresses with the bridge gateway's",
            fix: "\"userland-proxy\": false in \(facts.configFileName), \(restart(facts)) (from 127.0.0.1 this also needs sysctl net.ipv4.conf.all.route_localnet=1)")
    }

    public static func logRotation(_ facts: DaemonFacts) -> Finding {
        let id = CheckID.logRotation
        let fix = "\"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"} in \(facts.configFileName), \(restart(facts)) (applies to containers created afterwards)"
        guard let driver = facts.info?.loggingDriver else { return Finding(id, .warn, why: "the daemon did not report its LoggingDriver", fix: fix) }
        switch driver {
        case "json-file":
            guard let s = facts.setting("--log-opt", "log-opts", line: { $0.logOpts["max-size"] }, file: { $0.logOpts?["max-size"] }, default: "") else {
                return unknown(id, facts, "the json-file log options")
            }
            if s.value.isEmpty || s.value == "-1" {
                return Finding(id, .fail, why: "json-file logs without max-size (\(s.source)): they grow until the disk is full", fix: fix)
            }
            return Finding(id, .pass, why: "json-file logs are rotated at \(s.value) (\(s.source))")
        case "local":
            return Finding(id, .pass, why: "the local log driver rotates by default (GET /info)")
        case "none":
            return Finding(id, .pass, why: "container logs are not kept (log driver none)")
        default:
            return Finding(id, .pass, why: "container logs go to \(driver), not to files on this host (GET /info)")
        }
    }

    public static func noNewPrivileges(_ facts: DaemonFacts) -> Finding {
        let id = CheckID.noNewPrivileges
        if facts.info?.securityOptions.contains(where: { $0.contains("no-new-privileges") }) == true {
            return Finding(id, .pass, why: "no-new-privileges is on (GET /info SecurityOptions)")
        }
        guard let s = facts.setting("--no-new-privileges", "no-new-privileges", line: \.noNewPrivileges, file: \.noNewPrivileges, default: false) else {
            return unknown(id, facts, "no-new-privileges (GET /info does not report it)")
        }
        if s.value { return Finding(id, .pass, why: "no-new-privileges is on for every container (\(s.source))") }
        return Finding(
            id, .warn, why: "no-new-privileges is off (\(s.source)): setuid binaries in containers can gain privileges",
            fix: "\"no-new-privileges\": true in \(facts.configFileName), \(restart(facts)); or security_opt: [\"no-new-privileges:true\"] per service")
    }
}
