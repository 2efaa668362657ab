import BerthConfig
import BerthDocker
import Foundation

/// `berth doctor`: gathers what it can read of the Docker host, its daemon and the repository, and applies
/// every check. What cannot be read becomes a finding that says so; nothing is changed anywhere.
public struct Doctor: Sendable {
    public var endpoint: DockerEndpoint
    /// The daemon's configuration file, overriding the one dockerd's command line names (and /etc/docker/daemon.json).
    public var daemonConfigPath: String?

    public init(endpoint: DockerEndpoint, daemonConfigPath: String? = nil) {
        self.endpoint = endpoint
        self.daemonConfigPath = daemonConfigPath
    }

    public func run(repository: Repository?) async -> DoctorReport {
        let client = DockerClient(endpoint: endpoint, requestTimeout: .seconds(20))
        let report = await audit(client, repository: repository)
        // Closing the connections of a finished audit: a failure here changes nothing of the report.
        try? await client.shutdown()
        return report
    }

    private func audit(_ client: DockerClient, repository: Repository?) async -> DoctorReport {
        var findings: [Finding] = []

        var info: SystemInfo?
        var apiFinding: Finding
        do {
            let version = try await client.version()
            let i = try await client.info()
            info = i
            apiFinding = Finding(.daemonAPI, .pass, why: "Docker \(version.version) (API \(version.apiVersion)) answers at \(endpoint)")
        } catch {
            apiFinding = Finding(.daemonAPI, .fail, why: "the Docker daemon at \(endpoint) does not answer: \(Self.oneLine(error))", fix: CheckID.daemonAPI.remedy)
        }

        let process: DaemonProcess? = if case .unixSocket(let path) = endpoint { DaemonProcess.find(socketPath: path) } else { nil }
        let firewall: FirewallFacts
        if process != nil || daemonIsLocal {
            firewall = await FirewallFacts.read(namespaceOf: process.flatMap { $0.ownNetworkNamespace() ? $0.pid : nil })
        } else {
            firewall = FirewallFacts(chain: .unreadable("the daemon at \(endpoint) is not on this host (no dockerd process listens on it here); run berth doctor on the Docker host"), externalInterfaces: [])
        }
        let proxy = repository?.platform.proxy
        findings.append(HostChecks.dockerUser(firewall, proxyPorts: proxy?.network == .bridge ? [proxy!.httpPort, proxy!.httpsPort] : []))
        if info != nil {
            do {
                findings += HostChecks.publishedPorts(try await client.containers.list())
            } catch {
                findings.append(Finding(.publishedPorts, .warn, why: "cannot list the running containers: \(Self.oneLine(error))", fix: "check the Docker daemon's log"))
            }
        } else {
            findings.append(Finding(.publishedPorts, .warn, why: "the daemon does not answer: running containers not checked", fix: CheckID.daemonAPI.remedy))
        }

        findings.append(apiFinding)
        if info != nil {
            var facts = DaemonFacts(info: info, commandLine: process?.commandLine)
            do {
                let bridge = try await client.networks.inspect("bridge")
                facts.defaultBridgeOptions = bridge.options
            } catch let error as DockerError where error.code == .notFound {
                facts.defaultBridgeOptions = nil
            } catch {
                facts.bridgeProblem = Self.oneLine(error)
            }
            if let path = daemonConfigPath ?? process.map({ $0.commandLine.configFile ?? "/etc/docker/daemon.json" }) {
                facts.configPath = path
                do {
                    facts.config = try DaemonConfigFile.load(path)
                } catch {
                    facts.configProblem = error.description
                }
            } else {
                facts.configProblem = "no dockerd process listens on \(endpoint) on this host, so its configuration file is unknown"
            }
            findings += DaemonChecks.all(facts)
        }

        if let repository {
            let checks = ServiceChecks(policy: repository.platform.policy)
            let remap = info?.securityOptions.contains { $0.hasPrefix("name=userns") } ?? false
            for project in repository.enabledProjects {
                for name in project.compose.services.keys.sorted() {
                    let service = project.compose.services[name]!
                    var image: ImageFacts?
                    if info != nil, service.build == nil, !service.image.isEmpty, let details = try? await client.images.inspect(service.image) {
                        // A failed inspect (other than "no such image", which is nil) only loses the image's
                        // USER/HEALTHCHECK: the checks then say the image was not looked at.
                        image = ImageFacts(user: details.config?.user ?? "", healthcheck: details.config?.healthcheck?.test)
                    }
                    let facts = ServiceFacts(
                        project: project.name, name: name, service: service,
                        routes: project.config.ingress.filter { $0.service == name }, image: image, usernsRemap: remap,
                        location: project.compose.serviceLocations[name])
                    findings += checks.all(facts)
                }
            }
        }
        return DoctorReport(endpoint: endpoint.description, findings: findings, repositoryChecked: repository != nil)
    }

    /// A unix socket that exists on this file system belongs to a daemon here (perhaps in another PID namespace).
    private var daemonIsLocal: Bool {
        if case .unixSocket(let path) = endpoint { return FileManager.default.fileExists(atPath: path) }
        return false
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
