import Foundation

/// `.dockerignore` rules as Docker applies them (moby/patternmatcher): one pattern per line, `#`
/// comments, blank lines skipped, each pattern cleaned (`./a/` → `a`, a leading `/` dropped); `*` and
/// `?` match within one path segment, `**` any number of segments (also none), `[a-z]` classes, `\`
/// escapes; `!` makes an exception. A pattern that matches a directory matches everything under it;
/// the last pattern that matches a path decides.
public struct DockerIgnore: Sendable {
    struct Pattern: Sendable {
        var text: String
        var exclusion: Bool
        var regex: NSRegularExpression?
    }

    let patterns: [Pattern]

    public init(_ text: String) {
        var patterns: [Pattern] = []
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = String(raw)
            if line.hasPrefix("#") { continue }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            var exclusion = false
            if line.hasPrefix("!") {
                exclusion = true
                line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
            }
            line = Self.clean(line)
            if line.count > 1 && line.hasPrefix("/") { line.removeFirst() }
            patterns.append(Pattern(text: line, exclusion: exclusion, regex: Self.regex(line)))
        }
        self.patterns = patterns
    }

    /// Adds exceptions so that these paths are always sent (the Dockerfile and .dockerignore, as the
    /// docker CLI does).
    public func keeping(_ paths: [String]) -> DockerIgnore {
        var copy = patterns
        for path in paths where excludes(path) {
            let clean = Self.clean(path)
            copy.append(Pattern(text: clean, exclusion: true, regex: Self.regex(Self.escape(clean))))
        }
        return DockerIgnore(patterns: copy)
    }

    init(patterns: [Pattern]) { self.patterns = patterns }

    public var hasExceptions: Bool { patterns.contains(where: \.exclusion) }

    /// Patterns Docker refuses (an unclosed `[` class): the build would fail, so planning reports them.
    public var invalidPatterns: [String] { patterns.filter { $0.regex == nil }.map(\.text) }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    public func excludes(_ path: String) -> Bool {
        let file = Self.clean(path)
        var parents: [String] = []
        var prefix = ""
        for part in file.split(separator: "/").dropLast() {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            parents.append(prefix)
        }
        var matched = false
        for pattern in patterns {
            var match = Self.matches(pattern, file)
            if !match { match = parents.contains { Self.matches(pattern, $0) } }
            if match { matched = !pattern.exclusion }
        }
        return matched
    }

    static func matches(_ pattern: Pattern, _ path: String) -> Bool {
        guard let regex = pattern.regex else { return false }
        let range = NSRange(path.startIndex..., in: path)
        return regex.firstMatch(in: path, range: range) != nil
    }

    /// Go's `filepath.Clean` for relative `/` paths.
    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == ".." && absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// A pattern with every special character escaped (matches exactly that path).
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            if "*?[\\".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The pattern as an anchored regular expression, as patternmatcher builds it.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        var out = "^"
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            switch c {
            case "*":
                if i < chars.count && chars[i] == "*" {
                    i += 1
                    if i < chars.count && chars[i] == "/" { i += 1 }
                    out += i >= chars.count ? ".*" : "(.*/)?"
                } else {
                    out += "[^/]*"
                }
            case "?":
                out += "[^/]"
            case "\\":
                if i < chars.count {
                    out += NSRegularExpression.escapedPattern(for: String(chars[i]))
                    i += 1
                } else {
                    out += "\\\\"
                }
            case "[":
                // A class up to the closing ']'; '^' or '!' negates it, as in Go's filepath.Match.
                var j = i
                var body = ""
                if j < chars.count && (chars[j] == "^" || chars[j] == "!") {
                    body += "^"
                    j += 1
                }
                var closed = false
                while j < chars.count {
                    if chars[j] == "]" && !body.isEmpty && body != "^" {
                        closed = true
                        break
                    }
                    if chars[j] == "\\" && j + 1 < chars.count {
                        body += "\\" + String(chars[j + 1])
                        j += 2
                        continue
                    }
                    body += chars[j] == "/" ? "" : String(chars[j])
                    j += 1
                }
                // An unclosed class is a bad pattern: Docker refuses the build; it matches nothing here.
                guard closed else { return nil }
                out += "[" + body + "]"
                i = j + 1
            default:
                out += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        out += "$"
        return try? NSRegularExpression(pattern: out)
    }
}
