import Foundation
import Testing
import TestSupport

/// A real ACME CA for the tests: Debian's `pebble`, with `pebble-challtestsrv` as its DNS server
/// (every name resolves to 127.0.0.1), both started by the test on 127.0.0.1 and stopped at the end.
/// Pebble validates challenges on the proxy's ports (`httpPort`/`tlsPort` = the e2e proxy ports).
final class E2EPebble: @unchecked Sendable {
    static let directoryPort = 14000
    static let managementPort = 15000
    static let dnsPort = 18053
    static let challtestManagementPort = 18055
    /// Under a name that public CAs would sign, so that Caddy asks the ACME issuer (never for `*.localhost`).
    static let domain = "berth-acme.test"
    static var directoryURL: String { "https://127.0.0.1:\(directoryPort)/dir" }

    let directory: URL
    /// The CA of Pebble's own listener (what `acme.ca_root` points at).
    let listenerCA: URL
    /// Pebble's issuing root (new on every start), fetched from its management API: what clients trust.
    private(set) var issuingRoot: URL
    private var processes: [E2EBackgroundCommand] = []

    private init(directory: URL) {
        self.directory = directory
        listenerCA = directory.appendingPathComponent("listener-ca.pem")
        issuingRoot = directory.appendingPathComponent("issuing-root.pem")
    }

    /// Starts challtestsrv and Pebble (certificates valid `validity` seconds), runs `body`, stops both.
    /// `dnsServer`: where Pebble resolves names (default its own challtestsrv; a DNS-01 test gives its knot).
    static func run(validity: Int = 3600, dnsServer: String? = nil, _ body: (E2EPebble) async throws -> Void) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/pebble"), "pebble is missing: run scripts/setup.sh (apt-get install pebble)")
        let pebble = E2EPebble(directory: Fixtures.tempDirectory("berth-pebble"))
        do {
            try await pebble.start(validity: validity, dnsServer: dnsServer)
            try await body(pebble)
        } catch {
            await pebble.stop()
            throw error
        }
        await pebble.stop()
    }

    private func start(validity: Int, dnsServer: String?) async throws {
        try makeListenerCertificate()
        let config = """
            {"pebble": {"listenAddress": "127.0.0.1:\(Self.directoryPort)", "managementListenAddress": "127.0.0.1:\(Self.managementPort)",
              "certificate": "\(directory.path)/listener.pem", "privateKey": "\(directory.path)/listener-key.pem",
              "httpPort": \(E2E.httpPort), "tlsPort": \(E2E.httpsPort), "ocspResponderURL": "",
              "externalAccountBindingRequired": false, "certificateValidityPeriod": \(validity)}}
            """
        try config.write(to: directory.appendingPathComponent("pebble.json"), atomically: true, encoding: .utf8)
        processes.append(try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/bin/pebble-challtestsrv"), arguments: [
            "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", "127.0.0.1:\(Self.dnsPort)",
            "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:\(Self.challtestManagementPort)",
        ]))
        processes.append(try E2EBackgroundCommand(
            executable: URL(fileURLWithPath: "/usr/bin/pebble"),
            arguments: ["-config", directory.appendingPathComponent("pebble.json").path, "-dnsserver", dnsServer ?? "127.0.0.1:\(Self.dnsPort)"],
            environment: ["PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"]))
        let deadline = Deadline(seconds: 20)
        while !deadline.passed {
            let fetch = await E2ECommand.run(["curl", "-sf", "--max-time", "2", "--cacert", listenerCA.path,
                                              "-o", issuingRoot.path, "https://127.0.0.1:\(Self.managementPort)/roots/0"])
            if fetch.status == 0, (try? String(contentsOf: issuingRoot, encoding: .utf8))?.contains("BEGIN CERTIFICATE") == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EFailure("Pebble did not answer on 127.0.0.1:\(Self.managementPort) within 20 s:\n\(processes.map(\.currentOutput).joined(separator: "\n"))")
    }

    /// A CA and a certificate for 127.0.0.1/localhost signed by it (Pebble's package ships none).
    private func makeListenerCertificate() throws {
        let d = directory.path
        let steps: [[String]] = [
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
             "-subj", "/CN=berth test Pebble listener CA", "-keyout", "\(d)/listener-ca-key.pem", "-out", "\(d)/listener-ca.pem"],
            ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "\(d)/listener-key.pem", "-out", "\(d)/listener.csr"],
            ["sh", "-c", "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > \(d)/san.ext && openssl x509 -req -in \(d)/listener.csr "
                + "-CA \(d)/listener-ca.pem -CAkey \(d)/listener-ca-key.pem -CAcreateserial -days 2 -extfile \(d)/san.ext -out \(d)/listener.pem"],
        ]
        for step in steps {
            let result = try Fixtures.run(step)
            guard result.status == 0 else { throw E2EFailure("\(step.prefix(3).joined(separator: " ")) failed: \(result.output)") }
        }
    }

    /// SIGTERM to the processes this test started (by their pid), then their end.
    func stop() async {
        for process in processes where process.isRunning { kill(process.pid, SIGTERM) }
        for process in processes { _ = await process.wait(timeout: 10) }
        processes.removeAll()
        Fixtures.cleanup(directory)
    }

    /// `curl --cacert <issuing root> --resolve host:port:127.0.0.1 https://host:port/path`; the status
    /// line is the last line of the output.
    func curl(_ host: String, _ path: String = "/", port: Int = E2E.httpsPort, scheme: String = "https") async -> E2ECommandResult {
        await E2ECommand.run(["curl", "-sS", "--max-time", "5", "--cacert", issuingRoot.path,
                              "--resolve", "\(host):\(port):127.0.0.1", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                              "\(scheme)://\(host):\(port)\(path)"], timeout: 10)
    }

    /// Polls until `curl` over https verifies against Pebble's root and answers 200 (bounded).
    func waitForTrustedHTTPS(_ host: String, _ path: String, timeout: Double = 90) async -> E2ECommandResult {
        let deadline = Deadline(seconds: timeout)
        var last = await curl(host, path)
        while !deadline.passed {
            if last.status == 0, last.stdout.hasPrefix("200") { return last }
            try? await Task.sleep(for: .milliseconds(500))
            last = await curl(host, path)
        }
        return last
    }
}
