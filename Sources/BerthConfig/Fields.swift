/// Typed, strict access to one YAML mapping. Unknown keys are reported when the
/// fields are created; each accessor reports a wrong type at the value's position.
public struct Fields {
    public let location: Location
    /// What the mapping is, for messages: "service 'web'", "platform.yml".
    public let what: String
    let sink: DiagnosticSink
    private let entries: [String: YAMLEntry]
    public let keys: [String]

    /// - Parameters:
    ///   - known: every key this mapping may carry.
    ///   - unsupported: keys that are valid elsewhere (e.g. in the Compose spec) but that Berth
    ///     rejects, with the reason and what to do instead.
    ///   - extensions: whether `x-*` keys are allowed (Compose extension fields).
    public init?(
        _ value: YAMLValue?, what: String, known: [String], unsupported: [String: String] = [:],
        extensions: Bool = false, sink: DiagnosticSink
    ) {
        guard let value else { return nil }
        guard case .mapping(let list, let location) = value else {
            sink.error(value.location, "\(what) must be a mapping, found \(value.kindName)")
            return nil
        }
        self.location = location
        self.what = what
        self.sink = sink
        var entries: [String: YAMLEntry] = [:]
        var keys: [String] = []
        for entry in list {
            let key = entry.key.text
            if extensions && key.hasPrefix("x-") { continue }
            if let reason = unsupported[key] {
                sink.error(entry.key.location, "'\(key)' in \(what) is not supported by berth: \(reason)")
                continue
            }
            guard known.contains(key) else {
                sink.error(
                    entry.key.location,
                    "unknown key '\(key)' in \(what)\(Suggestion.hint(for: key, in: known))")
                continue
            }
            entries[key] = entry
            keys.append(key)
        }
        self.entries = entries
        self.keys = keys
    }

    public func has(_ key: String) -> Bool { entries[key] != nil }

    /// The raw value, unless it is null (a key with nothing after it counts as absent).
    public subscript(_ key: String) -> YAMLValue? {
        guard let value = entries[key]?.value else { return nil }
        if case .scalar(let s) = value, s.isNull { return nil }
        return value
    }

    public func keyLocation(_ key: String) -> Location { entries[key]?.key.location ?? location }

    public func describe(_ key: String) -> String { "'\(key)' in \(what)" }

    public func string(_ key: String) -> String? {
        self[key].flatMap { Scalar.string($0, describe(key), sink) }
    }

    public func requiredString(_ key: String) -> String? {
        guard has(key), self[key] != nil else {
            sink.error(location, "\(what) needs '\(key)'")
            return nil
        }
        return string(key)
    }

    public func bool(_ key: String) -> Bool? {
        self[key].flatMap { Scalar.bool($0, describe(key), sink) }
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil) -> Int? {
        self[key].flatMap { Scalar.int($0, describe(key), range: range, sink) }
    }

    public func double(_ key: String) -> Double? {
        self[key].flatMap { Scalar.double($0, describe(key), sink) }
    }

    public func duration(_ key: String) -> TimeSpan? {
        self[key].flatMap { Scalar.duration($0, describe(key), sink) }
    }

    public func port(_ key: String) -> Int? { int(key, in: 1...65535) }

    /// A list of strings; a single string is accepted as a one-element list when `single` is true.
    public func strings(_ key: String, single: Bool = false) -> [String]? {
        self[key].flatMap { Scalar.strings($0, describe(key), single: single, sink) }
    }

    /// Like `strings`, with the position of each item (for a single string, the string's position).
    public func stringItems(_ key: String, single: Bool = false) -> [(text: String, location: Location)]? {
        guard let value = self[key], let strings = Scalar.strings(value, describe(key), single: single, sink) else {
            return nil
        }
        if case .sequence(let items, _) = value { return Array(zip(strings, items.map(\.location))) }
        return strings.map { ($0, value.location) }
    }

    /// A map of strings, written either as a mapping or as a `KEY=value` list.
    public func stringMap(_ key: String, separator: Character = "=") -> [String: String?]? {
        self[key].flatMap { Scalar.stringMap($0, describe(key), separator: separator, sink) }
    }

    public func fields(_ key: String, known: [String], unsupported: [String: String] = [:], what: String? = nil)
        -> Fields?
    {
        Fields(self[key], what: what ?? describe(key), known: known, unsupported: unsupported, sink: sink)
    }

    /// Reports an error at the key itself (for a key that is refused whatever its value).
    public func refuse(_ key: String, _ message: String) {
        sink.error(keyLocation(key), message)
    }

    /// Reports a warning at the key's position.
    public func warning(_ key: String, _ message: String) {
        sink.warning(keyLocation(key), message)
    }

    /// Reports an error at the key's position.
    public func error(_ key: String, _ message: String) {
        sink.error(self[key]?.location ?? keyLocation(key), message)
    }
}
