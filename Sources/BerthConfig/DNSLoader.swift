import Foundation

/// Reads `dns:` of platform.yml strictly. Checks that need the routes (a CNAME at a routed host,
/// hosts outside every zone) are in `RepositoryValidator+DNS`.
struct DNSLoader {
    let sink: DiagnosticSink
    static let keys = ["zones", "addresses", "ttl", "nameservers", "admin", "records", "forwarders", "server"]

    func load(_ f: Fields, domain: String) -> DNSConfig {
        var zones: [String] = []
        if let items = f.stringItems("zones", single: true) {
            if items.isEmpty { f.error("zones", "'zones' in 'dns' is empty; leave it out to own the platform domain '\(domain)'") }
            for (text, location) in items {
                let zone = Self.absolute(text)
                if !Names.isHostName(zone) {
                    sink.error(location, "'\(text)' in 'dns.zones' is not a DNS name such as example.com")
                } else if let other = zones.first(where: { zone == $0 || zone.hasSuffix("." + $0) || $0.hasSuffix("." + zone) }) {
                    sink.error(location, "zone '\(zone)' \(zone == other ? "is listed twice" : "overlaps zone '\(other)'") in 'dns.zones'; list each zone once, without zones nested in others")
                } else {
                    zones.append(zone)
                }
            }
        } else {
            zones = [domain.lowercased()]
        }
        var addresses: [String] = []
        if let items = f.stringItems("addresses", single: true) {
            for (text, location) in items {
                if let address = Self.address(text) { addresses.append(address) } else {
                    sink.error(location, "'\(text)' in 'dns.addresses' is not an IPv4 or IPv6 address (such as 203.0.113.10 or 2001:db8::10)")
                }
            }
            if items.isEmpty { f.error("addresses", "'addresses' in 'dns' is empty: routed hosts need an address to resolve to") }
        } else {
            sink.error(f.location, "'dns' needs 'addresses': the IPv4/IPv6 address(es) every routed host resolves to (the proxy's public address)")
        }
        var dns = DNSConfig(zones: zones, addresses: addresses, location: f.location)
        dns.ttl = f.int("ttl", in: 0...2_147_483_647) ?? dns.ttl
        for (text, location) in f.stringItems("nameservers", single: true) ?? [] {
            let name = Self.absolute(text)
            if Names.isHostName(name) { dns.nameservers.append(name) } else {
                sink.error(location, "'\(text)' in 'dns.nameservers' is not a host name such as ns1.example.com")
            }
        }
        if let admin = f.string("admin") {
            let parts = admin.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, !parts[0].contains(" "), Names.isHostName(String(parts[1])) { dns.admin = admin } else {
                f.error("admin", "'admin' in 'dns' must be a mail address such as hostmaster@example.com, found '\(admin)'")
            }
        }
        for (text, location) in f.stringItems("forwarders", single: true) ?? [] {
            if Self.forwarder(text) { dns.forwarders.append(text) } else {
                sink.error(location, "'\(text)' in 'dns.forwarders' is not a resolver address (IP or IP:PORT, such as 9.9.9.9 or 127.0.0.1:5353)")
            }
        }
        if let server = f.fields("server", known: ["kind", "image", "address", "port"]) {
            if let kind = server.string("kind") {
                if let k = DNSServerKind(rawValue: kind) { dns.server.kind = k } else {
                    server.error("kind", "'kind' in 'dns.server' must be none, coredns or knot, found '\(kind)'\(Suggestion.hint(for: kind, in: DNSServerKind.allCases.map(\.rawValue)))")
                }
            }
            dns.server.image = server.string("image")
            if let address = server.string("address") {
                if IPv4Network.parseAddress(address) == nil { server.error("address", "'address' in 'dns.server' must be an IPv4 address such as 127.0.0.1, found '\(address)'") }
                dns.server.address = address
            }
            dns.server.port = server.port("port") ?? dns.server.port
        }
        if let value = f["records"] {
            dns.records = records(value, dns: dns)
        }
        return dns
    }

    private func records(_ value: YAMLValue, dns: DNSConfig) -> [DNSRecord] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "'records' in 'dns' must be a list of {name, type, value}, found \(value.kindName)")
            return []
        }
        var result: [DNSRecord] = []
        for item in items {
            guard let f = Fields(item, what: "a record in 'dns.records'", known: ["name", "type", "value", "ttl"], sink: sink),
                  let nameText = f.requiredString("name"), let typeText = f.requiredString("type"), let valueText = f.requiredString("value")
            else { continue }
            let name = Self.absolute(nameText)
            guard Self.isOwnerName(name) else {
                f.error("name", "'\(nameText)' is not a record name (labels of letters, digits, '-' and '_', optionally starting with '*.')")
                continue
            }
            guard dns.zone(of: name) != nil else {
                f.error("name", "record '\(nameText)' is outside every zone Berth owns (\(dns.zones.joined(separator: ", "))); write the full name inside one, or add its zone to 'dns.zones'")
                continue
            }
            guard let type = DNSRecordType(rawValue: typeText.uppercased()) else {
                f.error("type", "record type '\(typeText)' is not one of \(DNSRecordType.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let data = Self.data(type, valueText) else {
                f.error("value", "'\(valueText)' is not \(Self.expected(type)) for the \(type.rawValue) record '\(name)'")
                continue
            }
            if type == .CNAME, dns.zones.contains(name) {
                f.error("type", "a CNAME cannot be at the zone apex '\(name)' (the SOA and NS records are there); use A/AAAA records")
                continue
            }
            let record = DNSRecord(name: name, data: data, ttl: f.int("ttl", in: 0...2_147_483_647), location: item.location)
            if let same = result.first(where: { $0.name == name && $0.data == data }) {
                sink.error(item.location, "record \(name) \(type.rawValue) is listed twice (also at \(same.location))")
                continue
            }
            if let clash = result.first(where: { $0.name == name && ($0.type == .CNAME || type == .CNAME) }) {
                sink.error(item.location, "\(name) has a CNAME and other data (\(clash.type.rawValue) at \(clash.location)); a CNAME must be the only record at its name (RFC 1034 3.6.2): remove one")
                continue
            }
            result.append(record)
        }
        return result
    }

    /// `example.com.` → `example.com` (lower case).
    static func absolute(_ text: String) -> String {
        (text.hasSuffix(".") ? String(text.dropLast()) : text).lowercased()
    }

    /// A record owner: like a host name, but `_` is allowed (SRV, DKIM) and the first label may be `*`.
    static func isOwnerName(_ name: String) -> Bool {
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" { labels.removeFirst() }
        guard !labels.isEmpty, name.count <= 253 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
        }
    }

    /// An IPv4 or IPv6 address in its canonical text form, or nil.
    static func address(_ text: String) -> String? {
        if IPv4Network.parseAddress(text) != nil { return text }
        return ipv6(text)
    }

    static func ipv6(_ text: String) -> String? {
        var raw = in6_addr()
        guard text.contains(":"), inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(cString: buffer)
    }

    static func forwarder(_ text: String) -> Bool {
        if address(text) != nil { return true }
        // IP:PORT, or [IPv6]:PORT
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return false }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()); return ipv6(host) != nil }
        return IPv4Network.parseAddress(host) != nil
    }

    static func expected(_ type: DNSRecordType) -> String {
        switch type {
        case .A: "an IPv4 address"
        case .AAAA: "an IPv6 address"
        case .CNAME: "a host name"
        case .TXT: "text of at most 4000 characters"
        case .MX: "'PREFERENCE HOST' (such as '10 mail.example.com')"
        case .SRV: "'PRIORITY WEIGHT PORT TARGET' (such as '10 5 5060 sip.example.com')"
        case .CAA: "'FLAGS TAG VALUE' (such as '0 issue \"letsencrypt.org\"'; tag issue, issuewild or iodef)"
        }
    }

    static func data(_ type: DNSRecordType, _ text: String) -> DNSRecordData? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let host = { (word: String) -> String? in
            let name = absolute(word)
            return isOwnerName(name) && !name.hasPrefix("*") ? name : nil
        }
        let number = { (word: String, max: Int) -> Int? in Int(word).flatMap { (0...max).contains($0) ? $0 : nil } }
        switch type {
        case .A: return IPv4Network.parseAddress(text) != nil ? .a(text) : nil
        case .AAAA: return ipv6(text).map { .aaaa($0) }
        case .CNAME: return words.count == 1 ? host(words[0]).map { .cname($0) } : nil
        case .TXT: return !text.isEmpty && text.utf8.count <= 4000 && text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) ? .txt(text) : nil
        case .MX:
            guard words.count == 2, let preference = number(words[0], 65535), let exchange = host(words[1]) else { return nil }
            return .mx(preference: preference, exchange: exchange)
        case .SRV:
            guard words.count == 4, let priority = number(words[0], 65535), let weight = number(words[1], 65535),
                  let port = number(words[2], 65535), let target = words[3] == "." ? "." : host(words[3]) else { return nil }
            return .srv(priority: priority, weight: weight, port: port, target: target)
        case .CAA:
            guard words.count >= 3, let flags = number(words[0], 255), ["issue", "issuewild", "iodef"].contains(words[1].lowercased()) else { return nil }
            var value = words[2...].joined(separator: " ")
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            guard !value.contains("\""), value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) else { return nil }
            return .caa(flags: flags, tag: words[1].lowercased(), value: value)
        }
    }
}
