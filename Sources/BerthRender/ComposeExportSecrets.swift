import BerthConfig
import BerthPlan

/// Environment values that use the project's secrets are exported as Compose templates (`${KEY}` where
/// each secret goes), never with their values: run the export with the secrets in the environment, e.g.
/// `sops exec-env projects/<p>/secrets.enc.env 'docker-compose up -d'`.
extension ComposeExporter {
    /// `document` (already `$`-escaped) with each service's secret environment entries added as templates.
    static func withSecretTemplates(_ document: Document, _ project: ProjectState) -> Document {
        guard project.services.contains(where: { !($0.spec.secretEnvironment ?? [:]).isEmpty }),
              case .object(var top) = document, let i = top.firstIndex(where: { $0.0 == "services" }),
              case .object(var services) = top[i].1 else { return document }
        for service in project.services {
            guard let secretEnvironment = service.spec.secretEnvironment, !secretEnvironment.isEmpty,
                  let j = services.firstIndex(where: { $0.0 == service.name }), case .object(var body) = services[j].1 else { continue }
            var environment: [(String, Document)] = []
            if let k = body.firstIndex(where: { $0.0 == "environment" }), case .object(let pairs) = body[k].1 { environment = pairs }
            environment += secretEnvironment.map { ($0.key, Document.string($0.value.template)) }
            environment.sort { $0.0 < $1.0 }
            if let k = body.firstIndex(where: { $0.0 == "environment" }) {
                body[k].1 = .object(environment)
            } else {
                let at = body.firstIndex(where: { $0.0 == "volumes" || $0.0 == "restart" }) ?? body.endIndex
                body.insert(("environment", .object(environment)), at: at)
            }
            services[j].1 = .object(body)
        }
        top[i].1 = .object(services)
        return .object(top)
    }

    /// The header line that says how to run an export whose values come from secrets.
    static func secretsHeader(_ project: ProjectState) -> String? {
        let usesSecrets = project.services.contains { s in
            !(s.spec.secretEnvironment ?? [:]).isEmpty || (s.spec.files ?? []).contains { $0.kind == .secret && $0.origin.isEnvironment }
        }
        guard usesSecrets else { return nil }
        return "# Secrets are referenced as ${KEY}, never written: run with them in the environment, e.g. sops exec-env ../../projects/\(project.name)/secrets.enc.env 'docker-compose up -d'"
    }
}

private extension Optional where Wrapped == ComposeFileMount.Origin {
    var isEnvironment: Bool {
        if case .environment? = self { return true }
        return false
    }
}
