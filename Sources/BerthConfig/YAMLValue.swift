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
    /// The text of a non-null scalar; nil for null, mappings and lists.
    public var scalarText: String? {
        if case .scalar(let s) = self, !s.isNull { return s.text }
        return nil
    }

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
    /// Compose's merge tag on the value (`key: !reset ...`, `key: !override ...`), nil when untagged.
    public var tag: YAMLTag? = nil
}

/// The YAML tags Compose gives a meaning to when files are merged (extends, include, overrides).
public enum YAMLTag: String, Sendable {
    /// `!reset`: the key is removed from the merged result (its value is ignored).
    case reset = "!reset"
    /// `!override`: the value replaces the one it is merged onto instead of merging with it.
    case override = "!override"
}

public struct YAMLScalar: Sendable {
    public var text: String
    /// Plain (unquoted) scalars are typed by their text: `null`, `true`, `42`; quoted ones are strings.
    public var isPlain: Bool
    public var location: Location
    /// The column where `text` starts in the file, when the scalar is written on one line exactly as
    /// its text (no escapes, no folding): messages about a part of the text can then point inside it.
    public var contentColumn: Int?

    public init(text: String, isPlain: Bool, location: Location, contentColumn: Int? = nil) {
        self.text = text
        self.isPlain = isPlain
        self.location = location
        self.contentColumn = contentColumn
    }

    public var isNull: Bool { isPlain && ["", "~", "null", "Null", "NULL"].contains(text) }
}

extension YAMLValue {
    /// Parses `text` (the content of `file`). A YAML syntax error (or a duplicate key) becomes one
    /// diagnostic with its position; the rest of that file is not read.
    public static func parse(_ text: String, file: String, into sink: DiagnosticSink) -> YAMLValue? {
        let source = Source(text: text, file: file)
        let node: Node?
        do {
            // The encoding explicitly: its default reads the whole process environment on every parse.
            node = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping(let duplicates, let context) = error {
                let first = Location(file: file, line: context.mark.line, column: context.mark.column)
                let key = duplicates.first ?? ""
                if let second = source.siblingKey(key, after: first) {
                    sink.error(second, "duplicate key '\(key)': it is already set at line \(first.line), column \(first.column); remove one of them")
                } else {
                    sink.error(first, "duplicate key '\(key)' in this mapping; remove one of them")
                }
                return nil
            }
            let at = location(of: error, file: file)
            let tab = source.line(at.line).dropFirst(at.column - 1).first == "\t"
            sink.error(at, "YAML syntax error: \(summary(of: error))\(tab ? " (indent with spaces: YAML does not allow tabs here)" : "")")
            return nil
        } catch {
            sink.error(Location(file: file), "cannot parse YAML: \(error)")
            return nil
        }
        guard let node else {
            return .mapping([], Location(file: file))
        }
        return convert(node, source: source, sink: sink)
    }

    private static func convert(_ node: Node, source: Source, sink: DiagnosticSink) -> YAMLValue {
        switch node {
        case .scalar(let s):
            let plain = s.style == .plain || s.style == .any
            let location = source.location(s.mark)
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            let column = plain || quoted ? source.verbatimColumn(of: s.string, at: location, skip: quoted ? 1 : 0) : nil
            return .scalar(YAMLScalar(text: s.string, isPlain: plain, location: location, contentColumn: column))
        case .sequence(let seq):
            return .sequence(seq.map { convert($0, source: source, sink: sink) }, source.location(seq.mark))
        case .mapping(let map):
            var entries: [YAMLEntry] = []
            var merged: [YAMLEntry] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    sink.error(source.location(k.mark), "mapping keys must be plain strings, found \(k.mapping != nil ? "a mapping" : "a list")")
                    continue
                }
                let key = YAMLScalar(text: ks.string, isPlain: true, location: source.location(ks.mark))
                let value = convert(v, source: source, sink: sink)
                let tag = YAMLTag(rawValue: v.tag.rawValue)
                if ks.string == "<<" && ks.style != .singleQuoted && ks.style != .doubleQuoted {
                    merged += mergeSources(value, sink: sink)
                } else {
                    entries.append(YAMLEntry(key: key, value: value, tag: tag))
                }
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            var present = Set(entries.map(\.key.text))
            for entry in merged where present.insert(entry.key.text).inserted {
                entries.append(entry)
            }
            return .mapping(entries, source.location(map.mark))
        case .alias(let alias):
            // Yams resolves aliases while composing; an alias node here has nothing behind it.
            let location = source.location(alias.mark)
            sink.error(location, "unresolved YAML alias")
            return .scalar(YAMLScalar(text: "", isPlain: true, location: location))
        }
    }

    private static func mergeSources(_ value: YAMLValue, sink: DiagnosticSink) -> [YAMLEntry] {
        switch value {
        case .mapping(let entries, _): return entries
        case .sequence(let items, _): return items.flatMap { mergeSources($0, sink: sink) }
        case .scalar(let s):
            sink.error(s.location, "a '<<' merge key needs a mapping (such as an alias '*name' of one) or a list of them, found \(value.kindName)")
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
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            guard let context, !context.text.isEmpty else { return problem }
            let start = context.mark.line == mark.line && context.mark.column == mark.column
                ? "" : " that starts at line \(context.mark.line), column \(context.mark.column)"
            return "\(problem) \(context.text)\(start)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}

/// The text of a YAML file, for positions that libyaml does not report.
private struct Source {
    let file: String
    /// Lines as Unicode scalars: libyaml counts columns in scalars.
    let lines: [[Unicode.Scalar]]

    init(text: String, file: String) {
        self.file = file
        var lines: [[Unicode.Scalar]] = [[]]
        var previous: Unicode.Scalar?
        for c in text.unicodeScalars {
            if c == "\n" {
                if previous != "\r" { lines.append([]) }
            } else if c == "\r" {
                lines.append([])
            } else {
                lines[lines.count - 1].append(c)
            }
            previous = c
        }
        self.lines = lines
    }

    func location(_ mark: Mark?) -> Location {
        Location(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func line(_ number: Int) -> [Unicode.Scalar] {
        (1...lines.count).contains(number) ? lines[number - 1] : []
    }

    /// The column where `text` starts when it is written verbatim at `location` (after `skip` quote characters).
    func verbatimColumn(of text: String, at location: Location, skip: Int) -> Int? {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.contains("\n") else { return nil }
        let line = line(location.line)
        let start = location.column - 1 + skip
        guard start >= 0, start + scalars.count <= line.count, Array(line[start..<start + scalars.count]) == scalars
        else { return nil }
        return location.column + skip
    }

    /// Where `key` appears again as a key of the block mapping whose first occurrence of it is at `first`:
    /// the next line at the same indentation that starts with the key and a colon.
    func siblingKey(_ key: String, after first: Location) -> Location? {
        let indent = first.column - 1
        let candidates = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        var number = first.line + 1
        while number <= lines.count {
            let line = line(number)
            let leading = line.prefix { $0 == " " }.count
            let rest = Array(line.dropFirst(leading))
            if rest.isEmpty || rest.first == "#" {
                number += 1
                continue
            }
            if leading < indent { return nil }
            if leading == indent {
                for candidate in candidates where rest.starts(with: candidate) {
                    let after = rest.dropFirst(candidate.count).drop { $0 == " " || $0 == "\t" }
                    if after.first == ":" { return Location(file: file, line: number, column: first.column) }
                }
            }
            number += 1
        }
        return nil
    }
}
