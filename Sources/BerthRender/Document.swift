import Foundation
import Yams

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

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: YAML

    /// Block-style YAML; strings that could be read as another type are quoted.
    public func yaml() -> String {
        (try? Yams.serialize(node: node(), indent: 2, width: -1, allowUnicode: true, sortKeys: false)) ?? json()
    }

    private func node() -> Node {
        switch self {
        case .string(let s): return Node(s, Tag(.str), Document.needsQuotes(s) ? .doubleQuoted : .plain)
        case .int(let n): return Node(String(n), Tag(.int))
        case .double(let d): return Node(d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d), Tag(.float))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .null: return Node("null", Tag(.null))
        case .array(let items): return Node(items.map { $0.node() }, Tag(.seq), .block)
        case .object(let pairs): return Node(pairs.map { (Node($0.0), $0.1.node()) }, Tag(.map), .block)
        }
    }

    /// Plain YAML would read these as something other than the same string.
    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        let resolved = Resolver.default.resolveTag(of: Node(s))
        if resolved != .str { return true }
        let special: Set<Character> = ["#", ":", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "$", "?", "-", "~"]
        if let first = s.first, special.contains(first) || first == " " { return true }
        if s.last == " " || s.contains(": ") || s.contains(" #") || s.contains("\n") || s.contains("\t") { return true }
        return false
    }
}
