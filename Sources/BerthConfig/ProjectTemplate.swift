import Foundation

/// A project template: `templates/<name>/` in the repository, its files (compose.yml, project.yml, and any
/// other file) with `${param}` placeholders. `$$` is a literal `$` (so Compose's own `$${VAR}` is written
/// `$$$${VAR}` in a template). `${name}` is always the new project's name. Rendering a template gives the
/// files of `projects/<project>/`.
public struct ProjectTemplate: Sendable {
    /// One file of the template, relative to its directory, with the places its placeholders are used.
    public struct File: Sendable {
        public var path: String
        public var text: String
        /// The file's name as diagnostics show it: `templates/<name>/<path>`.
        public var display: String
        public var uses: [(param: String, location: Location)]
    }

    public static let directory = "templates"
    /// The parameter every template has: the project's name.
    public static let nameParameter = "name"

    public var name: String
    public var files: [File]

    /// Every parameter the template uses, sorted (`name` included when used).
    public var parameters: [String] { Array(Set(files.flatMap { $0.uses.map(\.param) })).sorted() }

    /// The files of `projects/<project>/`, each with every placeholder replaced. A parameter the template
    /// uses but `params` lacks, or one given that no file uses, is an error at the place that uses it (or
    /// the template's directory); nothing is rendered then. Values may not contain line breaks.
    public func render(project: String, params: [String: String]) throws(ConfigError) -> [(path: String, text: String)] {
        var diagnostics: [Diagnostic] = []
        let base = Location(file: "\(Self.directory)/\(name)")
        var values = params
        if values[Self.nameParameter] != nil {
            diagnostics.append(Diagnostic(base, "parameter 'name' is the project's name; leave it out of params"))
        }
        values[Self.nameParameter] = project
        let used = Set(parameters)
        for key in params.keys.sorted() where !used.contains(key) && key != Self.nameParameter {
            let hint = Suggestion.hint(for: key, in: parameters.filter { $0 != Self.nameParameter })
            diagnostics.append(Diagnostic(base, "unknown parameter '\(key)': the template uses \(parameters.isEmpty ? "none" : parameters.joined(separator: ", "))\(hint)"))
        }
        for (key, value) in params.sorted(by: { $0.key < $1.key }) where value.contains(where: \.isNewline) {
            diagnostics.append(Diagnostic(base, "parameter '\(key)' contains a line break; values must be one line"))
        }
        for file in files {
            for use in file.uses where values[use.param] == nil {
                diagnostics.append(Diagnostic(use.location, "template parameter '\(use.param)' is not given; pass it in params"))
            }
        }
        guard diagnostics.isEmpty else { throw ConfigError(diagnostics) }
        return files.map { ($0.path, Self.substitute($0.text, values)) }
    }

    static func substitute(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "$", next < text.endIndex, text[next] == "$" {
                out.append("$")
                i = text.index(after: next)
            } else if c == "$", next < text.endIndex, text[next] == "{", let close = text[next...].firstIndex(of: "}") {
                let key = String(text[text.index(after: next)..<close])
                out += values[key] ?? ""
                i = text.index(after: close)
            } else {
                out.append(c)
                i = next
            }
        }
        return out
    }

    /// The placeholders of one file, with their locations; malformed ones are reported to `sink`.
    static func scan(_ text: String, file: String, sink: DiagnosticSink) -> [(param: String, location: Location)] {
        var uses: [(String, Location)] = []
        var line = 1, column = 1
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "$", i + 1 < chars.count, chars[i + 1] == "$" {
                i += 2
                column += 2
                continue
            }
            if c == "$", i + 1 < chars.count, chars[i + 1] == "{" {
                let location = Location(file: file, line: line, column: column)
                var j = i + 2
                while j < chars.count, chars[j] != "}", !chars[j].isNewline { j += 1 }
                guard j < chars.count, chars[j] == "}" else {
                    sink.error(location, "unterminated template parameter: '${' without '}' on this line (a literal '$' is written '$$')")
                    i += 2
                    column += 2
                    continue
                }
                let key = String(chars[(i + 2)..<j])
                if Self.isParameterName(key) {
                    uses.append((key, location))
                } else {
                    sink.error(location, "'${\(key)}' is not a template parameter: names are letters, digits and '_' starting with a letter (a literal '$' is written '$$', so Compose's '${VAR}' is '$${VAR}')")
                }
                column += j + 1 - i
                i = j + 1
                continue
            }
            if c.isNewline { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return uses
    }

    static func isParameterName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, CharacterSet.letters.contains(first), s.count <= 64 else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
    }
}
