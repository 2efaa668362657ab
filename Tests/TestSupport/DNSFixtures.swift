import Foundation

/// A repository with `dns`: two zones, a wildcard route, a host outside every zone, and one extra
/// record of every type (for the loader, the renderer, named-checkzone and a real knotd).
public enum DNSFixtures {
    public static func platform(server: String = "", zones: String = "[example.test, other.test]") -> String {
        """
        domain: example.test
        dns:
          zones: \(zones)
          addresses: [203.0.113.10, "2001:db8::10"]
          ttl: 120
          admin: ops.team@example.test
          forwarders: [9.9.9.9, "127.0.0.1:5300"]
          records:
            - {name: mail.example.test, type: A, value: 203.0.113.25}
            - {name: mail.example.test, type: AAAA, value: "2001:db8::25"}
            - {name: www2.example.test, type: CNAME, value: site.example.test}
            - {name: example.test, type: MX, value: "10 mail.example.test"}
            - {name: example.test, type: TXT, value: "v=spf1 mx -all"}
            - {name: _sip._tcp.example.test, type: SRV, value: "10 5 5060 mail.example.test", ttl: 600}
            - {name: example.test, type: CAA, value: '0 issue "letsencrypt.org"'}
            - {name: other.test, type: TXT, value: 'say "hi" \\ there'}
        \(server)
        """
    }

    public static let compose = "services:\n  web:\n    image: example/web:1\n"

    public static func project(_ hosts: [String]) -> String {
        "ingress:\n  - service: web\n    port: 80\n    hosts: [\(hosts.joined(separator: ", "))]\n"
    }

    /// `platform.yml` plus projects `site` (site + apex), `apps` (a wildcard), `shop` (other.test) and
    /// `ext` (a host outside both zones).
    public static func files(server: String = "") -> [String: String] {
        [
            "platform.yml": platform(server: server),
            "projects/site/compose.yml": compose, "projects/site/project.yml": project(["site.example.test", "example.test"]),
            "projects/apps/compose.yml": compose, "projects/apps/project.yml": project(["\"*.apps.example.test\""]),
            "projects/shop/compose.yml": compose, "projects/shop/project.yml": project(["shop.other.test"]),
            "projects/ext/compose.yml": compose, "projects/ext/project.yml": project(["blog.elsewhere.test"]),
        ]
    }
}
