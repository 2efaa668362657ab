import Foundation

/// Changes a `secrets.enc.env` with sops, for `berth secrets`: values reach sops on its standard input,
/// never on a command line (where `ps` would show them), and nothing decrypted is written to disk.
public struct SecretsStore: Sendable {
    /// The repository's root: sops runs there, so that it finds `.sops.yaml` for a new file's recipients.
    public var root: URL
    /// `projects/<p>/secrets.enc.env` or `secrets.enc.env`, relative to `root`.
    public var file: String
    public var sops: Sops

    public init(root: URL, file: String, sops: Sops) {
        self.root = root
        self.file = file
        self.sops = sops
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var url: URL { root.appendingPathComponent(file) }
    public var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

    /// The decrypted file (empty when there is none); a file sops cannot decrypt is an error.
    public func read() throws(Failure) -> SecretSet {
        guard exists else { return SecretSet(file: file) }
        let sink = DiagnosticSink()
        guard let set = SecretsFile.decrypt(url, file: file, sops: sops, sink: sink), sink.isEmpty else {
            throw Failure(description: sink.sorted.map(\.description).joined(separator: "\n"))
        }
        return set
    }

    /// Sets `key` to `value`: in place with `sops set --value-stdin` when the file exists (only that value
    /// is re-encrypted), else a new file encrypted for the recipients of `.sops.yaml` (or `SOPS_AGE_RECIPIENTS`).
    public func set(_ key: String, to value: SecretValue) throws(Failure) {
        guard SecretsFile.isVariableName(key) else {
            throw Failure(description: "'\(key)' is not a valid variable name: use letters, digits and '_', not starting with a digit")
        }
        guard !key.hasPrefix("sops_") else { throw Failure(description: "keys starting with sops_ are sops's own metadata; choose another name") }
        let json = JSONText.quoted(value.reveal())
        if exists {
            _ = try read()  // the file must decrypt (right key, intact) before it is changed
            try run(["set", "--input-type", "dotenv", "--output-type", "dotenv", "--value-stdin", url.path, "[\(JSONText.quoted(key))]"],
                    input: Data(json.utf8), what: "set \(key) in \(file)")
            return
        }
        let result = try run(["--encrypt", "--input-type", "json", "--output-type", "dotenv", "--filename-override", file] + recipientArguments + ["/dev/stdin"],
                             input: Data("{\(JSONText.quoted(key)):\(json)}".utf8), what: "create \(file)")
        try makeDirectory()
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: result.output, attributes: [.posixPermissions: 0o644]),
              rename(temporary.path, url.path) == 0 else {
            throw Failure(description: "cannot write \(file)")
        }
    }

    /// `--age` with platform.yml's `secrets.age_recipients` when the repository has no `.sops.yaml` (sops
    /// reads that itself; without either, sops takes SOPS_AGE_RECIPIENTS).
    var recipientArguments: [String] {
        guard !FileManager.default.fileExists(atPath: root.appendingPathComponent(".sops.yaml").path) else { return [] }
        let recipients = Self.platformRecipients(root)
        return recipients.isEmpty ? [] : ["--age", recipients.joined(separator: ",")]
    }

    /// platform.yml's `secrets.age_recipients` (none when platform.yml is missing or invalid: the
    /// command then says there are no recipients).
    public static func platformRecipients(_ root: URL) -> [String] {
        let sink = DiagnosticSink()
        guard let text = try? String(contentsOf: root.appendingPathComponent(PlatformLoader.file), encoding: .utf8),
              let value = YAMLValue.parse(text, file: PlatformLoader.file, into: sink),
              let platform = PlatformLoader(sink: sink).load(value), sink.isEmpty else { return [] }
        return platform.ageRecipients
    }

    /// Removes `key`; a key the file does not have is an error naming the keys it has.
    public func unset(_ key: String) throws(Failure) {
        let current = try read()
        guard current.values[key] != nil else {
            throw Failure(description: "\(file) has no key \(key)\(Suggestion.hint(for: key, in: current.keys)); its keys: \(current.keys.isEmpty ? "none" : current.keys.joined(separator: ", "))")
        }
        try run(["unset", "--input-type", "dotenv", "--output-type", "dotenv", url.path, "[\(JSONText.quoted(key))]"], what: "unset \(key) in \(file)")
    }

    /// Opens the file in `$EDITOR` through `sops edit` (a new file gets `.sops.yaml`'s recipients).
    public func edit() throws(Failure) {
        try makeDirectory()
        let result = try sopsRun(["edit", "--input-type", "dotenv", "--output-type", "dotenv"] + (exists ? [] : recipientArguments) + [file], interactive: true)
        // 200: the file was not changed.
        guard result.status == 0 || result.status == 200 else {
            throw Failure(description: "sops edit \(file) failed (exit status \(result.status)); the file is as it was")
        }
    }

    private func makeDirectory() throws(Failure) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(url.deletingLastPathComponent().path): \(error.localizedDescription)")
        }
    }

    @discardableResult
    private func run(_ arguments: [String], input: Data? = nil, what: String) throws(Failure) -> Sops.Result {
        let result = try sopsRun(arguments, input: input)
        guard result.status == 0 else {
            let errors = result.errors
            let reason = errors.contains("no creation rules") || errors.contains("no keys provided")
                ? "no age recipients for \(file): create .sops.yaml at the repository's root (berth init --age does), list them in platform.yml's secrets.age_recipients, or set SOPS_AGE_RECIPIENTS"
                : SecretsFile.reason(errors, sops: sops)
            throw Failure(description: "cannot \(what): \(reason); the file is as it was")
        }
        return result
    }

    private func sopsRun(_ arguments: [String], input: Data? = nil, interactive: Bool = false) throws(Failure) -> Sops.Result {
        do {
            return try sops.run(arguments, input: input, directory: root, interactive: interactive)
        } catch {
            throw Failure(description: error.description)
        }
    }
}
