import BerthConfig
import BerthPlan

/// One zone Berth owns, as data: what `DNSRenderer` writes as an RFC 1035 master file and what
/// `berth dns check` expects resolvers to answer.
public struct DNSZone: Sendable, Hashable {
    /// Lower case, no trailing dot.
    public var origin: String
    public var ttl: Int
    public var nameservers: [String]
    /// SOA RNAME (`hostmaster.example.com`, the mail address with its `@` as a dot).
    public var admin: String
    /// NS glue, routed hosts (A/AAAA) and the extra records, in that order.
    public var records: [Record]

    public struct Record: Sendable, Hashable {
        /// Absolute, lower case, no trailing dot (`*.example.com` for a wildcard).
        public var name: String
        /// `A`, `AAAA`, `NS`, `CNAME`, `TXT`, `MX`, `SRV`, `CAA`.
        public var type: String
        public var ttl: Int?
        /// The record's data in master-file form (names absolute, with the trailing dot).
        public var data: String
        /// Why it is there (`project blog`, `platform.yml:40`), rendered as a comment.
        public var comment: String

        public init(name: String, type: String, ttl: Int? = nil, data: String, comment: String) {
            self.name = name
            self.type = type
            self.ttl = ttl
            self.data = data
            self.comment = comment
        }
    }

    /// Every routed host of the zone with the project that routes it (wildcards as `*.name`).
    public var hosts: [(name: String, project: String)] {
        var list: [(name: String, project: String)] = []
        for record in records where (record.type == "A" || record.type == "AAAA") && record.comment.hasPrefix("project ") {
            if !list.contains(where: { $0.name == record.name }) {
                list.append((record.name, String(record.comment.dropFirst("project ".count))))
            }
        }
        return list
    }
}

extension DNSZone {
    /// The zones of `dns` with the routed hosts of every project in the state (nil without `dns`).
    public static func zones(_ state: DesiredState) -> [DNSZone] {
        guard let dns = state.platform.dns else { return [] }
        return dns.zones.map { zone(origin: $0, dns: dns, routes: state.routes) }
    }

    /// Hosts routed by the state that no owned zone serves (`berth render` warns about them).
    public static func notServed(_ state: DesiredState) -> [(host: String, project: String)] {
        guard let dns = state.platform.dns else { return [] }
        var seen = Set<String>()
        return state.routes.flatMap { route in route.hosts.map { ($0.lowercased(), route.project) } }
            .filter { dns.zone(of: $0.0) == nil && seen.insert($0.0).inserted }
            .map { (host: $0.0, project: $0.1) }
    }

    static func zone(origin: String, dns: DNSConfig, routes: [ProxyRoute]) -> DNSZone {
        let nameservers = dns.nameservers.isEmpty ? ["ns.\(origin)"] : dns.nameservers
        let admin = dns.admin.map { mail -> String in
            let parts = mail.split(separator: "@", maxSplits: 1)
            return parts[0].replacingOccurrences(of: ".", with: "\\.") + "." + parts[1].lowercased()
        } ?? "hostmaster.\(origin)"
        var zone = DNSZone(origin: origin, ttl: dns.ttl, nameservers: nameservers, admin: admin, records: [])
        let addressRecords = { (name: String, comment: String) -> [Record] in
            dns.addresses.map { Record(name: name, type: $0.contains(":") ? "AAAA" : "A", data: $0, comment: comment) }
        }
        let inZone = { (name: String) in dns.zone(of: name) == origin }
        for ns in nameservers {
            zone.records.append(Record(name: origin, type: "NS", data: ns + ".", comment: "name server"))
        }
        // A name server inside the zone needs an address (glue): its own record, or the platform's addresses.
        for ns in nameservers where inZone(ns) && !dns.records.contains(where: { $0.name == ns && ($0.type == .A || $0.type == .AAAA) }) {
            zone.records += addressRecords(ns, "name server")
        }
        var hosts: [String: String] = [:]
        for route in routes {
            for host in route.hosts.map({ $0.lowercased() }) where inZone(host) && hosts[host] == nil {
                hosts[host] = route.project
            }
        }
        for host in hosts.keys.sorted(by: Self.canonicalOrder) where !nameservers.contains(host) {
            zone.records += addressRecords(host, "project \(hosts[host]!)")
        }
        for record in dns.records where inZone(record.name) {
            zone.records.append(Record(name: record.name, type: record.type.rawValue, ttl: record.ttl, data: Self.data(record.data),
                                       comment: "\(record.location.file):\(record.location.line)"))
        }
        return zone
    }

    /// Names by their labels from the right (`example.com` before `a.example.com` before `b.example.com`).
    static func canonicalOrder(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").reversed().map(String.init), y = b.split(separator: ".").reversed().map(String.init)
        return x.lexicographicallyPrecedes(y)
    }

    /// Master-file form of the data (RFC 1035 5.1): absolute names end in a dot, text is quoted.
    static func data(_ data: DNSRecordData) -> String {
        switch data {
        case .a(let address), .aaaa(let address): address
        case .cname(let target): target + "."
        case .txt(let text): quotedChunks(text)
        case .mx(let preference, let exchange): "\(preference) \(exchange)."
        case .srv(let priority, let weight, let port, let target): "\(priority) \(weight) \(port) \(target == "." ? "." : target + ".")"
        case .caa(let flags, let tag, let value): "\(flags) \(tag) \(quoted(value))"
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// TXT data: character-strings of at most 255 bytes each (RFC 1035 3.3.14).
    static func quotedChunks(_ text: String) -> String {
        var chunks: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(255)))
            rest = rest.dropFirst(255)
        }
        return chunks.map(quoted).joined(separator: " ")
    }
}
