import BerthConfig
import BerthPlan
import Foundation

/// `dns/<zone>.zone` (RFC 1035 master files), `dns/Corefile` (CoreDNS) and `dns/knot.conf` (Knot DNS),
/// the Kanban platform's CoreDNS layout: the server's configuration beside the zone files it loads.
///
/// The SOA serial is `YYYYMMDDnn`: a zone whose records did not change keeps the serial of the file
/// rendered before (`previous`), and any change gets a serial above it (today's first, or the old one + 1).
public enum DNSRenderer {
    public static let directory = "dns"
    /// Where the server container finds the files (the state directory's `dns/`, mounted read-only).
    public static let containerDirectory = "/etc/berth-dns"

    public static func zonePath(_ zone: String) -> String { "\(directory)/\(zone).zone" }

    /// - Parameter previous: the contents of a file rendered before, by path (nil: none).
    public static func render(_ state: DesiredState, previous: (String) -> String?, now: Date = Date()) -> [RenderedFile] {
        guard let dns = state.platform.dns else { return [] }
        let zones = DNSZone.zones(state)
        var files = zones.map { zone in
            let path = zonePath(zone.origin)
            return RenderedFile(path: path, contents: zoneFile(zone, serial: serial(for: zone, previous: previous(path), now: now)))
        }
        files.append(RenderedFile(path: "\(directory)/Corefile", contents: corefile(dns)))
        files.append(RenderedFile(path: "\(directory)/knot.conf", contents: knotConfig(zones: dns.zones)))
        return files
    }

    /// The serial for `zone`: the previous file's when its records are the same, else a higher one.
    public static func serial(for zone: DNSZone, previous: String?, now: Date) -> UInt32 {
        let old = previous.flatMap(Self.serial(in:))
        if let previous, let old, previous == zoneFile(zone, serial: old) { return old }
        return nextSerial(after: old, now: now)
    }

    /// Today's first `YYYYMMDDnn` (`nn` = 01), or `old + 1` when that is not above `old`.
    public static func nextSerial(after old: UInt32?, now: Date) -> UInt32 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let d = calendar.dateComponents([.year, .month, .day], from: now)
        let today = UInt32((d.year! * 10000 + d.month! * 100 + d.day!) * 100 + 1)
        guard let old else { return today }
        return old >= today ? old &+ 1 : today
    }

    /// The serial of a zone file Berth rendered (the number before `; serial`).
    public static func serial(in text: String) -> UInt32? {
        for line in text.split(separator: "\n") where line.contains("; serial") {
            return UInt32(line.split(separator: ";")[0].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    public static func zoneFile(_ zone: DNSZone, serial: UInt32) -> String {
        var out = """
            ; Zone \(zone.origin), rendered by Berth from platform.yml and the projects' routes. Do not edit:
            ; berth apply / berth render rewrite it (the serial changes only when a record changes).
            $ORIGIN \(zone.origin).
            $TTL \(zone.ttl)
            @ IN SOA \(zone.nameservers[0]). \(zone.admin). (
                    \(serial) ; serial
                    3600 ; refresh
                    600 ; retry
                    604800 ; expire
                    60 ; minimum (negative answers)
                    )

            """
        for record in zone.records {
            let ttl = record.ttl.map { " \($0)" } ?? ""
            out += "\(owner(record.name, in: zone.origin))\(ttl) IN \(record.type) \(record.data) ; \(record.comment)\n"
        }
        return out
    }

    /// `@` for the apex, the relative name inside the zone.
    static func owner(_ name: String, in origin: String) -> String {
        name == origin ? "@" : name.hasSuffix("." + origin) ? String(name.dropLast(origin.count + 1)) : name + "."
    }

    /// CoreDNS: one server block per zone (`file` with `reload`, so that a new serial is picked up),
    /// and `.` forwarding the rest to `dns.forwarders` (without forwarders, other names are refused).
    public static func corefile(_ dns: DNSConfig) -> String {
        var out = "# CoreDNS configuration rendered by Berth (platform.yml 'dns'). Do not edit.\n"
        for zone in dns.zones {
            out += """
                \(zone):53 {
                    file \(containerDirectory)/\(zone).zone {
                        reload 5s
                    }
                    log
                    errors
                }

                """
        }
        if !dns.forwarders.isEmpty {
            out += """
                .:53 {
                    forward . \(dns.forwarders.joined(separator: " "))
                    log
                    errors
                }

                """
        }
        return out
    }

    /// Knot DNS (authoritative only): the zones from the files beside it, reloaded on SIGHUP (a zone
    /// whose file changed is loaded again). Paths and listening address are the container's by default.
    public static func knotConfig(zones: [String], listen: String = "0.0.0.0@53", zoneDirectory: String = containerDirectory,
                                  runDirectory: String = "/run/knot", storage: String = "/var/lib/knot") -> String {
        var out = """
            # Knot DNS configuration rendered by Berth (platform.yml 'dns'). Do not edit.
            server:
                listen: \(listen)
                rundir: \(runDirectory)
            log:
              - target: stderr
                any: info
            database:
                storage: \(storage)
            template:
              - id: default
                storage: \(zoneDirectory)
                zonefile-sync: -1
                zonefile-load: whole
                journal-content: none
                semantic-checks: on
            zone:

            """
        for zone in zones { out += "  - domain: \(zone)\n    file: \(zone).zone\n" }
        return out
    }
}
