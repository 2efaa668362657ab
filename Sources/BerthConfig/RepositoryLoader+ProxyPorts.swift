/// A service that publishes the proxy's own http port (`80:8080`, as countless Compose files do to be
/// reached at all) is routed through the proxy instead: the host port is the proxy's, so the service
/// gets an ingress route for `<project>.<domain>` (or `<service>.<project>.<domain>` when several services
/// of the project do this) to the container port, with a warning that says so and how to choose the host.
/// Its https port (`443:443`) goes with it when the same service also published the http port; alone it
/// stays a conflict (the backend would speak TLS to the proxy).
extension RepositoryLoader {
    static func routeProxyPorts(project: String, compose: inout ComposeFile, config: inout ProjectConfig, platform: PlatformConfig, sink: DiagnosticSink) {
        let proxy = platform.proxy
        func onProxy(_ p: ComposePort, _ port: Int) -> Bool {
            p.proto == .tcp && p.hostPort == port
                && (p.hostIP == nil || p.hostIP == "0.0.0.0" || p.hostIP == proxy.bindAddress || proxy.bindAddress == "0.0.0.0")
        }
        let candidates = compose.services.keys.sorted().filter { name in
            compose.services[name]?.ports?.contains { onProxy($0, proxy.httpPort) } == true
                && !config.ingress.contains { $0.service == name && $0.proto == .http }
        }
        for name in candidates {
            guard var service = compose.services[name], let http = service.ports?.first(where: { onProxy($0, proxy.httpPort) }) else { continue }
            let host = candidates.count == 1 ? "\(project).\(platform.domain)" : "\(name).\(project).\(platform.domain)"
            let location = compose.portLocations[name] ?? Location(file: "projects/\(project)/compose.yml")
            guard Names.isHostName(host) else { continue }
            let dropped = service.ports!.filter { onProxy($0, proxy.httpPort) || onProxy($0, proxy.httpsPort) }
            service.ports!.removeAll { onProxy($0, proxy.httpPort) || onProxy($0, proxy.httpsPort) }
            if service.ports!.isEmpty { service.ports = nil }
            compose.services[name] = service
            let route = IngressRoute(service: name, hosts: [host], port: http.containerPort, location: location)
            config.ingress.append(route)
            sink.warning(location, "service '\(name)' publishes \(dropped.map(\.description).joined(separator: " and ")), the proxy's port\(dropped.count == 1 ? "" : "s"): it is routed through the proxy instead, as \(route.tls ? "https" : "http")://\(host) → port \(http.containerPort); add an ingress row in project.yml to choose the host, or move the proxy with proxy.http_port")
        }
    }
}
