/// Certificates the ACME settings cannot obtain: a wildcard host needs the dns challenge.
extension RepositoryValidator {
    func validateACME() {
        guard platform.acme.enabled, platform.acme.challenge != .dns else { return }
        for project in repository.enabledProjects {
            for route in project.config.ingress where route.tls {
                let hostLocations = locations[project.name]?.routes[route.location]?.hosts ?? []
                for (index, host) in route.hosts.enumerated() where Names.isWildcardHost(host) {
                    sink.error(hostLocations[safe: index] ?? route.location,
                               "the wildcard host '\(host)' needs a certificate through the dns challenge (ACME allows wildcards only with DNS-01), but acme.challenge is \(platform.acme.challenge.rawValue); set acme.challenge: dns with a dns_provider, or list the host names")
                }
            }
        }
    }
}
