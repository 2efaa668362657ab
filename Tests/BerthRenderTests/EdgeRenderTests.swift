import BerthConfig
import BerthPlan
@testable import BerthRender
import Foundation
import Testing

/// Rendering of the edge defenses: `max_request_body` on both proxies, and what `crowdsec` writes.
@Suite struct EdgeRenderTests {
    static func state(proxy: String = "traefik", network: String = "host", crowdsec: Bool = false) throws -> DesiredState {
        let platform = """
            domain: example.test
            proxy: {kind: \(proxy), network: \(network)}
            middlewares:
              body: {max_request_body: 1MB}
            \(crowdsec ? "crowdsec: {enabled: true, lapi_url: \"http://127.0.0.1:18100\"}" : "")

            """
        let project = "ingress:\n  - service: app\n    hosts: [web.example.test]\n    port: 80\n    tls: false\n    middlewares: [body]\n"
        return try RenderFixture.state(platform: platform, projects: ["web": (RenderFixture.compose("app"), project)])
    }

    @Test func maxRequestBodyIsTraefikBufferingAndCaddyRequestBody() throws {
        let traefik = try #require(TraefikRenderer.middlewaresDocument(try Self.state().platform))
        #expect(traefik["http", "middlewares", "body"] == .object([("buffering", .object([("maxRequestBodyBytes", .int(1 << 20))]))]))
        let caddy = CaddyRenderer.handler(.maxRequestBody(bytes: 4096))
        #expect(caddy == .object([("handler", .string("request_body")), ("max_size", .int(4096))]))
    }

    @Test func traefikWithMaxRequestBodyValidatesAgainstTheSchema() throws {
        let state = try Self.state(crowdsec: true)
        let staticErrors = try SchemaCheck.errors(TraefikRenderer.staticConfig(state).contents, schema: SchemaCheck.traefikStatic)
        #expect(staticErrors.isEmpty, "\(staticErrors)")
        for file in TraefikRenderer.dynamicConfigs(state) {
            let errors = try SchemaCheck.errors(file.contents, schema: SchemaCheck.traefikDynamic)
            #expect(errors.isEmpty, "\(file.path): \(errors)")
        }
    }

    @Test func caddyWritesItsJSONAccessLogToTheFileOnlyWithCrowdSec() throws {
        let on = CaddyRenderer.document(try Self.state(proxy: "caddy", crowdsec: true), adminListen: "localhost:2019")
        #expect(on["logging", "logs", "berth_access", "writer"] == .object([
            ("output", .string("file")), ("filename", .string("/var/log/berth/access.log")),
        ]))
        #expect(on["logging", "logs", "berth_access", "encoder"] == .object([("format", .string("json"))]))
        #expect(on["apps", "http", "servers", "berth_http", "logs"] == .object([]))
        let off = CaddyRenderer.document(try Self.state(proxy: "caddy"), adminListen: "localhost:2019")
        #expect(off["logging"] == nil)
    }

    @Test func crowdsecFilesAcquireTheLogAndBlockOnTheProxysChains() throws {
        let platform = try Self.state(crowdsec: true).platform
        let files = CrowdSecRenderer.files(platform, accessLog: "/var/lib/berth/x/proxy/logs/access.log")
        #expect(files.map(\.path) == ["acquis.yaml", "parsers/s00-raw/berth-proxy-logs.yaml", "firewall-bouncer.yaml"])
        let acquis = CrowdSecRenderer.acquisition(platform, accessLog: "/var/lib/berth/x/proxy/logs/access.log")
        #expect(acquis["filenames"] == .strings(["/var/lib/berth/x/proxy/logs/access.log"]))
        #expect(acquis["labels", "type"] == .string("traefik"))
        #expect(CrowdSecRenderer.rawParser["filter"] == .string("evt.Line.Labels.type != 'syslog'"))
        let bouncer = CrowdSecRenderer.bouncer(platform)
        #expect(bouncer["mode"] == .string("iptables"))
        #expect(bouncer["api_url"] == .string("http://127.0.0.1:18100/"))
        #expect(bouncer["iptables_chains"] == .strings(["INPUT"]))
        #expect(bouncer["blacklists_ipv4"] == .string("berth-example-test"))
        #expect(bouncer["disable_ipv6"] == .bool(true))
        // The key is never in the rendered file: the bouncer merges firewall-bouncer.yaml.local.
        #expect(bouncer["api_key"] == nil)
        #expect(!files[2].contents.contains("api_key"))
        let bridge = try Self.state(proxy: "caddy", network: "bridge", crowdsec: true).platform
        #expect(CrowdSecRenderer.bouncer(bridge)["iptables_chains"] == .strings(["INPUT", "DOCKER-USER"]))
        #expect(CrowdSecRenderer.acquisition(bridge, accessLog: "/l")["labels", "type"] == .string("caddy"))
    }

    @Test func ipsetNamesStayWithinIpsetsLimit() throws {
        var platform = try Self.state().platform
        platform.name = String(repeating: "p", count: 60)
        #expect(CrowdSecRenderer.ipset(platform).count <= 31)
    }
}
