import ArgumentParser
import BerthConfig
import Foundation

/// `berth secrets edit|set|unset|list`: a project's `projects/<p>/secrets.enc.env`, or with `--platform`
/// the platform's `secrets.enc.env`, changed through sops. Values are never printed nor taken from argv.
struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Edit, set, unset or list the SOPS-encrypted secrets of a project or of the platform.",
        discussion: """
            The file is projects/PROJECT/secrets.enc.env (with --platform: secrets.enc.env at the \
            repository's root), a dotenv file encrypted by sops for the age recipients of .sops.yaml. \
            Decryption needs the age private key: SOPS_AGE_KEY_FILE or BERTH_AGE_KEY_FILE.

            Examples:
              berth secrets set web DB_PASSWORD < password.txt
              printf %s "$TOKEN" | berth secrets set --platform DNS_API_TOKEN
              berth secrets list web
              berth secrets unset web OLD_KEY
              EDITOR=vi berth secrets edit web
            """,
        subcommands: [SecretsEdit.self, SecretsSet.self, SecretsUnset.self, SecretsList.self]
    )
}

/// Where the secrets file is: a project's or (`--platform`) the platform's.
struct SecretsTarget: ParsableArguments {
    @Option(name: [.short, .customLong("config")], help: "The configuration repository (platform.yml and projects/).")
    var config: String = "."

    @Flag(help: "The platform-level secrets.enc.env (read by platform.yml only) instead of a project's.")
    var platform = false

    /// The store for `project` (nil with `--platform`); a project without a directory is an error.
    func store(_ project: String?) throws -> SecretsStore {
        let root = URL(fileURLWithPath: config).standardizedFileURL
        let file: String
        if platform {
            guard project == nil else { throw ValidationError("give either PROJECT or --platform, not both") }
            file = SecretsFile.name
        } else {
            guard let project else { throw ValidationError("name the project (berth secrets … PROJECT), or pass --platform") }
            guard Names.isProjectName(project) else { throw ValidationError("'\(project)' is not a project name") }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/\(project)").path, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("there is no project '\(project)' in \(config) (no directory projects/\(project))")
            }
            file = "projects/\(project)/\(SecretsFile.name)"
        }
        do {
            return SecretsStore(root: root, file: file, sops: try Sops.locate())
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}

/// Runs a store operation; its failure is a runtime failure (exit code 3) that says what to do.
func secretsOperation<T>(_ body: () throws(SecretsStore.Failure) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw RuntimeFailure(error.description)
    }
}

struct SecretsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys of the secrets file (never the values).")

    @Argument(help: "The project (omit with --platform).") var project: String?
    @OptionGroup var target: SecretsTarget
    @Flag(help: "Print the keys as a JSON array.") var json = false

    func run() throws {
        let store = try target.store(project)
        let set = try secretsOperation { () throws(SecretsStore.Failure) in try store.read() }
        if json {
            print("[" + set.keys.map { JSONText.quoted($0) }.joined(separator: ", ") + "]")
        } else if !store.exists {
            print("\(store.file) does not exist; create it with berth secrets set or berth secrets edit")
        } else {
            for key in set.keys { print(key) }
        }
    }
}

struct SecretsSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set KEY to the value read from standard input (one trailing newline is dropped).",
        discussion: "The value is never an argument: a command line is visible to every user in ps.")

    @Argument(help: "The project (omit with --platform).") var project: String?
    @Argument(help: "The key, e.g. DB_PASSWORD.") var key: String?
    @OptionGroup var target: SecretsTarget

    func run() throws {
        let (project, key) = try secretsArguments(project, key, platform: target.platform)
        let store = try target.store(project)
        let value = try SecretInput.read(prompt: "value for \(key): ")
        try secretsOperation { () throws(SecretsStore.Failure) in try store.set(key, to: value) }
        print("set \(key) in \(store.file)")
    }
}

struct SecretsUnset: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unset", abstract: "Remove KEY from the secrets file.")

    @Argument(help: "The project (omit with --platform).") var project: String?
    @Argument(help: "The key to remove.") var key: String?
    @OptionGroup var target: SecretsTarget

    func run() throws {
        let (project, key) = try secretsArguments(project, key, platform: target.platform)
        let store = try target.store(project)
        try secretsOperation { () throws(SecretsStore.Failure) in try store.unset(key) }
        print("removed \(key) from \(store.file)")
    }
}

struct SecretsEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Open the secrets file, decrypted, in $EDITOR (sops edit); it is encrypted again on save.")

    @Argument(help: "The project (omit with --platform).") var project: String?
    @OptionGroup var target: SecretsTarget

    func run() throws {
        let store = try target.store(project)
        try secretsOperation { () throws(SecretsStore.Failure) in try store.edit() }
        _ = try secretsOperation { () throws(SecretsStore.Failure) in try store.read() }
    }
}

/// `PROJECT KEY`, or with `--platform` only `KEY` (then in the first position).
func secretsArguments(_ first: String?, _ second: String?, platform: Bool) throws -> (String?, String) {
    if platform {
        guard let key = second == nil ? first : nil else { throw ValidationError("with --platform give only KEY") }
        return (nil, key)
    }
    guard let first, let second else { throw ValidationError("give PROJECT and KEY (or --platform KEY)") }
    return (first, second)
}
