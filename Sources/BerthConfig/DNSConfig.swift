/// `dns:` in platform.yml: the zones Berth owns and renders (`OUT/dns/<zone>.zone`, `OUT/dns/Corefile`),
/// what their hosts resolve to, extra records, and the DNS server Berth may run beside the proxy.
/// Each key is documented in docs/config.md ("dns").
public struct DNSConfig: Sendable, Hashable {
    /// The zones Berth is authoritative for (lower case, no trailing dot); default: the platform's `domain`.
    public var zones: [String]
    /// What every routed host resolves to: IPv4 addresses become A records, IPv6 addresses AAAA records.
    public var addresses: [String]
    /// Default TTL of every record (`$TTL`), in seconds.
    public var ttl: Int = 300
    /// The zones' name servers (NS). Default: `ns.<zone>`, which resolves to `addresses`. A name server
    /// inside a zone without an A/AAAA record of its own resolves to `addresses` too.
    public var nameservers: [String] = []
    /// SOA RNAME as a mail address (`hostmaster@example.com`); default `hostmaster@<zone>`.
    public var admin: String?
    public var records: [DNSRecord] = []
    /// Upstream resolvers (`IP` or `IP:PORT`) for every name outside the zones (CoreDNS `forward`).
    public var forwarders: [String] = []
    public var server = DNSServerConfig()
    public var location: Location

    public init(zones: [String], addresses: [String], location: Location) {
        self.zones = zones
        self.addresses = addresses
        self.location = location
    }

    /// The owned zone that `name` is in (the longest suffix match), or nil.
    public func zone(of name: String) -> String? {
        let name = name.lowercased()
        return zones.filter { name == $0 || name.hasSuffix("." + $0) }.max { $0.count < $1.count }
    }
}

public enum DNSRecordType: String, Sendable, Hashable, CaseIterable, Codable {
    case A, AAAA, CNAME, TXT, MX, SRV, CAA
}

/// One extra record (`dns.records` item): its owner name (absolute, lower case, no trailing dot; may
/// start with `*.` or carry `_` labels), its data, and an optional TTL.
public struct DNSRecord: Sendable, Hashable {
    public var name: String
    public var data: DNSRecordData
    public var ttl: Int?
    public var location: Location

    public init(name: String, data: DNSRecordData, ttl: Int? = nil, location: Location = Location(file: "platform.yml")) {
        self.name = name
        self.data = data
        self.ttl = ttl
        self.location = location
    }

    public var type: DNSRecordType { data.type }
}

/// The record's data, parsed and checked (host names absolute, without the trailing dot).
public enum DNSRecordData: Sendable, Hashable {
    case a(String)
    case aaaa(String)
    case cname(String)
    case txt(String)
    case mx(preference: Int, exchange: String)
    case srv(priority: Int, weight: Int, port: Int, target: String)
    case caa(flags: Int, tag: String, value: String)

    public var type: DNSRecordType {
        switch self {
        case .a: .A
        case .aaaa: .AAAA
        case .cname: .CNAME
        case .txt: .TXT
        case .mx: .MX
        case .srv: .SRV
        case .caa: .CAA
        }
    }
}

/// Which DNS server `berth apply` runs beside the proxy (`dns.server`).
public enum DNSServerKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Render only: `berth render` writes the files, nothing runs.
    case none
    /// CoreDNS with the rendered Corefile and zone files (image `coredns/coredns`).
    case coredns
    /// Knot DNS (`knotd`) with a knot.conf Berth renders (authoritative only: no forwarding).
    case knot
}

public struct DNSServerConfig: Sendable, Hashable {
    public var kind: DNSServerKind = .none
    /// The container image; defaults per kind (`coredns/coredns:1.11.3`, `berth/knot:3.2`).
    public var image: String?
    /// Host address the server's port 53 (udp and tcp) is published on.
    public var address: String = "0.0.0.0"
    public var port: Int = 53

    public init() {}

    public var resolvedImage: String {
        image ?? (kind == .knot ? "berth/knot:3.2" : "coredns/coredns:1.11.3")
    }
}
