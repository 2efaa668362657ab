import BerthConfig
import Foundation
import Testing
import TestSupport

/// Traefik labels are read as ingress: the same routes as project.yml rows, and the containers lose them.
@Suite struct TraefikLabelsTests {
    /// The Kanban platform's portal, as its architecture document writes it.
    static let portal = """
        services:
          portal-api:
            image: berth-demo/app:1
            labels:
              - "traefik.enable=true"
              - "traefik.http.routers.portal-api.rule=Host(`kanban.example.test`) && PathPrefix(`/api`)"
              - "traefik.http.routers.portal-api.entrypoints=websecure"
              - "traefik.http.routers.portal-api.tls.certresolver=letsencrypt"
              - "traefik.http.services.portal-api.loadbalancer.server.port=8000"
              - "team=portal"
          portal-web:
            image: berth-demo/app:1
            labels:
              traefik.enable: "true"
              traefik.http.routers.portal-web.rule: Host(`kanban.example.test`)
              traefik.http.routers.portal-web.entrypoints: websecure
              traefik.http.routers.portal-web.tls.certresolver: letsencrypt
              traefik.http.services.portal-web.loadbalancer.server.port: "80"
        """

    @Test func theSeedsLabelsBecomeTheSameRoutesAsProjectRows() throws {
        let repository = try Repo.load(["projects/portal/compose.yml": Self.portal])
        let project = try #require(repository.project("portal"))
        let routes = project.config.ingress.sorted { $0.service < $1.service }
        #expect(routes.map(\.service) == ["portal-api", "portal-web"])
        #expect(routes.map(\.hosts) == [["kanban.example.test"], ["kanban.example.test"]])
        #expect(routes.map(\.path) == ["/api", "/"])
        #expect(routes.map(\.port) == [8000, 80])
        #expect(routes.allSatisfy { $0.tls && $0.proto == .http })
        #expect(project.compose.services["portal-api"]?.labels == ["team": "portal"], "traefik.* labels leave the containers")
        #expect(project.compose.services["portal-web"]?.labels == [:])

        let written = try Repo.load([
            "projects/portal/compose.yml": "services:\n  portal-api:\n    image: berth-demo/app:1\n    labels: [team=portal]\n  portal-web:\n    image: berth-demo/app:1\n",
            "projects/portal/project.yml": """
                ingress:
                  - {service: portal-api, hosts: [kanban.example.test], path: /api, port: 8000}
                  - {service: portal-web, hosts: [kanban.example.test], port: 80}
                """,
        ])
        let rows = try #require(written.project("portal")).config.ingress.sorted { $0.service < $1.service }
        #expect(rows.map { [$0.service, $0.hosts.joined(), $0.path, String($0.port), String($0.tls)] }
                == routes.map { [$0.service, $0.hosts.joined(), $0.path, String($0.port), String($0.tls)] })
    }

    @Test(arguments: [
        ("Host(`a.test`)", ["a.test"], nil as String?),
        ("Host(`a.test`) || Host(`b.test`)", ["a.test", "b.test"], nil),
        ("Host(`a.test`, `b.test`)", ["a.test", "b.test"], nil),
        ("(Host(`a.test`) || Host(`b.test`)) && PathPrefix(`/api`)", ["a.test", "b.test"], "/api"),
        ("PathPrefix(`/x`) && Host(\"a.test\")", ["a.test"], "/x"),
    ])
    func rulesBerthCanRoute(_ rule: String, _ hosts: [String], _ path: String?) throws {
        let compose = "services:\n  web:\n    image: nginx\n    labels:\n      traefik.http.routers.r.rule: '\(rule)'\n      traefik.http.services.r.loadbalancer.server.port: \"80\"\n"
        let route = try #require(try Repo.load(["projects/app/compose.yml": compose]).project("app")?.config.ingress.first)
        #expect(route.hosts == hosts)
        #expect(route.path == (path ?? "/"))
        #expect(route.tls == false, "entrypoint web / no resolver: plain http")
    }

    @Test(arguments: ["HostRegexp(`{sub:[a-z]+}.a.test`)", "Host(`a.test`) && Path(`/exact`)", "Host(`a.test`) || PathPrefix(`/x`)", "Headers(`X`, `y`)"])
    func rulesBerthCannotRouteAreErrors(_ rule: String) {
        let compose = "services:\n  web:\n    image: nginx\n    labels:\n      traefik.http.routers.r.rule: \"\(rule)\"\n      traefik.http.services.r.loadbalancer.server.port: \"80\"\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 5, 36, "is not one Berth can route")
    }

    @Test func thePortComesFromExposeWhenNoLabelNamesIt() throws {
        let compose = "services:\n  web:\n    image: nginx\n    expose: [\"3000\"]\n    labels: [\"traefik.http.routers.r.rule=Host(`a.test`)\"]\n"
        #expect(try Repo.load(["projects/app/compose.yml": compose]).project("app")?.config.ingress.first?.port == 3000)
        let none = "services:\n  web:\n    image: nginx\n    labels: [\"traefik.http.routers.r.rule=Host(`a.test`)\"]\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": none]), "projects/app/compose.yml", 4, 14, "has no backend port: add 'traefik.http.services.r.loadbalancer.server.port'")
    }

    @Test func disabledLabelsRouteNothing() throws {
        let compose = "services:\n  web:\n    image: nginx\n    labels: [traefik.enable=false, \"traefik.http.routers.r.rule=Host(`a.test`)\"]\n"
        let project = try #require(try Repo.load(["projects/app/compose.yml": compose]).project("app"))
        #expect(project.config.ingress.isEmpty)
        #expect(project.compose.services["web"]?.labels.isEmpty == true)
    }

    @Test func tcpRoutersNeedAnEntrypointOfThePlatform() throws {
        let platform = "domain: example.test\nentrypoints: {pg: {port: 5432, protocol: tcp}}\n"
        let compose = """
            services:
              db:
                image: postgres
                labels:
                  - traefik.tcp.routers.pg.rule=HostSNI(`*`)
                  - traefik.tcp.routers.pg.entrypoints=pg
                  - traefik.tcp.services.pg.loadbalancer.server.port=5432
            """
        let route = try #require(try Repo.load(["platform.yml": platform, "projects/app/compose.yml": compose]).project("app")?.config.ingress.first)
        #expect(route.proto == .tcp && route.entrypoint == "pg" && route.hosts.isEmpty && route.port == 5432)
    }

    @Test func labelMiddlewaresMustBeThePlatforms() throws {
        let compose = """
            services:
              web:
                image: nginx
                labels:
                  - traefik.http.routers.r.rule=Host(`a.test`)
                  - traefik.http.routers.r.middlewares=to-https,auth@file
                  - traefik.http.middlewares.to-https.redirectscheme.scheme=https
                  - traefik.http.middlewares.strip.stripprefix.prefixes=/x
                  - traefik.http.services.r.loadbalancer.server.port=80
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectContains(problems, "projects/app/compose.yml", 8, 9, "middleware 'strip' of service 'web' is defined in Traefik labels ('stripprefix')", "define it under 'middlewares' in platform.yml")
        expectContains(problems, "projects/app/compose.yml", 6, 9, "middleware 'auth' is not defined")
        #expect(problems.count == 2, "the redirect to https is Berth's own behaviour, not an error: \(problems)")
    }

    @Test func unknownLabelsAndPassthroughAreErrors() {
        let compose = """
            services:
              web:
                image: nginx
                labels:
                  - traefik.http.routers.r.rule=Host(`a.test`)
                  - traefik.http.services.r.loadbalancer.sticky.cookie=true
                  - traefik.http.services.r.loadbalancer.server.port=80
                  - traefik.foo=bar
            """
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectContains(problems, "projects/app/compose.yml", 6, 9, "'loadbalancer.sticky.cookie'")
        expectContains(problems, "projects/app/compose.yml", 8, 9, "label 'traefik.foo' of service 'web' is not a Traefik router")
    }

    /// An http router that only redirects and an https router for the same host are one route with TLS.
    @Test func anHttpAndHttpsRouterPairIsOneTLSRoute() throws {
        let compose = """
            services:
              synapse:
                image: matrixdotorg/synapse
                labels:
                  - traefik.http.routers.http-synapse.entryPoints=http
                  - traefik.http.routers.http-synapse.rule=Host(`m.a.test`)
                  - traefik.http.middlewares.https_redirect.redirectscheme.scheme=https
                  - traefik.http.routers.http-synapse.middlewares=https_redirect
                  - traefik.http.routers.https-synapse.entryPoints=https
                  - traefik.http.routers.https-synapse.rule=Host(`m.a.test`)
                  - traefik.http.routers.https-synapse.service=synapse
                  - traefik.http.routers.https-synapse.tls=true
                  - traefik.http.services.synapse.loadbalancer.server.port=8008
            """
        let routes = try #require(try Repo.load(["projects/app/compose.yml": compose]).project("app")).config.ingress
        #expect(routes.count == 1 && routes.first?.tls == true && routes.first?.port == 8008 && routes.first?.middlewares == [])
    }

    /// A service that publishes the proxy's own port is routed through the proxy instead, with a warning.
    @Test func theProxysPortIsRoutedThroughTheProxy() throws {
        let compose = "services:\n  wiki:\n    image: requarks/wiki\n    ports: [\"80:3000\", \"443:3443\", \"127.0.0.1:9000:9000\"]\n"
        let repository = try Repo.load(["projects/wiki/compose.yml": compose])
        let project = try #require(repository.project("wiki"))
        #expect(project.config.ingress.map(\.hosts) == [["wiki.example.test"]] && project.config.ingress.first?.port == 3000)
        #expect(project.compose.services["wiki"]?.ports?.map(\.description) == ["127.0.0.1:9000:9000/tcp"])
        #expect(repository.warnings.contains { $0.message.contains("routed through the proxy instead, as https://wiki.example.test → port 3000") }, "\(repository.warnings)")
        let alone = Repo.problems(["projects/wiki/compose.yml": "services:\n  wiki:\n    image: requarks/wiki\n    ports: [\"443:3443\"]\n"])
        expectSingle(alone, "projects/wiki/compose.yml", 4, 5, "is already taken by the proxy's proxy.https_port")
    }

    @Test func aRouteInLabelsAndInProjectYmlIsAConflict() {
        let compose = "services:\n  web:\n    image: nginx\n    labels: [\"traefik.http.routers.r.rule=Host(`a.test`)\", traefik.http.services.r.loadbalancer.server.port=80]\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose,
                                      "projects/app/project.yml": "ingress:\n  - {service: web, hosts: [a.test], port: 80}\n"])
        expectSingle(problems, "projects/app/compose.yml", 4, 14, "which project.yml's ingress route at projects/app/project.yml:2:5 also routes")
    }
}
