import BerthSystem
import Foundation

/// Images for tests, built offline (no registry is reachable): a static busybox in an otherwise empty rootfs.
enum TestImages {
    /// `sh`, `httpd`, `wget`, `nc`, `sleep`, `cat`, `echo` and the other busybox applets named below.
    static let busybox = "berth-test/busybox:1"
    static let busyboxApplets = ["sh", "httpd", "sleep", "wget", "nc", "cat", "echo", "mkdir", "ls", "kill", "true"]

    /// Builds `busybox` unless the engine already has it; the work is done once per process.
    static func ensureBusybox() async throws -> String {
        try await busyboxBuild.value
        return busybox
    }

    private static let busyboxBuild = Task<Void, any Error> {
        if try run(["docker", "image", "inspect", busybox]).status == 0 { return }
        try buildBusybox(tag: busybox)
    }

    /// Makes a rootfs with `/bin/busybox` and applet symlinks and imports it with `docker import`.
    static func buildBusybox(tag: String, busyboxPath: String = "/bin/busybox") throws {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: busyboxPath) else {
            throw TestImageError("no static busybox at \(busyboxPath): apt-get install -y busybox-static")
        }
        let work = files.temporaryDirectory.appendingPathComponent("berth-image-\(UUID().uuidString.prefix(8))")
        defer { try? files.removeItem(at: work) }
        let root = work.appendingPathComponent("root")
        let bin = root.appendingPathComponent("bin")
        for dir in [bin, root.appendingPathComponent("tmp"), root.appendingPathComponent("www")] {
            try files.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        try files.copyItem(atPath: busyboxPath, toPath: bin.appendingPathComponent("busybox").path)
        for applet in busyboxApplets {
            try files.createSymbolicLink(atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
        }
        let archive = work.appendingPathComponent("rootfs.tar")
        try check(run(["tar", "-C", root.path, "-cf", archive.path, "."]), "packing the rootfs")
        try check(run(["docker", "import", "--change", "CMD [\"sh\"]", archive.path, tag]), "importing \(tag)")
    }

    /// Runs a command found on PATH; returns its exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.runBlocking("/usr/bin/env", arguments, mergeOutput: true)
        return (result.status, result.stdoutText)
    }

    private static func check(_ result: (status: Int32, output: String), _ what: String) throws {
        guard result.status == 0 else { throw TestImageError("\(what) failed (\(result.status)): \(result.output)") }
    }
}

struct TestImageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
