/// A named middleware from platform.yml. Exactly one kind per name.
public struct Middleware: Sendable, Hashable {
    public var name: String
    public var kind: Kind
    public var location: Location

    public init(name: String, kind: Kind, location: Location) {
        self.name = name
        self.kind = kind
        self.location = location
    }

    public enum Kind: Sendable, Hashable {
        case headers(Headers)
        case rateLimit(RateLimit)
        case compress
        case basicAuth(BasicAuth)
        case ipAllowList(sourceRange: [String])
        case redirectScheme(scheme: String, permanent: Bool)
        case stripPrefix(prefixes: [String])
        /// Requests with a larger body are refused with 413 before they reach the service.
        case maxRequestBody(bytes: Int)
    }

    public static let kindKeys = [
        "headers", "rate_limit", "compress", "basic_auth", "ip_allow_list", "redirect_scheme", "strip_prefix",
        "max_request_body",
    ]

    public var kindKey: String {
        switch kind {
        case .headers: "headers"
        case .rateLimit: "rate_limit"
        case .compress: "compress"
        case .basicAuth: "basic_auth"
        case .ipAllowList: "ip_allow_list"
        case .redirectScheme: "redirect_scheme"
        case .stripPrefix: "strip_prefix"
        case .maxRequestBody: "max_request_body"
        }
    }

    public struct Headers: Sendable, Hashable {
        public var stsSeconds: Int?
        public var stsIncludeSubdomains: Bool = false
        public var stsPreload: Bool = false
        public var frameDeny: Bool = false
        public var contentTypeNosniff: Bool = false
        public var browserXSSFilter: Bool = false
        public var referrerPolicy: String?
        public var contentSecurityPolicy: String?
        public var customResponseHeaders: [String: String] = [:]
        public var customRequestHeaders: [String: String] = [:]

        public init() {}
    }

    public struct RateLimit: Sendable, Hashable {
        /// Requests per `period` allowed on average.
        public var average: Int
        public var burst: Int
        public var period: TimeSpan

        public init(average: Int, burst: Int, period: TimeSpan) {
            self.average = average
            self.burst = burst
            self.period = period
        }
    }

    public struct BasicAuth: Sendable, Hashable {
        /// `user:bcrypt-hash` lines, as `htpasswd -nbB` prints them.
        public var users: [String]
        public var realm: String?

        public init(users: [String], realm: String?) {
            self.users = users
            self.realm = realm
        }
    }
}
