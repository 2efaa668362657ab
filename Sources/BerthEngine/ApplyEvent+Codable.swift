import Foundation

/// An event as one JSON object (`berth apply --json` lines, the API's event stream):
/// `{"event": kind, "phase"?, "project"?, "service"?, "message", "elapsed": seconds (ms precision),
/// "time": ISO 8601 with fractions}`; absent optionals are left out.
extension ApplyEvent: Codable {
    enum CodingKeys: String, CodingKey { case event, phase, project, service, message, elapsed, time }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .event)
        phase = try c.decodeIfPresent(Phase.self, forKey: .phase)
        project = try c.decodeIfPresent(String.self, forKey: .project)
        service = try c.decodeIfPresent(String.self, forKey: .service)
        message = try c.decode(String.self, forKey: .message)
        elapsed = try c.decode(Double.self, forKey: .elapsed)
        let text = try c.decode(String.self, forKey: .time)
        guard let time = ApplyEvent.timeFormat.date(from: text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: c, debugDescription: "not an ISO 8601 time: \(text)")
        }
        self.time = time
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .event)
        try c.encodeIfPresent(phase, forKey: .phase)
        try c.encodeIfPresent(project, forKey: .project)
        try c.encodeIfPresent(service, forKey: .service)
        try c.encode(message, forKey: .message)
        try c.encode((elapsed * 1000).rounded() / 1000, forKey: .elapsed)
        try c.encode(ApplyEvent.timeFormat.string(from: time), forKey: .time)
    }

    /// `2026-12-01T12:00:00.123Z`: precise enough to order events of concurrent applies.
    public static var timeFormat: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
