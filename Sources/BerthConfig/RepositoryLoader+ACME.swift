extension RepositoryLoader {
    /// The DNS provider's credentials: each name of `acme.dns_credentials` must have a value in the
    /// platform's `secrets.enc.env` or in berth's environment; a missing one is an error at its name.
    func resolveACMECredentials(_ platform: inout PlatformConfig, secrets: SecretSet?, sink: DiagnosticSink) {
        let acme = platform.acme
        guard acme.enabled, !acme.dnsCredentials.isEmpty else { return }
        let values = ACMECredentials.resolve(acme.dnsCredentials, from: ACMECredentials.source(secrets: secrets, environment: environment))
        for (index, name) in acme.dnsCredentials.enumerated() where values[name] == nil && ACMECredentials.isVariableName(name) {
            sink.error(acme.dnsCredentialLocations[safe: index] ?? Location(file: "platform.yml"),
                       "the DNS provider's credential '\(name)' is not set: add it to the platform's secrets (berth secrets set --platform \(name)) or export \(name) in berth's environment; its value goes only to the proxy container's environment")
        }
        platform.acme.dnsCredentialValues = values.mapValues(SecretValue.init)
    }
}
