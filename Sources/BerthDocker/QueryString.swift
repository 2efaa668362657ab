import Foundation

/// Builds `?a=1&b=2` query strings with strict percent-encoding (everything but unreserved characters).
struct QueryString {
    private var items: [(String, String)] = []

    init() {}

    mutating func add(_ name: String, _ value: String?) {
        if let value { items.append((name, value)) }
    }

    mutating func add(_ name: String, _ value: Bool) {
        items.append((name, value ? "true" : "false"))
    }

    mutating func add(_ name: String, _ value: Int?) {
        if let value { items.append((name, String(value))) }
    }

    /// Docker's `filters` parameter: JSON `{"label":["k=v"]}`; nothing when every list is empty.
    mutating func addFilters(_ filters: [String: [String]]) {
        let nonEmpty = filters.filter { !$0.value.isEmpty }
        guard !nonEmpty.isEmpty,
            let data = try? JSONSerialization.data(withJSONObject: nonEmpty, options: [.sortedKeys]),
            let json = String(data: data, encoding: .utf8)
        else { return }
        items.append(("filters", json))
    }

    /// `""` when empty, else `?` followed by the encoded items.
    var encoded: String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

extension QueryString {
    private static let pathAllowed = unreserved.union(CharacterSet(charactersIn: "/:@"))

    /// Escapes a name or id for use inside a URL path (image references keep their `/`, `:` and `@`).
    static func escapePath(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? text
    }
}
