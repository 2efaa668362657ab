import BerthRender
import Foundation
import Testing
import TestSupport

/// A real authoritative DNS server for DNS-01 tests: Debian's `knotd` on 127.0.0.1, serving one zone
/// in which every name resolves to 127.0.0.1, open to RFC 2136 dynamic updates signed with a TSIG key
/// (what lego's `rfc2136` provider sends). Started by the test, stopped (by its pid) at the end.
final class E2EKnot: @unchecked Sendable {
    static let port = 18054
    static let zone = "berth-dns.test"
    static let keyName = "berth-acme"
    static var address: String { "127.0.0.1:\(port)" }

    let directory: URL
    /// The TSIG secret (base64), new for each run.
    let secret: String
    private var process: E2EBackgroundCommand?

    private init(directory: URL, secret: String) {
        self.directory = directory
        self.secret = secret
    }

    static func run(_ body: (E2EKnot) async throws -> Void) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/knotd"), "knotd is missing: run scripts/setup.sh (apt-get install knot)")
        let random = try Fixtures.run(["openssl", "rand", "-base64", "32"])
        let knot = E2EKnot(directory: Fixtures.tempDirectory("berth-knot"), secret: random.output.trimmingCharacters(in: .whitespacesAndNewlines))
        do {
            try await knot.start()
            try await body(knot)
        } catch {
            await knot.stop()
            throw error
        }
        await knot.stop()
    }

    /// Serves Berth's rendered zone files (`zone name → file contents`) with the knot.conf Berth renders,
    /// on 127.0.0.1:`zonePort`, for the zone and `berth dns check` tests.
    static let zonePort = 18055

    static func serve(zones: [(zone: String, contents: String)], _ body: (E2EKnot) async throws -> Void) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/knotd"), "knotd is missing: run scripts/setup.sh (apt-get install knot)")
        let knot = E2EKnot(directory: Fixtures.tempDirectory("berth-knot-zones"), secret: "")
        do {
            let d = knot.directory.path
            for (zone, contents) in zones { try contents.write(toFile: "\(d)/\(zone).zone", atomically: true, encoding: .utf8) }
            let config = DNSRenderer.knotConfig(zones: zones.map(\.zone), listen: "127.0.0.1@\(zonePort)", zoneDirectory: d, runDirectory: d, storage: d)
            try config.write(toFile: "\(d)/knot.conf", atomically: true, encoding: .utf8)
            try await knot.launch(probe: ["+short", zones[0].zone, "SOA"], port: zonePort)
            try await body(knot)
        } catch {
            await knot.stop()
            throw error
        }
        await knot.stop()
    }

    /// Sends SIGHUP: knotd loads the zone files that changed.
    func reload() {
        if let process, process.isRunning { kill(process.pid, SIGHUP) }
    }

    private func launch(probe: [String], port: Int) async throws {
        let d = directory.path
        process = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/sbin/knotd"), arguments: ["-c", "\(d)/knot.conf"])
        let deadline = Deadline(seconds: 10)
        while !deadline.passed {
            let answer = await E2ECommand.run(["kdig", "@127.0.0.1", "-p", "\(port)", "+time=1"] + probe, timeout: 5)
            if !answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EFailure("knotd did not answer on 127.0.0.1:\(port) within 10 s: \(process?.currentOutput ?? "")")
    }

    private func start() async throws {
        let d = directory.path
        try """
            server:
                listen: 127.0.0.1@\(Self.port)
                rundir: \(d)
            database:
                storage: \(d)
            key:
              - id: \(Self.keyName)
                algorithm: hmac-sha256
                secret: \(secret)
            acl:
              - id: update
                key: \(Self.keyName)
                action: update
            zone:
              - domain: \(Self.zone)
                storage: \(d)
                file: zone
                acl: update
                zonefile-sync: -1
                journal-content: all
            """.write(toFile: "\(d)/knot.conf", atomically: true, encoding: .utf8)
        try """
            $ORIGIN \(Self.zone).
            $TTL 5
            @ SOA ns.\(Self.zone). admin.\(Self.zone). 1 60 60 600 5
            @ NS ns
            ns A 127.0.0.1
            @ A 127.0.0.1
            * A 127.0.0.1

            """.write(toFile: "\(d)/zone", atomically: true, encoding: .utf8)
        process = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/sbin/knotd"), arguments: ["-c", "\(d)/knot.conf"])
        let deadline = Deadline(seconds: 10)
        while !deadline.passed {
            let answer = await E2ECommand.run(["kdig", "@127.0.0.1", "-p", "\(Self.port)", "+short", "+time=1", "probe.\(Self.zone)", "A"], timeout: 5)
            if answer.stdout.contains("127.0.0.1") { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw E2EFailure("knotd did not answer on \(Self.address) within 10 s: \(process?.currentOutput ?? "")")
    }

    func stop() async {
        if let process, process.isRunning { kill(process.pid, SIGTERM) }
        _ = await process?.wait(timeout: 10)
        process = nil
        Fixtures.cleanup(directory)
    }
}
