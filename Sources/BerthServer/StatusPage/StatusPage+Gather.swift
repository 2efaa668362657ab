import BerthConfig
import BerthEngine
import BerthProxy
import Foundation

extension StatusPage {
    /// Reads what the page shows, within what `token` may see. A part that cannot be read (the Docker
    /// engine, the repository, the proxy's certificates) is shown as its error; the rest of the page still is.
    static func gather(_ services: APIServices, token: APIToken) async throws -> StatusPage {
        var repository: Repository?
        var projectsError: String?
        do { repository = try services.driver.repository() } catch { projectsError = "The configuration repository cannot be read: \(error)" }

        var statuses: [StatusReport.Project] = []
        if projectsError == nil {
            do { statuses = try await services.driver.status() } catch { projectsError = "The platform's status cannot be read: \(error)" }
        }
        var projects: [Project] = []
        if let repository, projectsError == nil {
            let names = Set(statuses.map(\.project)).union(repository.enabledProjects.map(\.name)).filter(token.allows).sorted()
            for name in names {
                let status = statuses.first { $0.project == name }
                let routes = repository.project(name)?.config.ingress ?? []
                let services = (status?.services ?? []).map { s in
                    Service(name: s.service, healthy: s.healthy, running: s.running, replicas: s.total,
                            links: routes.filter { $0.service == s.service }.flatMap { links($0, repository.platform.proxy) })
                }
                projects.append(Project(name: name, services: services, lastDeployment: status?.lastDeployment))
            }
        }

        let running = try await services.store.tasks(state: .running, project: nil, limit: 200)
        let queued = try await services.store.tasks(state: .queued, project: nil, limit: 200)
        let tasks = (running + queued).filter { Access.canSee(token, $0) }

        var certificates: [HostCertificate] = []
        var certificatesError: String?
        if let repository {
            do {
                certificates = try services.driver.certificates(repository, include: token.allows)
            } catch {
                certificatesError = "The proxy's certificates cannot be read: \(error)"
            }
        }
        return StatusPage(viewer: "\(token.name) (\(token.scope.rawValue))", projects: projects, projectsError: projectsError,
                          tasks: tasks, certificates: certificates, certificatesError: certificatesError, generatedAt: Date())
    }

    /// The links of an http route: one per host, on the proxy's published port (left out when it is the
    /// scheme's default). Wildcard hosts and tcp/udp routes are text.
    static func links(_ route: IngressRoute, _ proxy: ProxyConfig) -> [Link] {
        guard route.proto == .http else {
            return [Link(text: "\(route.proto.rawValue) \(route.entrypoint ?? "") → \(route.service):\(route.port)", url: nil)]
        }
        let scheme = route.tls ? "https" : "http"
        let port = route.tls ? proxy.httpsPort : proxy.httpPort
        let suffix = port == (route.tls ? 443 : 80) ? "" : ":\(port)"
        let path = route.path == "/" ? "/" : route.path
        return route.hosts.map { host in
            let text = host + (route.path == "/" ? "" : route.path)
            return host.contains("*") ? Link(text: text, url: nil) : Link(text: text, url: "\(scheme)://\(host)\(suffix)\(path)")
        }
    }
}
