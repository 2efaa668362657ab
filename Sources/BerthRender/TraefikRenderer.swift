import BerthConfig
import BerthPlan
import Foundation

/// Traefik v3 configuration: the static file (entrypoints, ACME resolver, file provider, access log) and
/// the file provider's dynamic files (routers, services, middlewares).
///
/// Layout of the dynamic directory (`traefik/dynamic/`, mounted at `/etc/traefik/dynamic`):
/// - `<project>.yml`: that project's routers and services, named like the route (`<project>-<service>-<n>`).
/// - `_middlewares.yml`: every platform middleware, defined once. Traefik
///   merges all files of the directory into one configuration, so routers of any project reference a
///   middleware by its bare name; defining it per project would make the same name appear in several
///   files, which Traefik reports as a conflict and then drops.
public enum TraefikRenderer {
    /// Where Traefik reads the dynamic files inside its container.
    public static let dynamicDirectory = "/etc/traefik/dynamic"
    /// The http entrypoint (`proxy.http_port`) and the https one (`proxy.https_port`).
    public static let webEntrypoint = "web"
    public static let websecureEntrypoint = "websecure"
    /// Traefik's own entrypoint for its API and ping, never reachable beyond the host's loopback.
    public static let apiEntrypoint = "traefik"
    /// Where the proxy finds `acme.ca_root` inside its container (lego reads it from `LEGO_CA_CERTIFICATES`).
    public static let caRootPath = "/etc/traefik/acme-ca-root.pem"

    /// `traefik/traefik.yml`.
    public static func staticConfig(_ state: DesiredState) -> RenderedFile {
        RenderedFile(path: "traefik/traefik.yml", contents: header + staticDocument(state.platform).yaml())
    }

    /// `traefik/dynamic/_middlewares.yml` when there is a middleware to define, then
    /// `traefik/dynamic/<project>.yml` for each project with routes, in the model's project order.
    public static func dynamicConfigs(_ state: DesiredState) -> [RenderedFile] {
        var files: [RenderedFile] = []
        if let middlewares = middlewaresDocument(state.platform) {
            files.append(RenderedFile(path: "traefik/dynamic/_middlewares.yml", contents: header + middlewares.yaml()))
        }
        for project in state.projects where !project.routes.isEmpty {
            let doc = routesDocument(project.routes, platform: state.platform)
            files.append(RenderedFile(path: "traefik/dynamic/\(project.name).yml", contents: header + doc.yaml()))
        }
        return files
    }

    static let header = "# Written by berth; changes are overwritten on the next apply.\n"

    // MARK: Static configuration

    static func staticDocument(_ platform: PlatformConfig) -> Document {
        var doc: [(String, Document)] = [("entryPoints", entryPoints(platform))]
        if let resolver = certificateResolver(platform.acme) {
            doc.append(("certificatesResolvers", .object([(platform.acme.resolverName, resolver)])))
        }
        // Traefik waits providersThrottleDuration (2 s by default) between two loads of a provider's
        // configuration: switches less than 2 s apart (services of parallel projects) would each wait
        // ~1.5 s. The file provider's writes are atomic renames, so a short throttle is safe.
        doc.append(("providers", .object([
            ("providersThrottleDuration", .string("10ms")),
            ("file", .object([("directory", .string(dynamicDirectory)), ("watch", .bool(true))])),
        ])))
        // Served on Traefik's own `traefik` entrypoint, on the host's loopback only: Berth reads the
        // read-only API there to confirm that a route switch was loaded.
        doc.append(("api", .object([("insecure", .bool(true)), ("dashboard", .bool(false))])))
        doc.append(("ping", .object([])))
        if platform.crowdsec.enabled {
            // The Common Log Format, unbuffered, into the file CrowdSec reads (CrowdSecRenderer).
            doc.append(("accessLog", .object([("filePath", .string(CrowdSecRenderer.proxyLogFile))])))
        } else if platform.proxy.accessLog {
            doc.append(("accessLog", .object([])))
        }
        return .object(doc)
    }

    static func entryPoints(_ platform: PlatformConfig) -> Document {
        var web: [(String, Document)] = [("address", .string(platform.proxy.listenAddress(platform.proxy.httpPort)))]
        if platform.proxy.redirectToHTTPS {
            // Priority 1 (the lowest) instead of Traefik's default MaxInt-1: the redirect then only catches
            // requests no router on `web` claims, so routes with `tls: false` keep being served over http.
            web.append(("http", .object([
                ("redirections", .object([
                    ("entryPoint", .object([
                        ("to", .string(websecureEntrypoint)), ("scheme", .string("https")),
                        ("permanent", .bool(true)), ("priority", .int(1)),
                    ])),
                ])),
            ])))
        }
        var websecure: [(String, Document)] = [("address", .string(platform.proxy.listenAddress(platform.proxy.httpsPort)))]
        if platform.acme.enabled {
            websecure.append(("http", .object([
                ("tls", .object([("certResolver", .string(platform.acme.resolverName))])),
            ])))
        }
        var entries: [(String, Document)] = [(webEntrypoint, .object(web)), (websecureEntrypoint, .object(websecure))]
        // The API's entrypoint: on the host network Traefik binds 127.0.0.1 itself; in a bridge
        // container Berth publishes its :8080 on the host's loopback.
        let api = platform.proxy.network == .host ? "127.0.0.1:\(platform.proxy.apiPort)" : ":8080"
        entries.append((apiEntrypoint, .object([("address", .string(api))])))
        for name in platform.entrypoints.keys.sorted() {
            guard let ep = platform.entrypoints[name] else { continue }
            let listen = platform.proxy.listenAddress(ep.port)
            let address = ep.proto == .udp ? "\(listen)/udp" : listen
            entries.append((name, .object([("address", .string(address))])))
        }
        return .object(entries)
    }

    static func certificateResolver(_ acme: ACMEConfig) -> Document? {
        guard let email = acme.email else { return nil }
        var fields: [(String, Document)] = [
            ("email", .string(email)), ("storage", .string(acme.storage)), ("caServer", .string(acme.ca)),
        ]
        if let hours = acme.certificatesDuration { fields.append(("certificatesDuration", .int(hours))) }
        switch acme.challenge {
        case .http:
            fields.append(("httpChallenge", .object([("entryPoint", .string(webEntrypoint))])))
        case .tlsALPN:
            fields.append(("tlsChallenge", .object([])))
        case .dns:
            var dns: [(String, Document)] = [("provider", .string(acme.dnsProvider ?? ""))]
            if !acme.resolvers.isEmpty { dns.append(("resolvers", .strings(acme.resolvers))) }
            if !acme.dnsCheckAuthoritative { dns.append(("propagation", .object([("disableANSChecks", .bool(true))]))) }
            fields.append(("dnsChallenge", .object(dns)))
        }
        return .object([("acme", .object(fields))])
    }
}
