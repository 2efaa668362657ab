import Foundation

/// `KEY=value` files (Compose env_file and `.env`): comments, blank lines, `export`, quotes, interpolation.
///
/// - `# comment` lines and blank lines are skipped; `export KEY=value` is `KEY=value`.
/// - Unquoted values end at the end of the line or at ` #` (an inline comment); spaces around them are trimmed.
/// - `'single quoted'` values are literal. `"double quoted"` values understand `\n`, `\r`, `\t`, `\\` and `\"`.
///   Quoted values may span lines.
/// - Unquoted and double-quoted values are interpolated like compose.yml (`${VAR:-default}`, `$$`), looking
///   names up in the given variables first, then among the keys defined earlier in the same file.
public enum EnvFile {
    /// Parses without interpolation: every value is taken as written (quotes and escapes still apply).
    public static func parse(_ text: String, file: String, sink: DiagnosticSink) -> [(String, String)] {
        parse(text, file: file, variables: nil, sink: sink)
    }

    /// - Parameters:
    ///   - variables: when set, unquoted and double-quoted values are interpolated with them.
    ///   - raw: Compose's `format: raw`: each line is `KEY=value` with the value taken literally, no quotes,
    ///     comments or interpolation.
    public static func parse(
        _ text: String, file: String, variables: [String: String]?, raw: Bool = false, sink: DiagnosticSink
    ) -> [(String, String)] {
        var scanner = EnvScanner(text: text, file: file, sink: sink)
        var result: [(String, String)] = []
        var defined: [String: String] = [:]
        while let (key, value) = scanner.next(raw: raw) {
            var text = value.text
            if let variables, value.interpolate {
                let interpolator = Interpolator(variables: defined.merging(variables) { _, outside in outside })
                do {
                    text = try interpolator.interpolateLocated(value.text)
                } catch {
                    var location = value.location
                    if value.verbatim { location.column += error.offset }
                    sink.error(location, error.failure.message)
                    continue
                }
            }
            defined[key] = text
            result.append((key, text))
        }
        return result
    }
}

/// Reads an env file statement by statement, keeping line and column for messages.
private struct EnvScanner {
    struct Value {
        var text: String
        var location: Location
        /// Whether the value may be interpolated (not single-quoted, not raw).
        var interpolate: Bool
        /// Whether `text` is exactly what the file holds from `location` on (for positions inside it).
        var verbatim: Bool
    }

    let file: String
    let sink: DiagnosticSink
    let chars: [Unicode.Scalar]
    var index = 0
    var line = 1
    var column = 1

    init(text: String, file: String, sink: DiagnosticSink) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        // CRLF and lone CR line ends count as LF.
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(scalars.count)
        for (i, c) in scalars.enumerated() {
            if c == "\r" {
                if i + 1 < scalars.count, scalars[i + 1] == "\n" { continue }
                normalized.append("\n")
            } else {
                normalized.append(c)
            }
        }
        self.chars = normalized
        self.file = file
        self.sink = sink
    }

    var location: Location { Location(file: file, line: line, column: column) }
    var peek: Unicode.Scalar? { index < chars.count ? chars[index] : nil }

    mutating func advance() {
        if chars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    mutating func skipBlanks() {
        while let c = peek, c == " " || c == "\t" { advance() }
    }

    mutating func restOfLine() -> String {
        var out = String.UnicodeScalarView()
        while let c = peek, c != "\n" {
            out.append(c)
            advance()
        }
        return String(out)
    }

    static func isKeyChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c == "." || c == "-" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// The next `KEY=value` statement; problems are reported and their line skipped.
    mutating func next(raw: Bool) -> (String, Value)? {
        while true {
            // Start of a line.
            skipBlanks()
            guard let c = peek else { return nil }
            if c == "\n" {
                advance()
                continue
            }
            if c == "#" {
                _ = restOfLine()
                continue
            }
            let start = location
            let lineText = restOfLineLookahead().trimmingCharacters(in: .whitespaces)
            if !raw, lineText.hasPrefix("export ") || lineText.hasPrefix("export\t") {
                for _ in 0..<6 { advance() }
                skipBlanks()
            }
            let keyStart = location
            var key = String.UnicodeScalarView()
            while let c = peek, Self.isKeyChar(c) {
                key.append(c)
                advance()
            }
            skipBlanks()
            guard peek == "=", !key.isEmpty else {
                _ = restOfLine()
                if let eq = lineText.firstIndex(of: "=") {
                    let name = lineText[..<eq].trimmingCharacters(in: .whitespaces)
                    sink.error(keyStart, name.isEmpty ? "a line starts with '=' but names no variable"
                        : "invalid variable name '\(name)': use letters, digits, '_', '.' and '-'")
                } else {
                    sink.error(start, "expected KEY=value, found '\(lineText)'")
                }
                continue
            }
            advance()  // '='
            if raw {
                let valueLocation = location
                let text = restOfLine()
                return (String(key), Value(text: text, location: valueLocation, interpolate: false, verbatim: true))
            }
            skipBlanks()
            let valueLocation = location
            switch peek {
            case "'", "\"":
                let quote = chars[index]
                advance()
                let contentLocation = location
                guard let (text, escaped) = quoted(quote, opening: valueLocation), trailingIsComment() else { continue }
                let verbatim = !escaped && !text.contains("\n")
                return (String(key), Value(text: text, location: verbatim ? contentLocation : valueLocation,
                                           interpolate: quote == "\"", verbatim: verbatim))
            default:
                var text = restOfLine()
                if let comment = text.range(of: " #") ?? text.range(of: "\t#") { text = String(text[..<comment.lowerBound]) }
                while let last = text.unicodeScalars.last, last == " " || last == "\t" { text.unicodeScalars.removeLast() }
                return (String(key), Value(text: text, location: valueLocation, interpolate: true, verbatim: true))
            }
        }
    }

    /// The characters from here to the end of the line, without consuming them.
    func restOfLineLookahead() -> String {
        var out = String.UnicodeScalarView()
        var i = index
        while i < chars.count, chars[i] != "\n" {
            out.append(chars[i])
            i += 1
        }
        return String(out)
    }

    /// The content of a quoted value up to its closing quote (consumed), and whether it held escapes;
    /// nil when it is never closed.
    mutating func quoted(_ quote: Unicode.Scalar, opening: Location) -> (String, Bool)? {
        var out = String.UnicodeScalarView()
        var escaped = false
        while let c = peek {
            advance()
            if c == quote { return (String(out), escaped) }
            if quote == "\"", c == "\\", let next = peek {
                advance()
                escaped = true
                switch next {
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "\\", "\"": out.append(next)
                default:
                    out.append(c)
                    out.append(next)
                }
                continue
            }
            out.append(c)
        }
        sink.error(opening, "the quoted value starting here is never closed (missing \(quote))")
        return nil
    }

    /// After a closing quote only blanks and a `# comment` may follow on the line.
    mutating func trailingIsComment() -> Bool {
        skipBlanks()
        let at = location
        let rest = restOfLine()
        if rest.isEmpty || rest.hasPrefix("#") { return true }
        sink.error(at, "unexpected '\(rest)' after the closing quote; put a comment after ' #' or quote the whole value")
        return false
    }
}
