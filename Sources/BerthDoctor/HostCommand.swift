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
        await Task.detached {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                return nil
            }
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }.value
    }
}
