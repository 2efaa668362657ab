import Foundation

/// Names Berth accepts for projects, services, middlewares and entrypoints.
public enum Names {
    public static func isServiceName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= 63 else { return false }
        return isLowerAlnum(first) && s.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "-" || $0 == "_" }
    }

    /// Project names become network and container name prefixes: `[a-z0-9][a-z0-9-]*`, at most 40.
    public static func isProjectName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= 40, s.last != "-" else { return false }
        return isLowerAlnum(first) && s.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "-" }
    }

    /// A DNS host name: labels of letters, digits and '-', not starting or ending with '-', at most 253 long.
    public static func isHostName(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253, !s.hasSuffix(".") else { return false }
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            return label.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" }
        }
    }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }
}

/// Splits a command string as a POSIX shell would (quotes and backslashes; no expansion).
public enum ShellWords {
    public static func split(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escape = false
        for c in text {
            if escape {
                current.append(c)
                escape = false
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escape = true } else { current.append(c) }
                continue
            }
            switch c {
            case "\\": escape = true; inWord = true
            case "'", "\"": quote = c; inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(c); inWord = true
            }
        }
        if quote != nil || escape { return nil }
        if inWord { words.append(current) }
        return words
    }
}

/// Byte sizes as Compose writes them: `512m`, `1g`, `64k`, `100b`, `1024`.
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let n = Int(t) { return n >= 0 ? n : nil }
        let units: [(String, Int)] = [("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count)), n >= 0 else { return nil }
            return Int(n * Double(factor))
        }
        return nil
    }
}

/// `KEY=value` files (Compose env_file and `.env`): comments, blank lines, `export`, quotes.
public enum EnvFile {
    public static func parse(_ text: String, file: String, sink: DiagnosticSink) -> [(String, String)] {
        var result: [(String, String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else {
                sink.error(Location(file: file, line: index + 1, column: 1), "expected KEY=value")
                continue
            }
            let key = String(line[..<eq]).trimmingCharacters(in: .whitespaces)
            var value = String(line[line.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
                if q == "\"" { value = value.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"") }
            } else if let hash = value.range(of: " #") {
                value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            guard !key.isEmpty, key.allSatisfy({ $0 == "_" || $0 == "." || $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                sink.error(Location(file: file, line: index + 1, column: 1), "invalid variable name '\(key)'")
                continue
            }
            result.append((key, value))
        }
        return result
    }
}
