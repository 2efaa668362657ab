import Foundation

/// A whole configuration repository, loaded and validated.
public struct Repository: Sendable {
    /// The repository's directory (absolute).
    public var root: URL
    public var platform: PlatformConfig
    /// All projects, sorted by name, disabled ones included.
    public var projects: [Project]
    /// What the load accepted with a remark (printed by every command that loads the repository).
    public var warnings: [Diagnostic] = []
    /// The decrypted platform-level `secrets.enc.env` at the repository's root (nil without one): for
    /// platform.yml's own needs (e.g. DNS-provider credentials), never visible to projects. Read a value
    /// with `platformSecret(_:)`.
    public var platformSecrets: SecretSet?
    /// The project templates of `templates/<name>/` (tenant stacks, `POST /v1/projects`).
    public var templates: [ProjectTemplate] = []

    public init(root: URL, platform: PlatformConfig, projects: [Project]) {
        self.root = root
        self.platform = platform
        self.projects = projects
    }

    public var enabledProjects: [Project] { projects.filter(\.config.enabled) }

    public func project(_ name: String) -> Project? { projects.first { $0.name == name } }

    public func template(_ name: String) -> ProjectTemplate? { templates.first { $0.name == name } }

    /// A value of the platform-level `secrets.enc.env`; nil when the file or the key is absent.
    public func platformSecret(_ key: String) -> SecretValue? { platformSecrets?.values[key] }
}

public struct Project: Sendable {
    public var name: String
    public var directory: URL
    public var config: ProjectConfig
    public var compose: ComposeFile
    /// The project's decrypted `secrets.enc.env` (nil without one); only this project's compose.yml reads it.
    public var secrets: SecretSet?

    public init(name: String, directory: URL, config: ProjectConfig, compose: ComposeFile) {
        self.name = name
        self.directory = directory
        self.config = config
        self.compose = compose
    }

    /// The services that have at least one ingress route.
    public var ingressServices: Set<String> { Set(config.ingress.map(\.service)) }
}
