import BerthConfig

extension ErrorCode {
    /// The DNS server (`dns.server`) could not be started or does not serve its zones.
    public static let dnsFailed: ErrorCode = "dns_failed"
}

extension DNSStack {
    /// Why the DNS server could not be started or kept serving (domain proxy: it runs beside the proxy).
    public struct Failure: BerthError {
        public var message: String
        public var container: String

        public init(container: String, message: String) {
            self.container = container
            self.message = message
        }

        public var domain: ErrorDomain { .proxy }
        public var code: ErrorCode { .dnsFailed }
        public var cause: String { message }
        public var hint: String? {
            "check the DNS server's container (docker logs \(container)) and dns.server in platform.yml; berth apply recreates it when it is gone"
        }
        public var description: String { message }
    }
}
