import BerthConfig

extension CertificateReport {
    /// Every host of an enabled project's TLS route, once, in repository order (`include` picks the projects).
    public static func tlsHosts(_ repository: Repository, include: (String) -> Bool = { _ in true }) -> [String] {
        var seen = Set<String>()
        var hosts: [String] = []
        for project in repository.enabledProjects where include(project.name) {
            for route in project.config.ingress where route.tls {
                for host in route.hosts where seen.insert(host.lowercased()).inserted { hosts.append(host) }
            }
        }
        return hosts
    }
}
