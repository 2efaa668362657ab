import Foundation

/// Reads a `secrets.enc.env`: a dotenv file encrypted by sops with age. It is decrypted with the real
/// sops binary into memory (sops writes JSON to a pipe; nothing decrypted touches the disk).
public enum SecretsFile {
    public static let name = "secrets.enc.env"

    /// Where each key is written in the encrypted file (sops keeps the dotenv layout, one key a line).
    /// sops' own metadata keys (`sops_*`) are left out.
    static func keyLocations(_ text: String, file: String) -> [String: Location] {
        var locations: [String: Location] = [:]
        var line = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let trimmed = raw.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.hasPrefix("#"), let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<eq])
            if key.hasPrefix("sops_") || key.isEmpty { continue }
            locations[key] = Location(file: file, line: line, column: raw.count - trimmed.count + 1)
        }
        return locations
    }

    /// Decrypts `url` (named `file` in messages). A file sops cannot decrypt — no matching age key, a value
    /// or the MAC changed after encryption, not a sops file at all — is reported with what to do, and
    /// gives nil.
    public static func decrypt(_ url: URL, file: String, sops: Sops, sink: DiagnosticSink) -> SecretSet? {
        let location = Location(file: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            sink.error(location, "cannot read \(file)")
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("sops_mac=") || text.contains("sops_version=") else {
            sink.error(location, "\(file) is not encrypted by sops (it has no sops metadata): a secrets file must never be committed in the clear; encrypt it with `sops --encrypt --in-place --input-type dotenv --output-type dotenv \(file)`, then rotate the values it held")
            return nil
        }
        let result: Sops.Result
        do {
            result = try sops.run(["--decrypt", "--input-type", "dotenv", "--output-type", "json", url.path])
        } catch {
            sink.error(location, "cannot decrypt \(file): \(error.description)")
            return nil
        }
        guard result.status == 0 else {
            sink.error(location, "cannot decrypt \(file): \(reason(result.errors, sops: sops))")
            return nil
        }
        guard let object = try? JSONSerialization.jsonObject(with: result.output) as? [String: Any] else {
            sink.error(location, "cannot decrypt \(file): sops's output is not a JSON object of KEY=value pairs")
            return nil
        }
        let locations = keyLocations(text, file: file)
        var values: [String: SecretValue] = [:]
        for (key, value) in object {
            let keyLocation = locations[key] ?? location
            guard let string = value as? String else {
                sink.error(keyLocation, "the value of \(key) in \(file) is not text")
                continue
            }
            guard isVariableName(key) else {
                sink.error(keyLocation, "the key '\(key)' in \(file) is not a valid variable name: use letters, digits and '_', not starting with a digit")
                continue
            }
            values[key] = SecretValue(string)
        }
        return SecretSet(file: file, values: values, locations: locations)
    }

    static func isVariableName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// What sops's error means, in words that say what to do (sops never prints values in errors).
    static func reason(_ errors: String, sops: Sops) -> String {
        if errors.contains("MAC mismatch") {
            return "the file was changed after it was encrypted (its MAC does not match): restore it from git, or edit it only with `berth secrets edit`"
        }
        if errors.contains("Failed to get the data key") || errors.contains("no identity matched") {
            let fix = "set SOPS_AGE_KEY_FILE or BERTH_AGE_KEY_FILE to the private key of one of the age recipients listed in the file"
            if let file = sops.environment["SOPS_AGE_KEY_FILE"] { return "the age key in \(file) is not one of its recipients; \(fix)" }
            if sops.environment["SOPS_AGE_KEY"] != nil { return "the age key in SOPS_AGE_KEY is not one of its recipients; \(fix)" }
            return "no age key is given (SOPS_AGE_KEY_FILE and BERTH_AGE_KEY_FILE are not set, and sops's default ~/.config/sops/age/keys.txt has none of its recipients); \(fix)"
        }
        if errors.contains("message authentication failed") || errors.contains("Could not decrypt") {
            return "a value was changed after it was encrypted (its authentication tag does not match): restore the file from git"
        }
        let last = errors.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? "exit status unknown"
        return "sops failed: \(last)"
    }
}
