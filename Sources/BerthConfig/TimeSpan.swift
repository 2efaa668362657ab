import Foundation

/// A duration as Compose and Go write it: `1m30s`, `500ms`, `2h`, `1.5s`. Kept in milliseconds.
public struct TimeSpan: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int) -> TimeSpan { TimeSpan(milliseconds: s * 1000) }

    private static let units: [(String, Double)] = [
        ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ]

    public init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if rest == "0" { self.milliseconds = 0; return }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = Self.units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        // Beyond about 292 years the milliseconds would overflow; no configuration means that.
        guard total.isFinite, total < 1e16 else { return nil }
        self.milliseconds = Int(total.rounded())
    }

    public var seconds: Double { Double(milliseconds) / 1000 }
    public var nanoseconds: Int { milliseconds * 1_000_000 }

    /// Go-style text that parses back to the same span: `1m30s`, `1m30.5s`, `500ms`, `2h`, `0s`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        if milliseconds < 0 { return "-" + TimeSpan(milliseconds: -milliseconds).description }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let hours = milliseconds / 3_600_000
        let minutes = milliseconds % 3_600_000 / 60_000
        let rest = milliseconds % 60_000
        var out = ""
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 { out += "\(minutes)m" }
        if rest > 0 {
            out += "\(rest / 1000)"
            if rest % 1000 != 0 {
                var fraction = String(rest % 1000)
                fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
                while fraction.hasSuffix("0") { fraction.removeLast() }
                out += ".\(fraction)"
            }
            out += "s"
        }
        return out
    }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.milliseconds < b.milliseconds }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let span = TimeSpan(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad duration \(text)"))
        }
        self = span
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Duration {
    /// The duration in seconds, fractions included (`Duration` has no such accessor).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
