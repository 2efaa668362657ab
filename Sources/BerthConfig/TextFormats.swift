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

    /// `*.example.com`: a wildcard host (one leading `*` label, then a host name with at least two labels).
    public static func isWildcardHost(_ s: String) -> Bool {
        guard s.hasPrefix("*.") else { return false }
        let rest = String(s.dropFirst(2))
        return rest.contains(".") && isHostName(rest)
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
            let number = t.dropLast(suffix.count)
            guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let n = Double(number),
                  n * Double(factor) < 9e18 else { return nil }
            return Int(n * Double(factor))
        }
        return nil
    }
}

/// JSON text pieces written by hand (sops arguments, YAML/JSON documents).
public enum JSONText {
    /// `text` as a JSON string literal (YAML's double-quoted scalars read the same escapes).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
