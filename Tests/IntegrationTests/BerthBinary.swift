import BerthSystem
import Foundation
import Testing
import TestSupport

/// Runs the built `berth` executable, as a user would.
enum BerthBinary {
    /// The executable sits beside the test bundle in SwiftPM's build directory.
    static var url: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("berth")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/berth")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        let result = try ChildProcess.runBlocking(url.path, arguments, environment: env)
        return Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }
}
