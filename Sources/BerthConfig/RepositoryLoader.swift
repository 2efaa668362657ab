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
        guard sink.isEmpty, let repository else { throw ConfigError(sink.sorted) }
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
            .flatMap { PlatformLoader(sink: sink).load($0) }

        let projectsDir = root.appendingPathComponent("projects")
        let names = ((try? fm.contentsOfDirectory(atPath: projectsDir.path)) ?? [])
            .filter { !$0.hasPrefix(".") }
            .filter { name in
                var d: ObjCBool = false
                return fm.fileExists(atPath: projectsDir.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue
            }
            .sorted()
        var projects: [Project] = []
        var normalized: [String: String] = [:]
        for name in names {
            let location = Location(file: "projects/\(name)")
            if !Names.isProjectName(name) {
                sink.error(location, "project name '\(name)' is invalid: use lowercase letters, digits and '-' (at most 40), starting with a letter or digit")
            }
            let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
            if let other = normalized[key] {
                sink.error(location, "duplicate project name: '\(name)' and '\(other)' name the same project")
            }
            normalized[key] = name
            if let project = loadProject(name, directory: projectsDir.appendingPathComponent(name), sink: sink) {
                projects.append(project)
            }
        }
        guard let platform else { return nil }
        let repository = Repository(root: root, platform: platform, projects: projects)
        RepositoryValidator(repository: repository, sink: sink).validate()
        return repository
    }

    private func loadProject(_ name: String, directory: URL, sink: DiagnosticSink) -> Project? {
        let base = "projects/\(name)"
        let composeName = "\(base)/compose.yml"
        let composeURL = directory.appendingPathComponent("compose.yml")
        guard FileManager.default.fileExists(atPath: composeURL.path) else {
            let alternatives = ["compose.yaml", "docker-compose.yml", "docker-compose.yaml"]
                .filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
            let hint = alternatives.first.map { "; rename \($0) to compose.yml" } ?? ""
            sink.error(Location(file: base), "project '\(name)' has no compose.yml\(hint)")
            return nil
        }
        var variables: [String: String] = [:]
        if let dotenv = try? String(contentsOf: directory.appendingPathComponent(".env"), encoding: .utf8) {
            for (k, v) in EnvFile.parse(dotenv, file: "\(base)/.env", sink: sink) { variables[k] = v }
        }
        variables.merge(environment) { _, fromEnvironment in fromEnvironment }

        var config = ProjectConfig()
        let projectName = "\(base)/project.yml"
        let projectURL = directory.appendingPathComponent("project.yml")
        if FileManager.default.fileExists(atPath: projectURL.path) {
            guard let text = read(projectURL, name: projectName, sink: sink),
                  let value = YAMLValue.parse(text, file: projectName, into: sink),
                  let loaded = ProjectLoader(project: name, file: projectName, sink: sink).load(value)
            else { return nil }
            config = loaded
        }
        guard let text = read(composeURL, name: composeName, sink: sink),
              let value = YAMLValue.parse(text, file: composeName, into: sink),
              let compose = ComposeLoader(project: name, file: composeName, directory: directory, sink: sink)
                  .load(value, variables: Interpolator(variables: variables))
        else { return nil }
        return Project(name: name, directory: directory, config: config, compose: compose)
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
