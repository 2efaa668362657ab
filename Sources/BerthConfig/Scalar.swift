import Foundation

/// Conversions of YAML values to typed values, reporting "expected X" at the value's position.
public enum Scalar {
    public static func string(_ value: YAMLValue, _ what: String, _ sink: DiagnosticSink) -> String? {
        guard case .scalar(let s) = value, !s.isNull else {
            sink.error(value.location, "\(what) must be a string, found \(value.kindName)")
            return nil
        }
        return s.text
    }

    public static func bool(_ value: YAMLValue, _ what: String, _ sink: DiagnosticSink) -> Bool? {
        if case .scalar(let s) = value {
            switch s.text.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        sink.error(value.location, "\(what) must be true or false, found \(describe(value))")
        return nil
    }

    public static func int(
        _ value: YAMLValue, _ what: String, range: ClosedRange<Int>? = nil, _ sink: DiagnosticSink
    ) -> Int? {
        guard case .scalar(let s) = value, let n = Int(s.text.trimmingCharacters(in: .whitespaces)) else {
            sink.error(value.location, "\(what) must be a whole number, found \(describe(value))")
            return nil
        }
        if let range, !range.contains(n) {
            sink.error(value.location, "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
            return nil
        }
        return n
    }

    public static func double(_ value: YAMLValue, _ what: String, _ sink: DiagnosticSink) -> Double? {
        guard case .scalar(let s) = value, let n = Double(s.text), n.isFinite else {
            sink.error(value.location, "\(what) must be a number, found \(describe(value))")
            return nil
        }
        return n
    }

    public static func duration(_ value: YAMLValue, _ what: String, _ sink: DiagnosticSink) -> TimeSpan? {
        guard case .scalar(let s) = value, let span = TimeSpan(parsing: s.text) else {
            sink.error(value.location, "\(what) must be a duration such as 30s, 1m30s or 500ms, found \(describe(value))")
            return nil
        }
        return span
    }

    public static func strings(
        _ value: YAMLValue, _ what: String, single: Bool = false, _ sink: DiagnosticSink
    ) -> [String]? {
        switch value {
        case .sequence(let items, _):
            let result = items.compactMap { string($0, "an item of \(what)", sink) }
            return result.count == items.count ? result : nil
        case .scalar(let s) where single && !s.isNull:
            return [s.text]
        default:
            sink.error(value.location, "\(what) must be a list\(single ? " or a string" : ""), found \(value.kindName)")
            return nil
        }
    }

    /// `{KEY: value}` or `["KEY=value", "KEY"]`; a key without a value maps to nil.
    public static func stringMap(
        _ value: YAMLValue, _ what: String, separator: Character = "=", _ sink: DiagnosticSink
    ) -> [String: String?]? {
        var result: [String: String?] = [:]
        switch value {
        case .mapping(let entries, _):
            for entry in entries {
                if case .scalar(let s) = entry.value, s.isNull {
                    result[entry.key.text] = .some(nil)
                } else if case .scalar(let s) = entry.value {
                    result[entry.key.text] = s.text
                } else {
                    sink.error(entry.value.location, "'\(entry.key.text)' in \(what) must be a string, found \(entry.value.kindName)")
                }
            }
        case .sequence(let items, _):
            for item in items {
                guard let text = string(item, "an item of \(what)", sink) else { continue }
                if let i = text.firstIndex(of: separator) {
                    result[String(text[..<i])] = String(text[text.index(after: i)...])
                } else {
                    result[text] = .some(nil)
                }
            }
        case .scalar:
            sink.error(value.location, "\(what) must be a mapping or a list, found \(value.kindName)")
            return nil
        }
        return result
    }

    static func describe(_ value: YAMLValue) -> String {
        if case .scalar(let s) = value, !s.isNull { return "'\(s.text)'" }
        return value.kindName
    }
}
