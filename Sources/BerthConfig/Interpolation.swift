/// Compose-style variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a literal `$`.
public struct Interpolator: Sendable {
    public var variables: [String: String]

    public init(variables: [String: String]) { self.variables = variables }

    public enum Failure: Error, Equatable {
        case required(name: String, message: String)
        case syntax(String)
    }

    public func interpolate(_ text: String) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "$" else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let next = text.index(after: i)
            if next == text.endIndex {
                out.append("$")
                break
            }
            if text[next] == "$" {
                out.append("$")
                i = text.index(after: next)
            } else if text[next] == "{" {
                guard let close = matchingBrace(text, from: next) else {
                    throw .syntax("unclosed '${' in \"\(text)\"")
                }
                out += try expand(String(text[text.index(after: next)..<close]))
                i = text.index(after: close)
            } else if isNameStart(text[next]) {
                var end = next
                while end < text.endIndex, isNameChar(text[end]) { end = text.index(after: end) }
                out += variables[String(text[next..<end])] ?? ""
                i = end
            } else {
                throw .syntax("invalid interpolation '$\(text[next])' in \"\(text)\"; write '$$' for a literal '$'")
            }
        }
        return out
    }

    private func matchingBrace(_ text: String, from open: String.Index) -> String.Index? {
        var depth = 0
        var i = open
        while i < text.endIndex {
            if text[i] == "{" { depth += 1 }
            if text[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = text.index(after: i)
        }
        return nil
    }

    private func expand(_ body: String) throws(Failure) -> String {
        var nameEnd = body.startIndex
        while nameEnd < body.endIndex, isNameChar(body[nameEnd]) { nameEnd = body.index(after: nameEnd) }
        let name = String(body[..<nameEnd])
        guard !name.isEmpty, isNameStart(name.first!) else {
            throw .syntax("invalid variable name in '${\(body)}'")
        }
        let rest = body[nameEnd...]
        let value = variables[name]
        if rest.isEmpty { return value ?? "" }
        let colon = rest.hasPrefix(":")
        let opRest = colon ? rest.dropFirst() : rest
        guard let op = opRest.first, "-?+".contains(op) else {
            throw .syntax("invalid interpolation '${\(body)}'")
        }
        let argument = try interpolate(String(opRest.dropFirst()))
        let isSet = colon ? !(value ?? "").isEmpty : value != nil
        switch op {
        case "-": return isSet ? value! : argument
        case "+": return isSet ? argument : ""
        default:
            guard isSet else {
                throw .required(name: name, message: argument.isEmpty ? "required variable \(name) is not set" : argument)
            }
            return value!
        }
    }

    private func isNameStart(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
    private func isNameChar(_ c: Character) -> Bool { c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) }
}

extension YAMLValue {
    /// Interpolates every scalar value (not keys), reporting failures at the scalar's position.
    public func interpolated(with interpolator: Interpolator, sink: DiagnosticSink) -> YAMLValue {
        switch self {
        case .scalar(var s):
            do {
                s.text = try interpolator.interpolate(s.text)
            } catch {
                switch error {
                case .required(let name, let message):
                    sink.error(s.location, "variable \(name) is required but not set: \(message) (set it in the environment or the project's .env file)")
                case .syntax(let message):
                    sink.error(s.location, message)
                }
            }
            return .scalar(s)
        case .sequence(let items, let l):
            return .sequence(items.map { $0.interpolated(with: interpolator, sink: sink) }, l)
        case .mapping(let entries, let l):
            return .mapping(
                entries.map { YAMLEntry(key: $0.key, value: $0.value.interpolated(with: interpolator, sink: sink)) }, l)
        }
    }
}
