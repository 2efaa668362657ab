import Foundation

/// Loads a configuration repository: `platform.yml` and every `projects/<name>/`.
/// All problems of all files are collected; any problem means the load fails.
public struct RepositoryLoader: Sendable {
    public var environment: [String: String]

    /// - Parameter environment: the variables Compose files are interpolated with (the process's by default);
    ///   each project's `.env` file fills in what the environment does not set.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func load(_ directory: String) throws(ConfigError) -> Repository {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        let sink = DiagnosticSink()
        let repository = load(root: root, sink: sink)
        guard sink.isEmpty, var repository else { throw ConfigError(sink.sorted) }
        repository.warnings = sink.sortedWarnings
        return repository
    }

    func load(root: URL, sink: DiagnosticSink) -> Repository? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            sink.error(Location(file: root.path), "no configuration directory here; run `berth init \(root.path)` to create one, or pass -c DIR")
            return nil
        }
        let platformFile = PlatformLoader.file
        guard let platformText = read(root.appendingPathComponent(platformFile), name: platformFile, sink: sink) else {
            return nil
        }
        let platform = YAMLValue.parse(platformText, file: platformFile, into: sink)
            .flatMap { PlatformLoader(sink: sink, root: root).load($0) }

        let projectsDir = root.appendingPathComponent("projects")
        var projectsIsDir: ObjCBool = false
        if fm.fileExists(atPath: projectsDir.path, isDirectory: &projectsIsDir), !projectsIsDir.boolValue {
            sink.error(Location(file: "projects"), "'projects' must be a directory with one directory per project")
        }
        let names = ((try? fm.contentsOfDirectory(atPath: projectsDir.path)) ?? [])
            .filter { !$0.hasPrefix(".") }
            .filter { name in
                var d: ObjCBool = false
                return fm.fileExists(atPath: projectsDir.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue
            }
            .sorted()
        var projects: [Project] = []
        var locations: [String: ProjectLocations] = [:]
        for name in Self.checkProjectNames(names, sink: sink) {
            if let (project, projectLocations) = loadProject(name, directory: projectsDir.appendingPathComponent(name), platform: platform, sink: sink) {
                projects.append(project)
                locations[name] = projectLocations
            }
        }
        let platformSecrets = secrets(at: root.appendingPathComponent(SecretsFile.name), file: SecretsFile.name, sink: sink)
        guard var platform else { return nil }
        resolveACMECredentials(&platform, secrets: platformSecrets, sink: sink)
        resolveBackupCredentials(&platform, secrets: platformSecrets)
        var repository = Repository(root: root, platform: platform, projects: projects)
        repository.platformSecrets = platformSecrets
        repository.templates = loadTemplates(root: root, sink: sink)
        RepositoryValidator(repository: repository, sink: sink, locations: locations).validate()
        return repository
    }

    /// What a project directory name becomes when made valid: lowercase, runs of other characters as one '-'.
    static func normalizedProjectName(_ name: String) -> String {
        var out = ""
        for c in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(c) || ("0"..."9").contains(c) {
                out.unicodeScalars.append(c)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out.append("-")
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    /// Reports invalid project directory names and directories that name the same project (`web`, `Web`,
    /// `web_`); returns the directories to load: every one except the duplicates of another.
    static func checkProjectNames(_ names: [String], sink: DiagnosticSink) -> [String] {
        let rule = "use lowercase letters, digits and '-' (at most 40), starting with a letter or digit"
        // Valid names are distinct projects; an invalid one is compared by what it would become.
        func groupKey(_ name: String) -> String { Names.isProjectName(name) ? name : normalizedProjectName(name) }
        var groups: [String: [String]] = [:]
        for name in names { groups[groupKey(name), default: []].append(name) }
        var load: [String] = []
        for name in names {
            let key = groupKey(name)
            let group = groups[key] ?? [name]
            // The directory that keeps the name: the valid one if there is one, else the first.
            let keeper = group.first(where: Names.isProjectName) ?? group[0]
            let location = Location(file: "projects/\(name)")
            if name != keeper {
                sink.error(location, "project directories '\(name)' and '\(keeper)' name the same project '\(key)'; rename or remove '\(name)' (project names \(rule))")
                continue
            }
            if !Names.isProjectName(name) {
                let hint = Names.isProjectName(key) ? "; rename the directory to '\(key)'" : ""
                sink.error(location, "project name '\(name)' is invalid: \(rule)\(hint)")
            }
            load.append(name)
        }
        return load
    }

    private func loadProject(_ name: String, directory: URL, platform: PlatformConfig?, sink: DiagnosticSink) -> (Project, ProjectLocations)? {
        let base = "projects/\(name)"
        let composeName = "\(base)/compose.yml"
        let composeURL = directory.appendingPathComponent("compose.yml")
        let fm = FileManager.default
        var variables: [String: String] = [:]
        let dotenvURL = directory.appendingPathComponent(".env")
        if fm.fileExists(atPath: dotenvURL.path), let dotenv = read(dotenvURL, name: "\(base)/.env", sink: sink) {
            // `.env` values may use the environment and the keys above them; the environment wins over them.
            for (k, v) in EnvFile.parse(dotenv, file: "\(base)/.env", variables: environment, sink: sink) { variables[k] = v }
        }
        let dotenvKeys = Set(variables.keys)
        variables.merge(environment) { _, fromEnvironment in fromEnvironment }
        let secrets = secrets(at: directory.appendingPathComponent(SecretsFile.name), file: "\(base)/\(SecretsFile.name)", sink: sink)
        for key in secrets?.keys ?? [] {
            if dotenvKeys.contains(key) {
                sink.error(secrets?.locations[key] ?? Location(file: "\(base)/\(SecretsFile.name)"), "\(key) is defined in both \(base)/\(SecretsFile.name) and \(base)/.env; keep it in one of them (a secret belongs in the encrypted file)")
            }
            // The secrets file wins over the process environment: a stray shell variable must not replace it.
            // An empty value is substituted as itself (it reveals nothing), so that `${KEY:-default}`,
            // `${KEY:?error}` and `${KEY:+alt}` treat it as empty, as Compose does.
            let empty = secrets?.decrypted == true && secrets?.values[key]?.reveal().isEmpty == true
            variables[key] = empty ? "" : ComposeLoader.secretPlaceholder(key)
        }

        var config = ProjectConfig()
        var locations = ProjectLocations()
        var valid = true
        let projectName = "\(base)/project.yml"
        let projectURL = directory.appendingPathComponent("project.yml")
        if fm.fileExists(atPath: projectURL.path) {
            if let text = read(projectURL, name: projectName, sink: sink),
               let value = YAMLValue.parse(text, file: projectName, into: sink),
               let loaded = ProjectLoader(project: name, file: projectName, sink: sink).load(value) {
                (config, locations) = loaded
            } else {
                valid = false
            }
        } else if let other = ["project.yaml"].first(where: { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }) {
            sink.error(Location(file: "\(base)/\(other)"), "berth reads project.yml, not \(other); rename it")
        }
        guard fm.fileExists(atPath: composeURL.path) else {
            let alternatives = ["compose.yaml", "docker-compose.yml", "docker-compose.yaml"]
                .filter { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }
            let hint = alternatives.first.map { "; rename \($0) to compose.yml" } ?? ""
            sink.error(Location(file: base), "project '\(name)' has no compose.yml\(hint)")
            return nil
        }
        guard let text = read(composeURL, name: composeName, sink: sink),
              let value = YAMLValue.parse(text, file: composeName, into: sink),
              var compose = composeLoader(name, composeName, directory, config, locations, platform?.policy ?? PolicyConfig(), sink,
                                          secrets: secrets?.values ?? [:])
                  .load(value, variables: Interpolator(variables: variables)),
              valid
        else { return nil }
        for route in compose.labelRoutes {
            if let twin = config.ingress.first(where: { other in
                other.proto == route.proto && other.path == route.path && (route.proto == .udp ? other.entrypoint == route.entrypoint
                    : !Set(other.hosts.map { $0.lowercased() }).isDisjoint(with: route.hosts.map { $0.lowercased() }))
            }) {
                sink.error(route.location, "the Traefik labels of service '\(route.service)' route \(route.hosts.joined(separator: ", "))\(route.path == "/" ? "" : route.path), which project.yml's ingress route at \(twin.location) also routes; keep one of the two")
                continue
            }
            config.ingress.append(route)
            if let routeLocations = compose.labelRouteLocations[route.location] { locations.routes[route.location] = routeLocations }
        }
        if let platform { Self.routeProxyPorts(project: name, compose: &compose, config: &config, platform: platform, sink: sink) }
        var project = Project(name: name, directory: directory, config: config, compose: compose)
        project.secrets = secrets
        return (project, locations)
    }

    private func composeLoader(
        _ name: String, _ file: String, _ directory: URL, _ config: ProjectConfig, _ locations: ProjectLocations,
        _ policy: PolicyConfig, _ sink: DiagnosticSink, secrets: [String: SecretValue]
    ) -> ComposeLoader {
        var loader = ComposeLoader(project: name, file: file, directory: directory, sink: sink, policy: policy)
        loader.secrets = secrets
        loader.environment = environment
        loader.profiles = zip(config.profiles, locations.profiles).map { (text: $0, location: $1) }
        return loader
    }

    /// The decrypted secrets file at `url`, nil when there is none (or it cannot be decrypted: reported).
    /// A file that cannot be decrypted is reported once: its keys (readable in the encrypted file) are
    /// still known, with empty values, so that the compose.yml using them does not add a message per use.
    private func secrets(at url: URL, file: String, sink: DiagnosticSink) -> SecretSet? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            if let set = SecretsFile.decrypt(url, file: file, sops: try Sops.locate(environment: environment), sink: sink) { return set }
        } catch {
            sink.error(Location(file: file), "cannot decrypt \(file): \(error.description)")
        }
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let locations = SecretsFile.keyLocations(text, file: file)
        return SecretSet(file: file, values: locations.mapValues { _ in SecretValue("") }, locations: locations, decrypted: false)
    }

    private func read(_ url: URL, name: String, sink: DiagnosticSink) -> String? {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: url.path)
            sink.error(Location(file: name), exists ? "cannot read \(name): \(error.localizedDescription)"
                       : "\(name) is missing; run `berth init` to create an example repository")
            return nil
        }
    }
}
