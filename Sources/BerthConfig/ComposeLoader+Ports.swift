/// Compose `ports`: the short syntax (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, ranges such
/// as `8000-8002:80-82`, `[::1]:8080:80`) and the long one (`target`, `published`, `host_ip`,
/// `protocol`, `mode`, `name`, `app_protocol`), expanded to one entry per port as Docker publishes them.
extension ComposeLoader {
    func ports(_ value: YAMLValue, _ what: String) -> [ComposePort] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "\(what) must be a list")
            return []
        }
        var result: [ComposePort] = []
        for item in items {
            switch item {
            case .scalar(let s):
                if let ports = shortPort(s.text, item.location) { result += ports }
            case .mapping:
                if let ports = longPort(item) { result += ports }
            default:
                sink.error(item.location, "an item of \(what) must be a port such as \"8080:80\" or a mapping with 'target', found \(Scalar.describe(item))")
            }
        }
        return result
    }

    private func shortPort(_ text: String, _ location: Location) -> [ComposePort]? {
        let fail = { (why: String) -> [ComposePort]? in
            sink.error(location, "port '\(text)': \(why) (the form is [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. 127.0.0.1:8080:80/tcp)")
            return nil
        }
        var rest = Substring(text)
        var proto = ComposePort.Proto.tcp
        if let slash = rest.lastIndex(of: "/") {
            guard let p = ComposePort.Proto(rawValue: String(rest[rest.index(after: slash)...]).lowercased()) else {
                return fail("the protocol must be tcp or udp")
            }
            proto = p
            rest = rest[..<slash]
        }
        var hostIP: String?
        if rest.hasPrefix("[") {  // [::1]:8080:80
            guard let close = rest.firstIndex(of: "]") else { return fail("an IPv6 address must be closed with ]") }
            hostIP = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard rest.hasPrefix(":") else { return fail("the host address must be followed by :HOST_PORT:CONTAINER_PORT") }
            rest = rest.dropFirst()
        }
        var parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if hostIP == nil && parts.count == 3 {
            hostIP = parts.removeFirst()
            if IPv4Network.parseAddress(hostIP!) == nil && hostIP != "" { return fail("'\(hostIP!)' is not an IPv4 address") }
            if hostIP == "" { hostIP = nil }
        }
        guard parts.count == 1 || parts.count == 2 else { return fail("too many ':'") }
        guard let container = range(parts.last!) else { return fail("'\(parts.last!)' is not a port or a port range") }
        let host: ClosedRange<Int>?
        if parts.count == 2 && !parts[0].isEmpty {
            guard let h = range(parts[0]) else { return fail("'\(parts[0])' is not a port or a port range") }
            host = h
        } else {
            host = nil
        }
        return expand(hostIP: hostIP, host: host, container: container, proto: proto, location: location, text: text)
    }

    private func longPort(_ item: YAMLValue) -> [ComposePort]? {
        guard let f = Fields(item, what: "a port", known: ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"], sink: sink)
        else { return nil }
        guard let target = f.port("target") else {
            if f["target"] == nil { sink.error(f.location, "a port in the long syntax needs 'target' (the container port)") }
            return nil
        }
        var host: ClosedRange<Int>?
        if let published = f["published"] {
            let text: String
            if case .scalar(let s) = published { text = s.text } else { text = "" }
            guard let r = range(text) else {
                sink.error(published.location, "'published' must be a port or a range such as 8000-8010, found \(Scalar.describe(published))")
                return nil
            }
            host = r
        }
        var proto = ComposePort.Proto.tcp
        if let text = f.string("protocol") {
            guard let p = ComposePort.Proto(rawValue: text.lowercased()) else {
                f.error("protocol", "'protocol' must be tcp or udp, found '\(text)'")
                return nil
            }
            proto = p
        }
        if let mode = f.string("mode"), mode != "host" && mode != "ingress" {
            f.error("mode", "'mode' must be host or ingress, found '\(mode)'")
        }
        let hostIP = f.string("host_ip")
        if let ip = hostIP, IPv4Network.parseAddress(ip) == nil && !ip.contains(":") {
            f.error("host_ip", "'host_ip' must be an IP address, found '\(ip)'")
        }
        return expand(hostIP: hostIP, host: host, container: target...target, proto: proto, location: f.location, text: "target \(target)")
    }

    /// `8080` or `8000-8010`, each within 1–65535.
    private func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 1 || bounds.count == 2,
              let low = Int(bounds[0]), let high = Int(bounds.last!), (1...65535).contains(low), (low...65535).contains(high) else { return nil }
        return low...high
    }

    private func expand(hostIP: String?, host: ClosedRange<Int>?, container: ClosedRange<Int>, proto: ComposePort.Proto,
                        location: Location, text: String) -> [ComposePort]? {
        if let host, host.count != container.count {
            if container.count == 1 && host.count > 1 {
                sink.error(location, "port '\(text)': a host port range for one container port (Docker picks one of them) is not supported; publish one host port")
            } else {
                sink.error(location, "port '\(text)': the host range has \(host.count) ports, the container range \(container.count)")
            }
            return nil
        }
        return container.enumerated().map { i, port in
            ComposePort(hostIP: hostIP, hostPort: host.map { $0.lowerBound + i }, containerPort: port, proto: proto)
        }
    }
}
