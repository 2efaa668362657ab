import BerthConfig

/// The proxy's errors (its container, Caddy's admin API, Traefik's file provider and API): the proxy domain.
extension ProxyFailure: BerthError {
    public var domain: ErrorDomain { .proxy }
    public var code: ErrorCode { .proxyFailed }
    public var cause: String { message }
    public var hint: String? { "check the proxy's container: docker logs <its name>; berth apply recreates it when it is gone" }
}

extension CaddyAdmin.Failure: BerthError {
    public var domain: ErrorDomain { .proxy }
    public var code: ErrorCode { .proxyFailed }
    public var cause: String { message }
    public var hint: String? { "check Caddy's container (docker logs) and its admin API" }
}

extension TraefikDriver.Failure: BerthError {
    public var domain: ErrorDomain { .proxy }
    public var code: ErrorCode { .proxyFailed }
    public var cause: String { message }
    public var hint: String? { "check Traefik's container (docker logs) and its API" }
}
