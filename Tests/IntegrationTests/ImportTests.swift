import Foundation
import Testing
import TestSupport

/// `berth import`: existing Compose projects and itsUP repositories become Berth projects that validate.
@Suite struct ImportTests {
    @Test func composeWithTraefikLabelsBecomesAProjectWithIngressRows() throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: example.test\n",
            "stack/.env": "DOMAIN=blog.example.test\n",
            "stack/config/app.ini": "[app]\n",
            "stack/docker-compose.yml": """
                services:
                  app:
                    image: ghost:5
                    environment:
                      url: https://${DOMAIN}
                    labels:
                      - "traefik.enable=true"
                      - "traefik.http.routers.ghost.rule=Host(`${DOMAIN}`) && PathPrefix(`/blog`)"
                      - "traefik.http.routers.ghost.entrypoints=websecure"
                      - "traefik.http.routers.ghost.tls.certresolver=le"
                      - "traefik.http.services.ghost.loadbalancer.server.port=2368"
                      - "traefik.http.services.ghost.loadbalancer.sticky=true"
                      - "com.example.team=blog"
                  db:
                    image: mysql:8
                    labels:
                      traefik.enable: "false"
                """,
        ])
        defer { Fixtures.cleanup(root) }
        let result = try BerthBinary.run(["import", "compose", root.appendingPathComponent("stack").path, "--project", "blog", "-c", root.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("1 route from the original's routing"))
        #expect(result.stdout.contains("docker-compose.yml:12: Traefik service label 'loadbalancer.sticky'"), "\(result.stdout)")
        let compose = try String(contentsOf: root.appendingPathComponent("projects/blog/compose.yml"), encoding: .utf8)
        #expect(!compose.contains("traefik.http.routers"), "\(compose)")
        #expect(compose.contains("# berth import: not carried over: - \"traefik.http.services.ghost.loadbalancer.sticky=true\""))
        #expect(compose.contains("com.example.team=blog") && compose.contains("url: https://${DOMAIN}"), "the rest stays as written")
        #expect(!compose.contains("traefik.enable: \"false\"") && !compose.contains("    labels:\n  db"))
        let project = try String(contentsOf: root.appendingPathComponent("projects/blog/project.yml"), encoding: .utf8)
        #expect(project.contains("hosts: [blog.example.test]") && project.contains("path: /blog") && project.contains("port: 2368"), "\(project)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/blog/config/app.ini").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/blog/.env").path))
        let validate = try BerthBinary.run(["validate", "-c", root.path])
        #expect(validate.status == 0, "\(validate)")

        let again = try BerthBinary.run(["import", "compose", root.appendingPathComponent("stack").path, "--project", "blog", "-c", root.path])
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again)")
    }

    @Test func itsupRepositoryBecomesABerthRepository() throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: unused.test\n",
            "itsup/projects/itsup.yml": "schemaVersion: \"2.1.0\"\ntraefikDomain: traefik.example.test\ncrowdsec:\n  enabled: true\n",
            "itsup/projects/traefik.yml": "http: {}\n",
            "itsup/projects/web/docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n  api:\n    image: node:20\n",
            "itsup/projects/web/itsup-project.yml": """
                enabled: true
                ingress:
                  - service: web
                    domain: www.example.test
                    port: 80
                  - service: api
                    domain: api.example.test
                    path_prefix: /v1
                    port: 3000
                    allow_source_ips: [10.0.0.0/8]
                egress:
                  - mqtt:broker
                """,
            "itsup/projects/mqtt/docker-compose.yml": "services:\n  broker:\n    image: eclipse-mosquitto:2\n",
            "itsup/projects/mqtt/ingress.yml": "ingress:\n  - service: broker\n    router: tcp\n    hostport: 1883\n    port: 1883\n    passthrough: true\n",
            "itsup/projects/nas/itsup-project.yml": "host: 192.168.1.10\ningress:\n  - domain: nas.example.test\n    port: 5000\n",
        ])
        defer { Fixtures.cleanup(root) }
        let out = root.appendingPathComponent("berth")
        let result = try BerthBinary.run(["import", "itsup", root.appendingPathComponent("itsup").path, "-c", out.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("3 routes"), "\(result.stdout)")
        #expect(result.stdout.contains("projects/nas: no docker-compose.yml"))
        #expect(result.stdout.contains("projects/traefik.yml: Traefik overrides are not carried over"))
        #expect(!result.stdout.contains("'passthrough'"), "a tcp route on its own port passes TLS through")
        let platform = try String(contentsOf: out.appendingPathComponent("platform.yml"), encoding: .utf8)
        #expect(platform.contains("domain: example.test") && platform.contains("mqtt-1883: {port: 1883, protocol: tcp}"), "\(platform)")
        #expect(platform.contains("crowdsec:\n  enabled: true") && platform.contains("source_range: [10.0.0.0/8]"))
        let web = try String(contentsOf: out.appendingPathComponent("projects/web/project.yml"), encoding: .utf8)
        #expect(web.contains("path: /v1") && web.contains("middlewares: [web-api-allow]") && web.contains("to: mqtt/broker"), "\(web)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("projects/web/itsup-project.yml").path))
        let validate = try BerthBinary.run(["validate", "-c", out.path])
        #expect(validate.status == 0, "\(validate)")
    }
}
