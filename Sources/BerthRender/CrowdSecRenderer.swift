import BerthConfig
import Foundation

/// What `crowdsec: enabled: true` gives CrowdSec and its firewall bouncer, both running on the host.
///
/// The proxy writes its access log to `proxyLogFile` inside its container (a bind mount of
/// `<state>/<platform>/proxy/logs/`): Traefik in the Common Log Format, Caddy in JSON. Berth writes,
/// under `<state>/<platform>/crowdsec/`:
/// - `acquis.yaml`: CrowdSec reads that file, labelled `type: traefik` or `type: caddy` (the parsers
///   Debian's crowdsec ships, `crowdsecurity/traefik-logs` and `crowdsecurity/caddy-logs`, pick it up);
/// - `parsers/s00-raw/berth-proxy-logs.yaml`: the raw stage for a plain log file (the hub's
///   `non-syslog` parser, which Debian does not ship and the hub cannot be reached for offline);
/// - `firewall-bouncer.yaml`: crowdsec-firewall-bouncer in iptables mode, dropping banned addresses on
///   the chains the proxy's traffic passes — INPUT for a proxy on the host network, INPUT and
///   DOCKER-USER for a bridge proxy (published ports: Docker's userland proxy is reached through INPUT,
///   its DNAT path through FORWARD → DOCKER-USER). Its API key is not in this file: the bouncer merges
///   `firewall-bouncer.yaml.local`, which the operator writes (`cscli bouncers add`).
public enum CrowdSecRenderer {
    /// The proxy's log directory inside its container.
    public static let proxyLogDirectory = "/var/log/berth"
    public static let proxyLogFile = "/var/log/berth/access.log"
    public static let acquisitionFile = "acquis.yaml"
    public static let rawParserFile = "parsers/s00-raw/berth-proxy-logs.yaml"
    public static let bouncerFile = "firewall-bouncer.yaml"

    /// The files of `<state>/<platform>/crowdsec/`, paths relative to it. `accessLog` is the access
    /// log's path on the host.
    public static func files(_ platform: PlatformConfig, accessLog: String) -> [RenderedFile] {
        [
            RenderedFile(path: acquisitionFile, contents: header + acquisition(platform, accessLog: accessLog).yaml()),
            RenderedFile(path: rawParserFile, contents: header + rawParser.yaml()),
            RenderedFile(path: bouncerFile, contents: header + bouncer(platform).yaml()),
        ]
    }

    static let header = "# Written by berth for crowdsec (platform.yml 'crowdsec'); changes are overwritten on the next apply.\n"

    /// The log type CrowdSec's shipped parsers filter on (`evt.Parsed.program startsWith ...`).
    public static func logType(_ platform: PlatformConfig) -> String { platform.proxy.kind.rawValue }

    static func acquisition(_ platform: PlatformConfig, accessLog: String) -> Document {
        .object([
            ("filenames", .strings([accessLog])),
            ("labels", .object([("type", .string(logType(platform)))])),
        ])
    }

    /// Each line of a plain file becomes `message`, and its acquisition label `type` the `program`.
    static let rawParser: Document = .object([
        ("name", .string("berth/proxy-logs")),
        ("description", .string("Raw stage for the proxy access log Berth writes (a plain file, not syslog)")),
        ("filter", .string("evt.Line.Labels.type != 'syslog'")),
        ("onsuccess", .string("next_stage")),
        ("statics", .array([
            .object([("parsed", .string("message")), ("expression", .string("evt.Line.Raw"))]),
            .object([("parsed", .string("program")), ("expression", .string("evt.Line.Labels.type"))]),
            .object([("meta", .string("datasource_path")), ("expression", .string("evt.Line.Src"))]),
            .object([("meta", .string("datasource_type")), ("expression", .string("evt.Line.Module"))]),
        ])),
    ])

    /// The firewall chains that see the proxy's clients.
    public static func chains(_ platform: PlatformConfig) -> [String] {
        platform.proxy.network == .host ? ["INPUT"] : ["INPUT", "DOCKER-USER"]
    }

    /// The bouncer's ipset (IPv4; at most 31 characters, ipset's limit).
    public static func ipset(_ platform: PlatformConfig) -> String {
        "berth-\(platform.name.prefix(25))"
    }

    static func bouncer(_ platform: PlatformConfig) -> Document {
        let sets = ipset(platform)
        var url = platform.crowdsec.lapiURL
        if !url.hasSuffix("/") { url += "/" }
        return .object([
            ("mode", .string("iptables")),
            ("update_frequency", .string("2s")),
            ("daemonize", .bool(false)),
            ("log_mode", .string("stdout")),
            ("log_level", .string("info")),
            ("api_url", .string(url)),
            ("insecure_skip_verify", .bool(false)),
            // The proxy listens on an IPv4 bind_address only; Docker has no IPv6 DOCKER-USER chain by default.
            ("disable_ipv6", .bool(true)),
            ("deny_action", .string("DROP")),
            ("deny_log", .bool(false)),
            ("supported_decisions_types", .strings(["ban"])),
            ("blacklists_ipv4", .string(sets)),
            ("ipset_type", .string("nethash")),
            ("iptables_chains", .strings(chains(platform))),
            ("prometheus", .object([("enabled", .bool(false))])),
        ])
    }
}
