/// `platform.yml`: what every project shares. Each key is documented in docs/config.md.
public struct PlatformConfig: Sendable, Hashable {
    /// Names the platform on a shared Docker host: its proxy container, its lock and the label on
    /// everything it creates. Defaults to the domain with dots as dashes.
    public var name: String
    public var domain: String
    public var proxy: ProxyConfig
    public var acme: ACMEConfig
    public var entrypoints: [String: Entrypoint]
    public var middlewares: [String: Middleware]
    /// Applied, in order, before a route's own middlewares on every http route.
    public var defaultMiddlewares: [String]
    public var crowdsec: CrowdSecConfig
    public var network: NetworkConfig
    public var api: APIConfig
    public var state: StateConfig
    public var policy = PolicyConfig()
    /// Credentials for pulling images, per registry host (`ghcr.io`, `registry.example.com:5000`).
    public var registries: [String: RegistryCredentials] = [:]
    /// `secrets.age_recipients`: the age public keys a new `secrets.enc.env` is encrypted for when the
    /// repository has no `.sops.yaml` (`berth secrets set` / `edit`).
    public var ageRecipients: [String] = []
    /// `backups`: the restic repository, retention and webhook of `berth backup` (nil: no backups).
    public var backups: BackupPlatformConfig?
    /// `dns`: the zones Berth renders and may serve (nil: no DNS). See DNSConfig.
    public var dns: DNSConfig?

    public init(
        domain: String, proxy: ProxyConfig = ProxyConfig(), acme: ACMEConfig = ACMEConfig(),
        entrypoints: [String: Entrypoint] = [:], middlewares: [String: Middleware] = [:],
        defaultMiddlewares: [String] = [], crowdsec: CrowdSecConfig = CrowdSecConfig(),
        network: NetworkConfig = NetworkConfig(), api: APIConfig = APIConfig(), state: StateConfig = StateConfig()
    ) {
        self.domain = domain
        self.name = PlatformConfig.defaultName(domain: domain)
        self.proxy = proxy
        self.acme = acme
        self.entrypoints = entrypoints
        self.middlewares = middlewares
        self.defaultMiddlewares = defaultMiddlewares
        self.crowdsec = crowdsec
        self.network = network
        self.api = api
        self.state = state
    }
}

extension PlatformConfig {
    /// `homelab.localhost` → `homelab-localhost` (lower case, at most 40 characters).
    public static func defaultName(domain: String) -> String {
        let mapped = domain.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "-" }
        let name = String(String(mapped).split(separator: "-").joined(separator: "-").prefix(40))
        return name.isEmpty ? "berth" : name
    }

    /// `<name>`: the proxy container (`berth-<name>-proxy`), its network and the deploy lock carry it.
    public var proxyContainerName: String { "berth-\(name)-proxy" }
    public var proxyNetworkName: String { "berth-\(name)_proxy" }
    public var lockName: String { "berth-\(name)-lock" }
}

/// How the proxy container is attached: `host` (the default) shares the host's network stack, so it
/// sees every client's real address and listens on `bind_address` itself; `bridge` publishes its ports
/// through Docker, whose userland proxy (on by default) replaces every client address with the
/// bridge gateway's.
public enum ProxyNetworkMode: String, Sendable, Hashable, CaseIterable, Codable {
    case host, bridge
}

public enum ProxyKind: String, Sendable, Hashable, CaseIterable, Codable {
    case traefik, caddy
}

public struct ProxyConfig: Sendable, Hashable {
    public var kind: ProxyKind = .traefik
    /// The proxy container's image; defaults per kind.
    public var image: String?
    public var httpPort: Int = 80
    public var httpsPort: Int = 443
    /// Host address the proxy's ports are published on.
    public var bindAddress: String = "0.0.0.0"
    /// Redirect http to https on the web entrypoint.
    public var redirectToHTTPS: Bool = true
    public var accessLog: Bool = true
    public var network: ProxyNetworkMode = .host
    /// Traefik's read-only API, on 127.0.0.1 only (Berth confirms route switches there).
    public var apiPort: Int = 8089

    public init() {}

    public var resolvedImage: String {
        image ?? (kind == .traefik ? "traefik:v3.7" : "caddy:2.11")
    }

    /// `address:port` for a listening socket of the proxy: on the host network it binds
    /// `bind_address` itself; in a bridge container it listens on every address (Docker publishes).
    public func listenAddress(_ port: Int) -> String {
        network == .host && bindAddress != "0.0.0.0" ? "\(bindAddress):\(port)" : ":\(port)"
    }
}

public enum ACMEChallenge: String, Sendable, Hashable, CaseIterable {
    /// HTTP-01 on the http entrypoint, TLS-ALPN-01 on the https one, DNS-01 through a DNS provider.
    case http, tlsALPN = "tls-alpn", dns
}

public struct ACMEConfig: Sendable, Hashable {
    /// Without an email no ACME resolver is configured and TLS uses the proxy's default certificate.
    public var email: String?
    /// The ACME directory URL; `production` and `staging` name Let's Encrypt's.
    public var ca: String = ACMEConfig.letsEncryptProduction
    public var challenge: ACMEChallenge = .http
    /// DNS provider name (lego/Traefik provider code, e.g. `cloudflare`) for the dns challenge.
    public var dnsProvider: String?
    public var resolvers: [String] = []
    /// The name of the certificate resolver in Traefik's static config.
    public var resolverName: String = "letsencrypt"
    public var storage: String = "/letsencrypt/acme.json"
    /// The ACME server's own TLS root (PEM), absolute: trusted by the proxy for the directory URL
    /// (`ca_root`, e.g. Pebble's listener CA). Nil: the system roots.
    public var caRoot: String?
    /// Names of the environment variables the DNS provider reads (lego's, e.g. `CF_DNS_API_TOKEN`).
    /// Only the names are configuration; the values reach the proxy container's environment.
    public var dnsCredentials: [String] = []
    /// Where each `dns_credentials` name is written (for the error when its value is missing).
    public var dnsCredentialLocations: [Location] = []
    /// The credentials' values, resolved at load (`ACMECredentials.resolve`): held as `SecretValue`,
    /// which never prints; revealed only into the proxy container's environment.
    public var dnsCredentialValues: [String: SecretValue] = [:]
    /// Traefik's `certificatesDuration` (hours): how long the CA's certificates last, from which Traefik
    /// derives when to renew and how often to check (nil: Traefik's default, 2160 = 90 days).
    public var certificatesDuration: Int?
    /// DNS-01: whether the propagation check also asks the zone's authoritative nameservers (on port 53);
    /// false checks through `resolvers` only (Traefik's `propagation.disableANSChecks`).
    public var dnsCheckAuthoritative = true

    public static let letsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory"
    public static let letsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"

    public init() {}

    public var enabled: Bool { email != nil }
}

public enum RouteProtocol: String, Sendable, Hashable, CaseIterable, Codable {
    case http, tcp, udp
}

/// An extra listening port for tcp/udp ingress (http and https are the `web` and `websecure` entrypoints).
public struct Entrypoint: Sendable, Hashable {
    public var name: String
    public var port: Int
    public var proto: RouteProtocol
    public var location: Location

    public init(name: String, port: Int, proto: RouteProtocol, location: Location) {
        self.name = name
        self.port = port
        self.proto = proto
        self.location = location
    }
}

/// `crowdsec:` in platform.yml. When enabled, the proxy writes its access log to
/// `<state>/<platform>/proxy/logs/access.log`, and Berth writes CrowdSec's acquisition and raw parser
/// for it plus a crowdsec-firewall-bouncer configuration under `<state>/<platform>/crowdsec/`
/// (BerthRender.CrowdSecRenderer). CrowdSec and the bouncer run on the host; Berth does not start them.
public struct CrowdSecConfig: Sendable, Hashable {
    public var enabled: Bool = false
    /// CrowdSec's local API, where the firewall bouncer pulls its decisions.
    public var lapiURL: String = "http://127.0.0.1:8080"

    public init() {}
}

public struct NetworkConfig: Sendable, Hashable {
    /// Address pools Berth carves project subnets from.
    public var pools: [IPv4Network] = [IPv4Network(parsing: "10.213.0.0/16")!]
    /// Prefix length of each project network.
    public var subnetPrefix: Int = 26
    public var location: Location = Location(file: "platform.yml")
    /// External networks of the old shared-proxy layouts (`traefik-net`, `proxynet`…): a service that
    /// joins one joins its project's `<p>_ingress` instead, which the proxy reaches (the plan notes it).
    public var legacyProxyNetworks: [String] = NetworkConfig.defaultLegacyProxyNetworks

    public static let defaultLegacyProxyNetworks = [
        "traefik", "traefik-net", "traefik_net", "traefik-network", "traefik_network", "traefik_proxy", "traefik-proxy",
        "traefik-public", "traefik_public", "traefik_default", "proxy", "proxynet", "proxy-net", "proxy_net", "proxy-network",
        "reverse-proxy", "reverse_proxy", "web", "webproxy", "caddy", "caddy-net", "caddy_net", "caddy_proxy", "nginx-proxy",
        "npm_proxy", "frontend", "public",
    ]

    public init() {}
}

public struct APIConfig: Sendable, Hashable {
    public var listen: String = "127.0.0.1:7420"
    /// Environment variable holding the API bearer tokens (comma-separated).
    public var tokensEnv: String = "BERTH_API_TOKENS"
    /// `berth serve`'s store in PostgreSQL (postgres://USER[:PASSWORD]@HOST:PORT/DATABASE), shared by several
    /// daemons; nil: SQLite in the state directory. `--database` and BERTH_DATABASE_URL override it.
    public var database: String?
    /// Where `database` is in platform.yml, for errors found when it is parsed.
    public var databaseLocation: Location?

    public init() {}
}

public enum StateBackend: String, Sendable, Hashable, CaseIterable {
    case sqlite, postgres
}

public struct StateConfig: Sendable, Hashable {
    public var backend: StateBackend = .sqlite
    public var path: String = "/var/lib/berth/state.sqlite"
    /// Environment variable holding the PostgreSQL URL when backend is postgres.
    public var urlEnv: String = "BERTH_DATABASE_URL"
    /// Deployments kept per service for rollback.
    public var keepDeployments: Int = 5

    public init() {}
}

public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    /// The environment variable holding the password or token (never the secret itself).
    public var passwordEnv: String

    public init(username: String, passwordEnv: String) {
        self.username = username
        self.passwordEnv = passwordEnv
    }

    /// The registry host of an image reference: its first path part when that looks like a host
    /// (has a dot or a port, or is `localhost`), else Docker Hub.
    public static func registry(of image: String) -> String {
        let first = image.split(separator: "/").first.map(String.init) ?? image
        guard image.contains("/"), first.contains(".") || first.contains(":") || first == "localhost" else { return "docker.io" }
        return first
    }
}

/// What the platform allows of the Compose files it runs (`policy` in platform.yml).
public struct PolicyConfig: Sendable, Hashable {
    /// Compose `ports`: any address, loopback only, or none (everything through the proxy).
    public var publishedPorts: PublishedPortsPolicy = .any
    // Each gate: false refuses, true allows, unset (nil) allows with a warning that names the key, so that
    // Compose files run as they are and the risk is visible; `berth init` writes them all false.
    /// Compose `privileged: true`, and security options that switch confinement off.
    public var privileged: Bool?
    /// Compose `devices`, `device_cgroup_rules`, `gpus` and device reservations.
    public var devices: Bool?
    /// `pid`, `ipc`, `uts` and `userns_mode` set to `host`.
    public var hostNamespaces: Bool?
    /// Mounts of the Docker socket (control of the engine is root on the host).
    public var dockerSocket: Bool?
    /// Capabilities `cap_add` may add beyond `PolicyConfig.safeCapabilities` (`ALL` allows any); unset allows
    /// any with a warning.
    public var capabilities: [String]?
    /// Compose `network_mode: host` (the service shares the host's network stack and bypasses the
    /// project's isolation).
    public var hostNetwork: Bool?

    public init() {}

    /// Capabilities that only act inside the container's own namespaces: Docker's default set plus the
    /// ones self-hosted apps commonly add (NET_ADMIN for VPNs, SYS_NICE, IPC_LOCK…).
    public static let safeCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", "NET_ADMIN", "NET_BROADCAST", "SYS_NICE",
        "SYS_RESOURCE", "IPC_LOCK", "IPC_OWNER", "LEASE", "LINUX_IMMUTABLE", "WAKE_ALARM", "BLOCK_SUSPEND", "SYS_TTY_CONFIG",
    ]

    /// Whether `cap_add` may add `capability` (written with or without `CAP_`, any case): true, false, or nil
    /// when the capability is outside the safe set and `capabilities` is not set.
    public func allows(capability: String) -> Bool? {
        let name = Self.normalized(capability)
        if name != "ALL" && Self.safeCapabilities.contains(name) { return true }
        guard let capabilities else { return nil }
        let allowed = Set(capabilities.map(Self.normalized))
        return allowed.contains("ALL") || allowed.contains(name)
    }

    public static func normalized(_ capability: String) -> String {
        let upper = capability.uppercased()
        return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
    }
}
