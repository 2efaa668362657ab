import Foundation

/// Credentials for a registry, sent as the `X-Registry-Auth` header of a pull.
public struct RegistryAuth: Sendable, Hashable, Encodable {
    public var username: String
    public var password: String
    /// e.g. `ghcr.io`.
    public var serverAddress: String

    public init(username: String, password: String, serverAddress: String) {
        self.username = username
        self.password = password
        self.serverAddress = serverAddress
    }

    enum CodingKeys: String, CodingKey {
        case username, password, serverAddress = "serveraddress"
    }

    /// The header value: the JSON, base64url-encoded (with padding, as Docker's Go client writes it).
    public func headerValue() throws -> String {
        let json = try JSONEncoder().encode(self)
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
