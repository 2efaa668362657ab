import Yams

/// A YAML document reduced to what Berth reads, with the location of every node.
/// Anchors and aliases are resolved; `<<` merge keys are applied.
public indirect enum YAMLValue: Sendable {
    case scalar(YAMLScalar)
    case mapping([YAMLEntry], Location)
    case sequence([YAMLValue], Location)

    public var location: Location {
        switch self {
        case .scalar(let s): s.location
        case .mapping(_, let l), .sequence(_, let l): l
        }
    }

    /// A short name of the node's kind, for "expected X, found Y" messages.
    public var kindName: String {
        switch self {
        case .scalar(let s): s.isNull ? "null" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

public struct YAMLEntry: Sendable {
    public var key: YAMLScalar
    public var value: YAMLValue
}

public struct YAMLScalar: Sendable {
    public var text: String
    /// Plain (unquoted) scalars are typed by their text: `null`, `true`, `42`; quoted ones are strings.
    public var isPlain: Bool
    public var location: Location

    public init(text: String, isPlain: Bool, location: Location) {
        self.text = text
        self.isPlain = isPlain
        self.location = location
    }

    public var isNull: Bool { isPlain && ["", "~", "null", "Null", "NULL"].contains(text) }
}

extension YAMLValue {
    /// Parses `text` (the content of `file`). YAML syntax errors become one diagnostic with its position.
    public static func parse(_ text: String, file: String, into sink: DiagnosticSink) -> YAMLValue? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            sink.error(location(of: error, file: file), "YAML syntax error: \(summary(of: error))")
            return nil
        } catch {
            sink.error(Location(file: file), "cannot parse YAML: \(error)")
            return nil
        }
        guard let node else {
            return .mapping([], Location(file: file))
        }
        return convert(node, file: file, sink: sink)
    }

    private static func loc(_ mark: Mark?, _ file: String) -> Location {
        Location(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, sink: DiagnosticSink) -> YAMLValue {
        switch node {
        case .scalar(let s):
            let plain = s.style == .plain || s.style == .any
            return .scalar(YAMLScalar(text: s.string, isPlain: plain, location: loc(s.mark, file)))
        case .sequence(let seq):
            return .sequence(seq.map { convert($0, file: file, sink: sink) }, loc(seq.mark, file))
        case .mapping(let map):
            var entries: [YAMLEntry] = []
            var merged: [YAMLEntry] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    sink.error(loc(k.mark, file), "mapping keys must be plain strings")
                    continue
                }
                let key = YAMLScalar(text: ks.string, isPlain: true, location: loc(ks.mark, file))
                let value = convert(v, file: file, sink: sink)
                if ks.string == "<<" {
                    merged += mergeSources(value, sink: sink)
                } else {
                    entries.append(YAMLEntry(key: key, value: value))
                }
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            var present = Set(entries.map(\.key.text))
            for entry in merged where present.insert(entry.key.text).inserted {
                entries.append(entry)
            }
            return .mapping(entries, loc(map.mark, file))
        case .alias(let alias):
            return .scalar(YAMLScalar(text: "", isPlain: true, location: loc(alias.mark, file)))
        }
    }

    private static func mergeSources(_ value: YAMLValue, sink: DiagnosticSink) -> [YAMLEntry] {
        switch value {
        case .mapping(let entries, _): return entries
        case .sequence(let items, _): return items.flatMap { mergeSources($0, sink: sink) }
        case .scalar(let s):
            sink.error(s.location, "a '<<' merge key needs a mapping or a list of mappings")
            return []
        }
    }

    private static func location(of error: YamlError, file: String) -> Location {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return Location(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return Location(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return Location(file: file)
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            return [problem, context?.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}
