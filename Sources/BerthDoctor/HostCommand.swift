import BerthSystem
import Foundation

/// Runs a host tool (iptables, nft) and collects its output. Only for short commands with small output.
public struct HostCommand: Sendable {
    public struct Result: Sendable, Hashable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The tool's path in the usual directories, nil when it is not installed.
    public static func tool(_ name: String) -> String? {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// Runs `executable arguments`; nil when it cannot be started.
    public static func run(_ executable: String, _ arguments: [String]) async -> Result? {
        guard let result = try? await ChildProcess.run(executable, arguments) else { return nil }
        return Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }
}
