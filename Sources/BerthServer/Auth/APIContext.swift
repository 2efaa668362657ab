import Hummingbird

/// The request context of the API: the caller's token once the auth middleware checked it.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var token: APIToken?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        token = nil
    }

    /// The checked token; routes behind the auth middleware always have one.
    func caller() throws -> APIToken {
        guard let token else { throw APIError(.unauthorized, "unauthenticated", "no valid bearer token") }
        return token
    }
}
