import BerthConfig
import BerthPlan
import BerthRender
import BerthSystem

/// `berth dns check`: what resolvers must answer for every routed host (the configured
/// `dns.addresses`), compared with what one DNS server answers.
public enum DNSCheck {
    public enum Status: String, Sendable, Codable {
        /// The server answers exactly the expected addresses.
        case ok
        /// The name does not exist (NXDOMAIN) or has no address of an expected family.
        case missing
        /// The server answers other addresses than expected.
        case wrong
        /// No usable answer: the server is unreachable, refused or failed.
        case error
    }

    public struct Result: Sendable, Codable, Equatable {
        public var host: String
        public var project: String
        /// The owned zone the host is in (nil: outside every zone; then someone else must serve it).
        public var zone: String?
        /// The name queried (a probe name below a wildcard).
        public var query: String
        public var expected: [String]
        public var answered: [String]
        public var status: Status
        public var fix: String?
    }

    /// Every routed host of the state (once, in route order) with the addresses it must resolve to.
    public static func expectations(_ state: DesiredState) -> [(host: String, project: String, zone: String?)] {
        var seen = Set<String>()
        var result: [(host: String, project: String, zone: String?)] = []
        for route in state.routes {
            for host in route.hosts.map({ $0.lowercased() }) where seen.insert(host).inserted {
                result.append((host, route.project, state.platform.dns?.zone(of: host)))
            }
        }
        return result
    }

    /// A wildcard `*.example.com` is checked through a name it must cover.
    public static func probeName(_ host: String) -> String {
        host.hasPrefix("*.") ? "berth-wildcard-probe" + host.dropFirst(1) : host
    }

    public static func run(_ state: DesiredState, client: DNSClient) -> [Result] {
        let addresses = state.platform.dns?.addresses ?? []
        return expectations(state).map { host, project, zone in
            let query = probeName(host)
            var answered: [String] = []
            var problems: [String] = []
            var missing = false
            for (type, family) in [(DNSType.a, addresses.filter { !$0.contains(":") }), (DNSType.aaaa, addresses.filter { $0.contains(":") })] where !family.isEmpty {
                do {
                    let answer = try client.query(query, type)
                    switch answer.rcode {
                    case .noError:
                        let found = answer.answers.compactMap { record -> String? in
                            switch record.data {
                            case .a(let a) where type == .a: a
                            case .aaaa(let a) where type == .aaaa: a
                            default: nil
                            }
                        }
                        if found.isEmpty { missing = true }
                        answered += found
                    case .nameError:
                        missing = true
                    default:
                        problems.append("\(type) query answered \(answer.rcode)")
                    }
                } catch {
                    problems.append("\(error)")
                }
            }
            let where_ = zone.map { "zone \($0) (berth apply with dns.server, or publish OUT/dns/\($0).zone at your DNS provider)" }
                ?? "its zone at your DNS provider (it is outside dns.zones)"
            let want = addresses.joined(separator: ", ")
            let status: Status
            var fix: String?
            if !problems.isEmpty {
                status = .error
                fix = "the server gave no usable answer (\(problems.joined(separator: "; "))); check that it runs and serves \(zone ?? "the zone")"
            } else if Set(answered) == Set(addresses) && !missing {
                status = .ok
            } else if answered.isEmpty {
                status = .missing
                fix = "add \(host) → \(want) to \(where_)"
            } else {
                status = .wrong
                fix = "point \(host) at \(want) instead of \(answered.joined(separator: ", ")) in \(where_)"
            }
            return Result(host: host, project: project, zone: zone, query: query, expected: addresses, answered: answered, status: status, fix: fix)
        }
    }
}
