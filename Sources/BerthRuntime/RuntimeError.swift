import BerthConfig
import BerthDocker

/// The docker domain's error: a failed Docker Engine API call in Berth's terms, with a stable code
/// per failure kind. (`DockerError` keeps its own `code`/`cause`; this is its BerthError face.)
public struct RuntimeError: BerthError, Sendable {
    public var docker: DockerError

    public init(_ docker: DockerError) { self.docker = docker }

    public var domain: ErrorDomain { .docker }
    public var code: ErrorCode {
        switch docker.code {
        case .unreachable: .dockerUnreachable
        case .notFound: .dockerNotFound
        case .conflict: .dockerConflict
        case .badRequest: .dockerBadRequest
        case .timeout: .dockerTimeout
        case .server, .decoding: .dockerFailed
        }
    }
    public var cause: String { "\(docker.context): \(docker.message)" }
    public var hint: String? { docker.hint }
    public var description: String { docker.description }
}
