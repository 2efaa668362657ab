import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// Behaviour of the compose export a user relies on: literal `$` survives, the network model is
/// miuOps', a consumer joins its provider's link network, and routes become Traefik labels.
@Suite struct ComposeExportTests {
    /// `db` provides `postgres` over tcp+TLS; `shop` has a path route, a plain-http route, a udp
    /// route, internet egress and an edge to `db/postgres`.
    static let projects: [String: String] = [
        "projects/db/compose.yml": """
            services:
              postgres:
                image: postgres:16
                environment:
                  PASSWORD_HASH: "$$2y$$05$$abcdefghijklmnopqrstuv"
                labels:
                  org.example.auth: "admin:$$apr1$$salt$$hash"
                volumes:
                  - data:/var/lib/postgresql/data
            volumes:
              data: {}
            """,
        "projects/db/project.yml": """
            ingress:
              - service: postgres
                protocol: tcp
                entrypoint: pg
                port: 5432
                tls: true
                hosts: [pg.example.test, pg2.example.test]
            """,
        "projects/shop/compose.yml": """
            services:
              web:
                image: shop:1
              worker:
                image: shop:1
              resolver:
                image: dns:1
            """,
        "projects/shop/project.yml": """
            ingress:
              - service: web
                hosts: [shop.example.test, www.shop.example.test]
                path: /api
                port: 8080
                middlewares: [lan]
                health:
                  path: /healthz
                  interval: 5s
                  timeout: 1s
                  status: 204
              - service: web
                hosts: [shop.example.test]
                port: 8081
                tls: false
                default_middlewares: false
              - service: resolver
                protocol: udp
                entrypoint: dns
                port: 53
            egress:
              internet: [worker]
              services:
                - from: worker
                  to: db/postgres
            """,
    ]

    struct Export {
        var state: DesiredState
        var files: [RenderedFile]
        var db: [String: Any]
        var shop: [String: Any]
    }

    static func export() throws -> Export {
        let repo = ComposeExportChecks.repository(projects)
        defer { Fixtures.cleanup(repo) }
        let state = try ComposeExportChecks.state(repo)
        let files = ComposeExporter.render(state)
        return Export(
            state: state, files: files,
            db: try ComposeExportChecks.parse(try ComposeExportChecks.export(files, project: "db").contents),
            shop: try ComposeExportChecks.parse(try ComposeExportChecks.export(files, project: "shop").contents))
    }

    @Test func literalDollarSignsAreEscapedForCompose() throws {
        let e = try Self.export()
        let env = ComposeExportChecks.section(e.db, "services", "postgres", "environment")
        #expect(env["PASSWORD_HASH"] as? String == "$$2y$$05$$abcdefghijklmnopqrstuv")
        #expect(ComposeExportChecks.labels(e.db, service: "postgres")["org.example.auth"] == "admin:$$apr1$$salt$$hash")
        // docker-compose reads `$$` as one literal `$`: no interpolation error, and its own output
        // (which escapes again) shows each `$` escaped exactly once.
        let root = try ComposeExportChecks.write(e.files)
        defer { Fixtures.cleanup(root) }
        let result = try ComposeExportChecks.dockerCompose(root.appendingPathComponent("compose/db/docker-compose.yml"), quiet: false)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("$$2y$$05$$abcdefghijklmnopqrstuv"))
        #expect(!result.output.contains("$$$$"))
    }

    @Test func networksFollowTheThreeTierModel() throws {
        let e = try Self.export()
        let networks = ComposeExportChecks.section(e.shop, "networks")
        #expect(networks.keys.sorted() == ["db_link_shop", "egress", "ingress", "internal"])
        let specs = Dictionary(uniqueKeysWithValues: e.state.networks.map { ($0.name, $0) })
        for (key, isInternal) in [("ingress", true), ("internal", true), ("egress", false)] {
            let body = ComposeExportChecks.section(e.shop, "networks", key)
            #expect(body["name"] as? String == "shop_\(key)")
            #expect((body["internal"] as? Bool ?? false) == isInternal, "network \(key)")
            let ipam = (body["ipam"] as? [String: Any])?["config"] as? [[String: Any]]
            #expect(ipam?.first?["subnet"] as? String == specs["shop_\(key)"]?.subnet)
            #expect(ipam?.first?["gateway"] as? String == specs["shop_\(key)"]?.gateway)
        }
        let worker = ComposeExportChecks.section(e.shop, "services", "worker", "networks")
        #expect(worker.keys.sorted() == ["db_link_shop", "egress", "internal"])
        #expect(ComposeExportChecks.section(e.shop, "services", "worker", "networks", "internal")["aliases"] as? [String] == ["worker"])
        let web = ComposeExportChecks.section(e.shop, "services", "web", "networks")
        #expect(web.keys.sorted() == ["ingress", "internal"])
        // A project without internet egress has no egress network at all.
        #expect(ComposeExportChecks.section(e.db, "networks")["egress"] == nil)
    }

    @Test func providerOwnsTheLinkNetworkAndConsumerJoinsItAsExternal() throws {
        let e = try Self.export()
        #expect(e.files.map(\.path) == ["compose/db/docker-compose.yml", "compose/shop/docker-compose.yml"])
        let provided = ComposeExportChecks.section(e.db, "networks", "link_shop")
        #expect(provided["name"] as? String == "db_link_shop")
        #expect(provided["internal"] as? Bool == true)
        #expect(provided["external"] == nil)
        let aliases = ComposeExportChecks.section(e.db, "services", "postgres", "networks", "link_shop")["aliases"] as? [String]
        #expect(aliases == ["postgres.db"])

        let consumed = ComposeExportChecks.section(e.shop, "networks", "db_link_shop")
        #expect(consumed["external"] as? Bool == true)
        #expect(consumed["name"] as? String == "db_link_shop")
        #expect(consumed.keys.sorted() == ["external", "name"])
        let shop = try ComposeExportChecks.export(e.files, project: "shop").contents
        #expect(shop.contains("# Network db_link_shop belongs to project 'db': bring 'db' up first."))

        let root = try ComposeExportChecks.write(e.files)
        defer { Fixtures.cleanup(root) }
        for file in e.files {
            let result = try ComposeExportChecks.dockerCompose(root.appendingPathComponent(file.path))
            #expect(result.status == 0, "\(file.path): \(result.output)")
        }
        let schema = try ComposeExportChecks.validateAgainstSchema(e.files.map { root.appendingPathComponent($0.path) })
        #expect(schema.status == 0, "\(schema.output)")
    }

    @Test func httpRoutesBecomeRouterAndServiceLabels() throws {
        let e = try Self.export()
        let labels = ComposeExportChecks.labels(e.shop, service: "web")
        #expect(labels["traefik.enable"] == "true")
        #expect(labels["traefik.docker.network"] == "shop_ingress")
        let api = "traefik.http.routers.shop-web-1"
        #expect(labels["\(api).rule"] == "(Host(`shop.example.test`) || Host(`www.shop.example.test`)) && PathPrefix(`/api`)")
        #expect(labels["\(api).priority"] == "5")
        #expect(labels["\(api).entrypoints"] == "websecure")
        #expect(labels["\(api).tls"] == "true")
        #expect(labels["\(api).tls.certresolver"] == "letsencrypt")
        #expect(labels["\(api).middlewares"] == "gzip@file,lan@file")
        #expect(labels["\(api).service"] == "shop-web-1")
        #expect(labels["traefik.http.services.shop-web-1.loadbalancer.server.port"] == "8080")
        #expect(labels["traefik.http.services.shop-web-1.loadbalancer.healthcheck.path"] == "/healthz")
        #expect(labels["traefik.http.services.shop-web-1.loadbalancer.healthcheck.interval"] == "5s")
        #expect(labels["traefik.http.services.shop-web-1.loadbalancer.healthcheck.timeout"] == "1s")
        #expect(labels["traefik.http.services.shop-web-1.loadbalancer.healthcheck.status"] == "204")

        let plain = "traefik.http.routers.shop-web-2"
        #expect(labels["\(plain).rule"] == "Host(`shop.example.test`)")
        #expect(labels["\(plain).priority"] == "2")
        #expect(labels["\(plain).entrypoints"] == "web")
        #expect(labels["\(plain).tls"] == nil)
        #expect(labels["\(plain).tls.certresolver"] == nil)
        #expect(labels["\(plain).middlewares"] == nil)
        #expect(labels["traefik.http.services.shop-web-2.loadbalancer.server.port"] == "8081")
        #expect(labels["traefik.http.services.shop-web-2.loadbalancer.healthcheck.path"] == nil)
        // Services without routes get no Traefik labels.
        #expect(ComposeExportChecks.labels(e.shop, service: "worker").isEmpty)
    }

    /// CrowdSec bans happen in the host firewall: the exported labels carry only the route's own chain.
    @Test func crowdsecAddsNoMiddlewareToTheExportedLabels() throws {
        let repo = ComposeExportChecks.repository(Self.projects, platform: "crowdsec:\n  enabled: true\n")
        defer { Fixtures.cleanup(repo) }
        let files = ComposeExporter.render(try ComposeExportChecks.state(repo))
        let shop = try ComposeExportChecks.parse(try ComposeExportChecks.export(files, project: "shop").contents)
        let labels = ComposeExportChecks.labels(shop, service: "web")
        #expect(labels["traefik.http.routers.shop-web-1.middlewares"] == "gzip@file,lan@file")
        #expect(labels["traefik.http.routers.shop-web-2.middlewares"] == nil)
    }

    @Test func homelabPathRouteLabels() throws {
        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        let doc = try ComposeExportChecks.parse(try ComposeExportChecks.export(files, project: "api").contents)
        let labels = ComposeExportChecks.labels(doc, service: "api")
        #expect(labels["traefik.http.routers.api-api-1.rule"] == "Host(`api.homelab.localhost`) || Host(`api.homelab-alt.localhost`)")
        #expect(labels["traefik.http.routers.api-api-2.rule"] == "Host(`api.homelab.localhost`) && PathPrefix(`/admin`)")
        #expect(labels["traefik.http.routers.api-api-2.middlewares"] == "secure-headers@file,gzip@file,admin-auth@file,lan-only@file")
        // The /admin router must outrank the catch-all one, or /admin would skip admin-auth.
        let catchAll = try #require(labels["traefik.http.routers.api-api-1.priority"].flatMap { Int($0) })
        let admin = try #require(labels["traefik.http.routers.api-api-2.priority"].flatMap { Int($0) })
        #expect(admin > catchAll)
        #expect(labels["org.example.team"] == "platform")
    }

    @Test func tcpAndUdpRoutesBecomeTcpAndUdpLabels() throws {
        let e = try Self.export()
        let pg = ComposeExportChecks.labels(e.db, service: "postgres")
        #expect(pg["traefik.tcp.routers.db-postgres-1.rule"] == "HostSNI(`pg.example.test`) || HostSNI(`pg2.example.test`)")
        #expect(pg["traefik.tcp.routers.db-postgres-1.entrypoints"] == "pg")
        #expect(pg["traefik.tcp.routers.db-postgres-1.tls"] == "true")
        #expect(pg["traefik.tcp.routers.db-postgres-1.tls.certresolver"] == "letsencrypt")
        #expect(pg["traefik.tcp.routers.db-postgres-1.service"] == "db-postgres-1")
        #expect(pg["traefik.tcp.services.db-postgres-1.loadbalancer.server.port"] == "5432")
        #expect(!pg.keys.contains { $0.hasPrefix("traefik.http.") })

        let dns = ComposeExportChecks.labels(e.shop, service: "resolver")
        #expect(dns["traefik.udp.routers.shop-resolver-1.entrypoints"] == "dns")
        #expect(dns["traefik.udp.routers.shop-resolver-1.service"] == "shop-resolver-1")
        #expect(dns["traefik.udp.services.shop-resolver-1.loadbalancer.server.port"] == "53")
        #expect(!dns.keys.contains { $0.hasSuffix(".rule") })

        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        let echo = ComposeExportChecks.labels(
            try ComposeExportChecks.parse(try ComposeExportChecks.export(files, project: "echo").contents), service: "echo")
        #expect(echo["traefik.tcp.routers.echo-echo-1.rule"] == "HostSNI(`*`)")
        #expect(echo["traefik.tcp.routers.echo-echo-1.entrypoints"] == "echo")
        #expect(echo["traefik.tcp.routers.echo-echo-1.tls"] == nil)
        #expect(echo["traefik.tcp.services.echo-echo-1.loadbalancer.server.port"] == "7000")
    }

    @Test func berthAndComposeOwnLabelsStayOut() throws {
        let files = ComposeExporter.render(try ComposeExportChecks.state(Fixtures.homelab))
        for file in files {
            #expect(!file.contents.contains("berth."), "\(file.path)")
            #expect(!file.contents.contains("com.docker.compose."), "\(file.path)")
            #expect(file.contents.hasPrefix("# Generated by `berth render`"), "\(file.path)")
            #expect(file.contents.contains("edits will be overwritten"), "\(file.path)")
        }
    }
}

/// Compose secrets and configs in the export: where each comes from, never a secret's value.
@Suite struct ComposeExportFilesTests {
    @Test func secretsAndConfigsAreExportedWithoutValues() throws {
        let dir = ComposeExportChecks.repository([
            "projects/app/compose.yml": """
                secrets:
                  token: {environment: TOKEN}
                  cert: {file: ./cert.pem}
                configs:
                  conf: {content: "a=1"}
                services:
                  web:
                    image: busybox:1
                    secrets: [token, {source: cert, target: tls.pem, mode: 0440}]
                    configs: [conf]
                """,
            "projects/app/cert.pem": "CERT",
            "projects/app/.env": "TOKEN=export-s3cret\n",
        ])
        defer { Fixtures.cleanup(dir) }
        let file = try ComposeExportChecks.export(ComposeExporter.render(try ComposeExportChecks.state(dir)), project: "app")
        #expect(!file.contents.contains("export-s3cret"), "\(file.contents)")
        let doc = try ComposeExportChecks.parse(file.contents)
        let secrets = ComposeExportChecks.section(doc, "secrets")
        #expect((secrets["token"] as? [String: Any])?["environment"] as? String == "TOKEN")
        #expect(((secrets["cert"] as? [String: Any])?["file"] as? String)?.hasSuffix("/projects/app/cert.pem") == true)
        #expect((ComposeExportChecks.section(doc, "configs")["conf"] as? [String: Any])?["content"] as? String == "a=1")
        let web = ComposeExportChecks.section(doc, "services", "web")
        let mounts = try #require(web["secrets"] as? [[String: Any]])
        #expect(mounts.map { $0["target"] as? String } == ["/run/secrets/token", "/run/secrets/tls.pem"])
        #expect(mounts[1]["mode"] as? Int == 0o440)
        let root = try ComposeExportChecks.write([file])
        defer { Fixtures.cleanup(root) }
        let schema = try ComposeExportChecks.validateAgainstSchema([root.appendingPathComponent(file.path)])
        #expect(schema.status == 0, "\(schema.output)")
    }
}
