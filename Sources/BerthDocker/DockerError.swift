import Foundation

/// A failed Docker Engine API call: what was being done, what went wrong, and what to do about it.
public struct DockerError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Hashable {
        /// The engine could not be reached (no socket, connection refused, connection lost).
        case unreachable
        /// HTTP 404: no such container, network, volume or image.
        case notFound
        /// HTTP 409 (name in use, container running), and "port is already allocated".
        case conflict
        /// HTTP 400, or an invalid argument caught before sending.
        case badRequest
        /// HTTP 5xx and other unexpected statuses, and errors reported inside a stream (image pull).
        case server
        /// The engine answered with something this client could not decode.
        case decoding
        /// The call did not complete within its deadline.
        case timeout
    }

    public var code: Code
    /// The HTTP status, when the engine answered.
    public var status: Int?
    /// Docker's own `message`, or a description of the transport failure.
    public var message: String
    /// What was being done, e.g. `creating container web-1`.
    public var context: String
    /// What to do next, when it is obvious.
    public var hint: String?
    /// The underlying error (transport or decoding), if any.
    public var cause: (any Error)?

    public init(
        _ code: Code, status: Int? = nil, message: String, context: String, hint: String? = nil, cause: (any Error)? = nil
    ) {
        self.code = code
        self.status = status
        self.message = message
        self.context = context
        self.hint = hint
        self.cause = cause
    }

    public var description: String {
        var text = "\(context): \(message)"
        if let hint { text += " — \(hint)" }
        return text
    }

    public static let unreachableHint = "is the Docker engine running? start it or set DOCKER_HOST / --docker-host"
    public static let credentialsHint = "the registry wants (other) credentials; check the registry's username and password"
}

extension DockerError {
    /// Maps an HTTP error answer to an error, with hints for the cases a user can fix.
    static func fromResponse(status: Int, message: String, context: String) -> DockerError {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.contains("port is already allocated") || trimmed.contains("address already in use") {
            let port = boundAddress(in: trimmed).map { "host port \($0)" } ?? "the published host port"
            return DockerError(
                .conflict, status: status, message: trimmed, context: context,
                hint: "\(port) is already in use by another container or process; free it or publish another port")
        }
        if ["unauthorized", "no basic auth credentials", "authentication required"].contains(where: trimmed.contains) {
            return DockerError(.server, status: status, message: trimmed, context: context, hint: credentialsHint)
        }
        switch status {
        case 404:
            let hint = imageName(in: trimmed).map { "image \($0) not found; pull or build it first" }
            return DockerError(.notFound, status: status, message: trimmed, context: context, hint: hint)
        case 409:
            return DockerError(.conflict, status: status, message: trimmed, context: context)
        case 400:
            return DockerError(.badRequest, status: status, message: trimmed, context: context)
        default:
            return DockerError(.server, status: status, message: trimmed, context: context)
        }
    }

    /// `127.0.0.1:8080` out of "Bind for 127.0.0.1:8080 failed: port is already allocated"
    /// or "listen tcp4 0.0.0.0:8080: bind: address already in use".
    private static func boundAddress(in message: String) -> String? {
        for (start, end) in [("Bind for ", " failed"), ("listen tcp4 ", ": bind"), ("listen tcp6 ", ": bind"), ("listen tcp ", ": bind")] {
            if let lower = message.range(of: start), let upper = message.range(of: end, range: lower.upperBound..<message.endIndex) {
                return String(message[lower.upperBound..<upper.lowerBound])
            }
        }
        return nil
    }

    /// The image of "No such image: NAME".
    private static func imageName(in message: String) -> String? {
        guard let range = message.range(of: "No such image: ") else { return nil }
        return String(message[range.upperBound...])
    }
}
