import BerthConfig
import Testing
import TestSupport

/// project.yml ingress rows: host names, ports, services and middlewares they name, collisions.
@Suite struct IngressValidationTests {
    static func route(_ body: String) -> String { "ingress:\n  - service: web\n" + body }

    @Test(arguments: [
        "bad_host.example.test", "-dash.example.test", "dash-.example.test", "a..example.test", "trailing.dot.",
        "\"*.*.example.test\"", "\"a.*.example.test\"", "exämple.test", "\(String(repeating: "a", count: 64)).example.test", "\"\"",
    ])
    func invalidHostNameIsReportedAtTheHost(_ host: String) {
        let project = Self.route("    hosts:\n      - \(host)\n    port: 80\n")
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        let shown = host.hasPrefix("\"") ? String(host.dropFirst().dropLast()) : host
        expectSingle(problems, "projects/app/project.yml", 4, 9, "'\(shown)' is not a valid host name")
    }

    @Test func invalidHostInAFlowListPointsAtThatItem() {
        let project = Self.route("    hosts: [ok.example.test, bad_host.example.test]\n    port: 80\n")
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 3, 30, "'bad_host.example.test' is not a valid host name")
    }

    @Test(arguments: ["shop.example.test", "localhost", "a-b.c-d.example", "x1.example.test"])
    func validHostNamesLoad(_ host: String) throws {
        let project = Self.route("    hosts: [\(host)]\n    port: 80\n")
        let repository = try Repo.load(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        #expect(repository.project("app")?.config.ingress.first?.hosts == [host])
    }

    static func shopRoute(host: String = "shop.example.test", path: String) -> String {
        route("    hosts: [\(host)]\n    path: \(path)\n    port: 80\n")
    }

    @Test(arguments: [
        ("shop.example.test", "/api"), ("shop.example.test", "/api/"), ("SHOP.example.test", "/api"),
    ])
    func sameHostAndPathInTwoProjectsIsAnError(host: String, path: String) {
        let problems = Repo.problems([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.shopRoute(path: "/api"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.shopRoute(host: host, path: path),
        ])
        expectSingle(problems, "projects/b/project.yml", 3, 13,
                     "host \(host) path \(path) is already routed to project 'a' service 'web' (projects/a/project.yml:3:13)")
    }

    @Test func differentPathsOnOneHostAreFine() throws {
        let repository = try Repo.load([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": Self.shopRoute(path: "/api"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.shopRoute(path: "/apix"),
        ])
        #expect(repository.projects.flatMap(\.config.ingress).map(\.path) == ["/api", "/apix"])
    }

    @Test func disabledProjectsDoNotClaimRoutes() throws {
        let repository = try Repo.load([
            "projects/a/compose.yml": Repo.webCompose, "projects/a/project.yml": "enabled: false\n" + Self.shopRoute(path: "/"),
            "projects/b/compose.yml": Repo.webCompose, "projects/b/project.yml": Self.shopRoute(path: "/"),
        ])
        #expect(repository.enabledProjects.map(\.name) == ["b"])
    }

    @Test(arguments: [("0", "must be between 1 and 65535, found 0"), ("65536", "found 65536"), ("-1", "found -1"),
                      ("http", "must be a whole number, found 'http'")])
    func routePortOutOfRange(port: String, fragment: String) {
        let project = Self.route("    hosts: [a.example.test]\n    port: \(port)\n")
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 4, 11, "'port' in an ingress route of project 'app'", fragment)
    }

    @Test func routeWithoutPortSaysWhichPort() {
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose,
                                      "projects/app/project.yml": Self.route("    hosts: [a.example.test]\n")])
        expectSingle(problems, "projects/app/project.yml", 2, 5, "needs 'port' (the port the container listens on)")
    }

    @Test func routeToAServiceThatDoesNotExist() {
        let project = "ingress:\n  - service: wbe\n    hosts: [a.example.test]\n    port: 80\n"
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 2, 14,
                     "an ingress route names service 'wbe', which is not in projects/app/compose.yml (did you mean 'web'?)")
    }

    static let platformWithMiddlewares = """
        domain: example.test
        middlewares:
          secure-headers:
            headers: {frame_deny: true}
          gzip:
            compress: {}
        default_middlewares: [gzip, gzp]
        """

    @Test func undefinedMiddlewaresInRouteAndDefaults() {
        let project = Self.route("    hosts: [a.example.test]\n    port: 80\n    middlewares: [gzip, secure-header]\n")
        let problems = Repo.problems([
            "platform.yml": Self.platformWithMiddlewares,
            "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project,
        ])
        #expect(problems.count == 2, "\(render(problems))")
        expectContains(problems, "platform.yml", 7, 29, "'default_middlewares' names 'gzp', which is not defined under 'middlewares'",
                       "(did you mean 'gzip'?)")
        expectContains(problems, "projects/app/project.yml", 5, 25, "middleware 'secure-header' is not defined",
                       "(did you mean 'secure-headers'?)")
    }

    @Test func tcpRouteNeedsAnEntrypointOfPlatform() {
        let platform = "domain: example.test\nentrypoints:\n  pg: {port: 5432, protocol: tcp}\n"
        let project = "ingress:\n  - service: web\n    protocol: tcp\n    entrypoint: pgg\n    port: 5432\n"
        let problems = Repo.problems(["platform.yml": platform, "projects/app/compose.yml": Repo.webCompose,
                                      "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 4, 17, "entrypoint 'pgg' is not defined in platform.yml (did you mean 'pg'?)")
    }

    @Test func tcpHostsNeedTLS() {
        let platform = "domain: example.test\nentrypoints:\n  pg: {port: 5432}\n"
        let project = "ingress:\n  - service: web\n    protocol: tcp\n    entrypoint: pg\n    hosts: [db.example.test]\n    port: 5432\n"
        let problems = Repo.problems(["platform.yml": platform, "projects/app/compose.yml": Repo.webCompose,
                                      "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 5, 12, "tcp routes match host names only with TLS")
    }

    @Test func routeDefaultsAndFields() throws {
        let project = """
            ingress:
              - service: web
                host: shop.example.test
                path: /shop
                port: 8080
                default_middlewares: false
                health: {path: /healthz, interval: 5s, timeout: 1s, status: 204}
              - service: web
                protocol: tcp
                entrypoint: pg
                tls: true
                hosts: [db.example.test]
                port: 5432
            """
        let platform = "domain: example.test\nentrypoints:\n  pg: {port: 5432, protocol: tcp}\n"
        let repository = try Repo.load(["platform.yml": platform, "projects/app/compose.yml": Repo.webCompose,
                                         "projects/app/project.yml": project])
        let routes = try #require(repository.project("app")?.config.ingress)
        #expect(routes.count == 2)
        let http = routes[0]
        #expect(http.hosts == ["shop.example.test"] && http.path == "/shop" && http.port == 8080)
        #expect(http.proto == .http && http.tls && !http.defaultMiddlewares && http.entrypoint == nil)
        #expect(http.health?.path == "/healthz" && http.health?.interval == .seconds(5))
        #expect(http.health?.timeout == .seconds(1) && http.health?.expectStatus == 204)
        #expect(http.location == Location(file: "projects/app/project.yml", line: 2, column: 5))
        let tcp = routes[1]
        #expect(tcp.proto == .tcp && tcp.tls && tcp.entrypoint == "pg" && tcp.path == "/" && tcp.health == nil)
    }

    @Test func healthTimeoutLongerThanInterval() {
        let project = Self.route("    hosts: [a.example.test]\n    port: 80\n    health:\n      interval: 2s\n      timeout: 5s\n")
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 7, 16, "'timeout' of 'health' (5s) is longer than its 'interval' (2s)")
    }
}
