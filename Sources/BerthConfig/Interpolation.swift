/// Compose-style variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a literal `$`.
///
/// Stricter than Compose in one way: `$VAR` and `${VAR}` fail when VAR is not set, instead of silently
/// becoming empty (a misspelt variable name must not turn into an empty password). Write `${VAR:-}`
/// or `${VAR-}` when empty is what you want.
public struct Interpolator: Sendable {
    public var variables: [String: String]

    public init(variables: [String: String]) { self.variables = variables }

    public enum Failure: Error, Equatable {
        /// `${VAR:?message}` or `${VAR?message}` with VAR unset (or empty, with the colon); `message` is
        /// what the file wrote after `?`, possibly empty.
        case required(name: String, message: String)
        /// `$VAR` or `${VAR}` with VAR unset.
        case unset(name: String)
        case syntax(String)
    }

    /// A failure and where it starts in the text: the offset, in Unicode scalars, of its `$`.
    public struct LocatedFailure: Error, Equatable {
        public var failure: Failure
        public var offset: Int

        public init(failure: Failure, offset: Int) {
            self.failure = failure
            self.offset = offset
        }
    }

    public func interpolate(_ text: String) throws(Failure) -> String {
        do {
            return try interpolateLocated(text)
        } catch {
            throw error.failure
        }
    }

    /// Like `interpolate`, but a failure also tells where in `text` the failing `$` is.
    public func interpolateLocated(_ text: String) throws(LocatedFailure) -> String {
        guard text.contains("$") else { return text }
        let scalars = text.unicodeScalars
        var out = ""
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let c = scalars[i]
            guard c == "$" else {
                out.unicodeScalars.append(c)
                i = scalars.index(after: i)
                continue
            }
            let start = i
            func fail(_ failure: Failure) -> LocatedFailure {
                LocatedFailure(failure: failure, offset: scalars.distance(from: scalars.startIndex, to: start))
            }
            let next = scalars.index(after: i)
            if next == scalars.endIndex {
                throw fail(.syntax("a lone '$' at the end of \"\(text)\"; write '$$' for a literal '$'"))
            }
            if scalars[next] == "$" {
                out.append("$")
                i = scalars.index(after: next)
            } else if scalars[next] == "{" {
                guard let close = matchingBrace(scalars, from: next) else {
                    throw fail(.syntax("unclosed '${' in \"\(text)\""))
                }
                do {
                    out += try expand(String(scalars[scalars.index(after: next)..<close]))
                } catch {
                    throw fail(error)
                }
                i = scalars.index(after: close)
            } else if isNameStart(scalars[next]) {
                var end = next
                while end < scalars.endIndex, isNameChar(scalars[end]) { end = scalars.index(after: end) }
                let name = String(scalars[next..<end])
                guard let value = variables[name] else { throw fail(.unset(name: name)) }
                out += value
                i = end
            } else {
                throw fail(.syntax("invalid interpolation '$\(scalars[next])' in \"\(text)\"; write '$$' for a literal '$'"))
            }
        }
        return out
    }

    private func matchingBrace(_ scalars: String.UnicodeScalarView, from open: String.Index) -> String.Index? {
        var depth = 0
        var i = open
        while i < scalars.endIndex {
            if scalars[i] == "{" { depth += 1 }
            if scalars[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = scalars.index(after: i)
        }
        return nil
    }

    private func expand(_ body: String) throws(Failure) -> String {
        let scalars = body.unicodeScalars
        var nameEnd = scalars.startIndex
        while nameEnd < scalars.endIndex, isNameChar(scalars[nameEnd]) { nameEnd = scalars.index(after: nameEnd) }
        let name = String(scalars[..<nameEnd])
        guard let first = name.unicodeScalars.first, isNameStart(first) else {
            throw .syntax("invalid variable name in '${\(body)}'")
        }
        let rest = scalars[nameEnd...]
        let value = variables[name]
        if rest.isEmpty {
            guard let value else { throw .unset(name: name) }
            return value
        }
        let colon = rest.first == ":"
        let opRest = colon ? rest.dropFirst() : rest
        guard let op = opRest.first, op == "-" || op == "?" || op == "+" else {
            throw .syntax("invalid interpolation '${\(body)}'; use ${\(name)}, ${\(name):-default}, ${\(name):?message} or ${\(name):+alternative}")
        }
        let argumentText = String(opRest.dropFirst())
        let isSet = colon ? !(value ?? "").isEmpty : value != nil
        switch op {
        case "-":
            if let value, isSet { return value }
            return try interpolate(argumentText)
        case "+":
            return isSet ? try interpolate(argumentText) : ""
        default:
            guard let value, isSet else {
                throw .required(name: name, message: (try? interpolate(argumentText)) ?? argumentText)
            }
            return value
        }
    }

    private func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    private func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
}

extension Interpolator.Failure {
    /// The diagnostic text, naming the variable and what to do.
    public var message: String {
        switch self {
        case .required(let name, let message):
            let reason = message.isEmpty ? "" : ": \(message)"
            return "variable \(name) is required but not set\(reason) (set it in the environment or the project's .env file)"
        case .unset(let name):
            return "variable \(name) is not set; set it in the environment, the project's .env file or its secrets.enc.env (berth secrets set PROJECT \(name)), or write ${\(name):-} if empty is intended"
        case .syntax(let message):
            return message
        }
    }
}

extension YAMLValue {
    /// Interpolates every scalar value (not keys), reporting failures at the position of the failing `$`
    /// (at the scalar's start when the scalar spans lines or contains escapes).
    public func interpolated(with interpolator: Interpolator, sink: DiagnosticSink) -> YAMLValue {
        switch self {
        case .scalar(var s):
            guard s.text.contains("$") else { return self }
            do {
                s.text = try interpolator.interpolateLocated(s.text)
                // What interpolation produced is a string: `KEY: ${EMPTY}` is "", not null.
                s.isPlain = false
            } catch {
                var location = s.location
                if let column = s.contentColumn { location.column = column + error.offset }
                sink.error(location, error.failure.message)
                sink.markUnknown(s.location)
            }
            return .scalar(s)
        case .sequence(let items, let l):
            return .sequence(items.map { $0.interpolated(with: interpolator, sink: sink) }, l)
        case .mapping(let entries, let l):
            return .mapping(
                entries.map { YAMLEntry(key: $0.key, value: $0.value.interpolated(with: interpolator, sink: sink), tag: $0.tag) }, l)
        }
    }
}
