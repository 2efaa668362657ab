/// Compose `build`: how the service's image is built from a context directory. Paths are as written,
/// relative to the project directory; the context's digest is added at plan time.
public struct ComposeBuild: Sendable, Hashable, Codable {
    /// The context directory, relative to the project directory (`.` by default).
    public var context: String = "."
    /// The Dockerfile, relative to the context (`Dockerfile` by default); nil with `dockerfileInline`.
    public var dockerfile: String?
    /// Dockerfile text written in compose.yml (`dockerfile_inline`).
    public var dockerfileInline: String?
    /// Build arguments (`args`); an argument without a value is taken from the environment, else left out.
    public var args: [String: String] = [:]
    public var target: String?
    /// Labels of the built image.
    public var labels: [String: String] = [:]
    /// Network mode of the build's RUN steps (`default`, `none`, `host`).
    public var network: String?
    /// Bytes of /dev/shm for the build's RUN steps.
    public var shmSize: Int?
    /// `HOST:IP` entries for the build's RUN steps.
    public var extraHosts: [String] = []
    /// Images used as cache sources.
    public var cacheFrom: [String] = []
    public var noCache: Bool = false
    /// Pull a newer version of the base images (`pull: true`).
    public var pull: Bool = false
    /// Extra tags of the built image (`tags`), beside Berth's `<project>-<service>:<digest>` and `image`.
    public var tags: [String] = []
    /// The `image` the file names: the built image is tagged with it too, as Compose does.
    public var image: String?
    /// sha256 (hex) of the context (after .dockerignore) and the build settings; set at plan time.
    public var contextDigest: String?

    public init() {}

    /// The Dockerfile path inside the context (Docker's `dockerfile` parameter).
    public var dockerfilePath: String { dockerfile ?? "Dockerfile" }
}

/// Compose `pull_policy`.
public enum ComposePullPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Pull on every rollout of the service.
    case always
    /// Pull when the image is not present (`missing`, `if_not_present`).
    case missing
    /// Never pull: the image must be present.
    case never
    /// Build the image from `build` (never pull it).
    case build
    /// Pull when the image is missing or was pulled longer ago than the span (`daily`, `weekly`, `every_<duration>`).
    case refresh(TimeSpan)

    /// Parses Compose's spelling; nil when it is none of them.
    public init?(parsing text: String) {
        switch text {
        case "always": self = .always
        case "missing", "if_not_present": self = .missing
        case "never": self = .never
        case "build": self = .build
        case "daily": self = .refresh(.seconds(86_400))
        case "weekly": self = .refresh(.seconds(7 * 86_400))
        default:
            guard text.hasPrefix("every_"), let span = Self.span(String(text.dropFirst(6))) else { return nil }
            self = .refresh(span)
        }
    }

    /// `1w2d3h4m5s`: Compose's refresh durations (weeks and days too).
    static func span(_ text: String) -> TimeSpan? {
        let units: [Character: Int] = ["w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1]
        var total = 0
        var number = ""
        for c in text {
            if c.isASCII && c.isNumber {
                number.append(c)
            } else if let unit = units[c], let n = Int(number) {
                total += n * unit
                number = ""
            } else {
                return nil
            }
        }
        guard number.isEmpty, total > 0 else { return nil }
        return .seconds(total)
    }

    public var description: String {
        switch self {
        case .always: "always"
        case .missing: "missing"
        case .never: "never"
        case .build: "build"
        case .refresh(let span) where span == .seconds(86_400): "daily"
        case .refresh(let span) where span == .seconds(7 * 86_400): "weekly"
        case .refresh(let span): "every_\(span.milliseconds / 1000)s"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let policy = ComposePullPolicy(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad pull_policy \(text)"))
        }
        self = policy
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
