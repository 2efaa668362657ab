import BerthConfig
import Foundation

/// An ordered JSON/YAML document tree; renderers build it, then write it as JSON or YAML.
/// Mapping keys keep their insertion order so output is deterministic and reads naturally.
public indirect enum Document: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([Document])
    case object([(String, Document)])

    public static func == (a: Document, b: Document) -> Bool { a.json() == b.json() }
    public func hash(into hasher: inout Hasher) { hasher.combine(json()) }

    /// An object without the entries whose value is nil.
    public static func object(_ pairs: KeyValuePairs<String, Document?>) -> Document {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }

    /// A string map with sorted keys.
    public static func sorted(_ map: [String: String]) -> Document {
        .object(map.keys.sorted().map { ($0, .string(map[$0]!)) })
    }

    public static func strings(_ list: [String]) -> Document { .array(list.map(Document.string)) }

    // MARK: JSON

    /// Pretty JSON with two-space indentation and a trailing newline.
    public func json(pretty: Bool = true) -> String {
        var out = ""
        writeJSON(into: &out, indent: pretty ? 0 : nil)
        return pretty ? out + "\n" : out
    }

    private func writeJSON(into out: inout String, indent: Int?) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (level: Int) in String(repeating: "  ", count: level) }
        switch self {
        case .string(let s): out += Document.quote(s)
        case .int(let n): out += String(n)
        case .double(let d): out += d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                if let indent { out += pad(indent + 1) }
                item.writeJSON(into: &out, indent: indent.map { $0 + 1 })
                out += (i < items.count - 1 ? "," : "") + newline
            }
            if let indent { out += pad(indent) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (i, (key, value)) in pairs.enumerated() {
                if let indent { out += pad(indent + 1) }
                out += Document.quote(key) + (indent == nil ? ":" : ": ")
                value.writeJSON(into: &out, indent: indent.map { $0 + 1 })
                out += (i < pairs.count - 1 ? "," : "") + newline
            }
            if let indent { out += pad(indent) }
            out += "}"
        }
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }

    // MARK: YAML

    /// Block-style YAML with two-space indentation. Strings are written plain when YAML would read
    /// them back as the same string, otherwise double-quoted (JSON escaping is valid YAML).
    public func yaml() -> String {
        var out = ""
        switch self {
        case .object(let pairs) where !pairs.isEmpty: Document.writeMapping(pairs, indent: 0, into: &out)
        case .array(let items) where !items.isEmpty: Document.writeSequence(items, indent: 0, into: &out)
        default: out = inlineYAML() + "\n"
        }
        return out
    }

    private static func writeMapping(_ pairs: [(String, Document)], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in pairs {
            out += pad + yamlKey(key) + ":"
            value.writeValue(indent: indent, into: &out)
        }
    }

    private static func writeSequence(_ items: [Document], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .object(let pairs) where !pairs.isEmpty:
                // `- key: value` with the other keys aligned under the first.
                var nested = ""
                writeMapping(pairs, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeSequence(inner, indent: indent + 2, into: &out)
            default:
                out += pad + "- " + item.inlineYAML() + "\n"
            }
        }
    }

    /// After `key:` — a nested block on the next lines, or ` scalar` on the same line.
    private func writeValue(indent: Int, into out: inout String) {
        switch self {
        case .object(let pairs) where !pairs.isEmpty:
            out += "\n"
            Document.writeMapping(pairs, indent: indent + 2, into: &out)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            Document.writeSequence(items, indent: indent + 2, into: &out)
        default:
            out += " " + inlineYAML() + "\n"
        }
    }

    private func inlineYAML() -> String {
        switch self {
        case .string(let s): return Document.needsQuotes(s) ? Document.quote(s) : s
        case .int, .double, .bool, .null: return json(pretty: false)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    private static func yamlKey(_ key: String) -> String { needsQuotes(key) ? quote(key) : key }

    private static let plainSafe: Set<Character> = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:()`@+=, ;$|&*!'\"?%<>^~")
    private static let plainSafeBytes: [Bool] = (0..<128).map { byte in
        plainSafe.contains(Character(Unicode.Scalar(UInt8(byte))))
    }
    private static let reserved: Set<String> = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
        "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "<<", "=",
    ]

    /// Plain YAML would read these as something other than the same string.
    static func needsQuotes(_ s: String) -> Bool {
        if reserved.contains(s) { return true }
        guard let first = s.first, let last = s.last else { return true }
        if "#:{}[],&*!|>'\"%@`?-~ =<".contains(first) || last == " " || last == ":" { return true }
        // One pass over the bytes: only plain-safe ASCII, and no ": " or " #".
        var previous: UInt8 = 0
        for byte in s.utf8 {
            guard byte < 128, plainSafeBytes[Int(byte)] else { return true }
            if (previous == UInt8(ascii: ":") && byte == UInt8(ascii: " ")) || (previous == UInt8(ascii: " ") && byte == UInt8(ascii: "#")) {
                return true
            }
            previous = byte
        }
        // Anything that starts like a number (ints, floats, dates, times, octal/hex) is quoted.
        if first.isNumber || first == "+" || first == "." { return true }
        return false
    }
}
