import ArgumentParser
import BerthSystem
import Foundation

/// `berth init --age`: an age key pair for SOPS and the repository's `.sops.yaml` naming its public key
/// as the recipient of every `secrets.enc.env`. The private key stays outside the repository (sops's
/// default location unless told otherwise), and `.gitignore` covers the usual key file names.
struct AgeSetup {
    var repository: URL
    var keyFile: String?

    /// The files init writes with `--age` (checked for clashes before anything is written).
    static let plannedFiles = [".sops.yaml": "", ".gitignore": ""]

    struct Result {
        var files: [String: String]
        var summary: String
    }

    static var defaultKeyFile: String {
        let env = ProcessInfo.processInfo.environment
        let config = env["XDG_CONFIG_HOME"].map { $0 } ?? "\(env["HOME"] ?? NSHomeDirectory())/.config"
        return "\(config)/sops/age/keys.txt"
    }

    func run() throws -> Result {
        let path = URL(fileURLWithPath: keyFile ?? Self.defaultKeyFile).standardizedFileURL.path
        let fm = FileManager.default
        var created = false
        if !fm.fileExists(atPath: path) {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw RuntimeFailure("cannot create \(directory.path): \(error.localizedDescription)")
            }
            _ = try Self.ageKeygen(["-o", path])
            created = true
        }
        let publicKey = try Self.ageKeygen(["-y", path]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard publicKey.hasPrefix("age1") else { throw RuntimeFailure("\(path) does not hold an age private key (age-keygen -y found no public key)") }
        let root = repository.standardizedFileURL.path
        var ignored = ["keys.txt", "*.agekey", "age.key"]
        let inside = path.hasPrefix(root + "/")
        if inside { ignored.append("/" + String(path.dropFirst(root.count + 1))) }
        let files = [
            ".sops.yaml": """
                # sops (and berth secrets set/edit) encrypts every secrets.enc.env for these age recipients.
                # Add a teammate's or a server's public key after a comma (age: age1…,age1…), then run
                # `sops updatekeys FILE` on each secrets file.
                creation_rules:
                  - path_regex: (^|/)secrets\\.enc\\.env$
                    age: \(publicKey)

                """,
            ".gitignore": "# age private keys: never commit them\n" + ignored.joined(separator: "\n") + "\n",
        ]
        var summary = """
              age key: \(path) (\(created ? "created" : "existing, reused")); public key \(publicKey) is the recipient in .sops.yaml
              keep the private key safe and backed up, never in git\(path == Self.defaultKeyFile ? "" : "; point sops at it: export SOPS_AGE_KEY_FILE=\(path)")
            """
        if inside { summary += "\n  warning: the key is inside the repository; .gitignore covers it, but it belongs outside" }
        return Result(files: files, summary: summary)
    }

    /// Runs age-keygen (from PATH); its standard output.
    static func ageKeygen(_ arguments: [String]) throws -> String {
        guard let executable = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map({ "\($0)/age-keygen" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw RuntimeFailure("age-keygen is not on PATH; install age (apt-get install age) or pass --age-key-file with an existing key")
        }
        let result: ChildProcess.Captured
        do { result = try ChildProcess.runBlocking(executable, arguments) } catch { throw RuntimeFailure("cannot run age-keygen: \(error)") }
        guard result.succeeded else {
            throw RuntimeFailure("age-keygen \(arguments.first ?? "") failed: \(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.stdoutText
    }
}
