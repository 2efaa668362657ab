import BerthDocker
import Foundation
import Testing

@testable import BerthDoctor

@Suite struct DaemonChecksTests {
    func file(_ json: String) throws(DoctorError) -> DaemonConfigFile {
        try DaemonConfigFile.parse(Data(json.utf8), path: "/etc/docker/daemon.json")
    }

    /// Docker's defaults: no daemon.json, live-restore off, icc on, json-file logs without rotation.
    var defaults: DaemonFacts {
        DaemonFacts(
            info: SystemInfo(liveRestoreEnabled: false, loggingDriver: "json-file", securityOptions: ["name=seccomp,profile=default"]),
            defaultBridgeOptions: ["com.docker.network.bridge.enable_icc": "true"], configPath: "/etc/docker/daemon.json", config: nil,
            commandLine: DaemonCommandLine(["dockerd"]))
    }

    @Test func dockersDefaultsWarnAndFailOnLogs() {
        let byID = Dictionary(uniqueKeysWithValues: DaemonChecks.all(defaults).map { ($0.check, $0) })
        #expect(byID[.liveRestore]?.status == .warn)
        #expect(byID[.icc]?.status == .warn)
        #expect(byID[.userlandProxy]?.status == .warn)
        #expect(byID[.userlandProxy]?.why.contains("dockerd's default") == true)
        #expect(byID[.logRotation]?.status == .fail)
        #expect(byID[.noNewPrivileges]?.status == .warn)
        #expect(byID[.liveRestore]?.fix.contains("\"live-restore\": true in /etc/docker/daemon.json") == true)
    }

    @Test func theHardenedDaemonPasses() throws {
        var facts = defaults
        facts.info?.liveRestoreEnabled = true
        facts.defaultBridgeOptions = ["com.docker.network.bridge.enable_icc": "false"]
        facts.config = try file("""
            {"icc": false, "userland-proxy": false, "live-restore": true, "no-new-privileges": true,
             "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}, "storage-driver": "overlay2"}
            """)
        for finding in DaemonChecks.all(facts) { #expect(finding.status == .pass, "\(finding.check): \(finding.why)") }
    }

    @Test func theCommandLineCountsToo() {
        var facts = defaults
        facts.commandLine = DaemonCommandLine(["dockerd", "--userland-proxy=false", "--no-new-privileges", "--log-opt", "max-size=5m", "-H", "unix:///tmp/d.sock"])
        #expect(DaemonChecks.userlandProxy(facts).status == .pass)
        #expect(DaemonChecks.userlandProxy(facts).why.contains("dockerd --userland-proxy"))
        #expect(DaemonChecks.noNewPrivileges(facts).status == .pass)
        #expect(DaemonChecks.logRotation(facts).status == .pass)
        #expect(DaemonChecks.logRotation(facts).why.contains("5m"))
    }

    @Test func otherLogDriversNeedNoRotation() {
        var facts = defaults
        for driver in ["local", "journald", "none"] {
            facts.info?.loggingDriver = driver
            #expect(DaemonChecks.logRotation(facts).status == .pass, "\(driver)")
        }
    }

    @Test func noDefaultBridgeMeansNoIcc() {
        var facts = defaults
        facts.defaultBridgeOptions = nil
        #expect(DaemonChecks.icc(facts).status == .pass)
    }

    @Test func aRemoteDaemonsFileSettingsCannotBeChecked() {
        var facts = defaults
        facts.configPath = nil
        facts.commandLine = nil
        facts.configProblem = "no dockerd process listens on tcp://10.0.0.5:2375 on this host"
        let f = DaemonChecks.userlandProxy(facts)
        #expect(f.status == .warn)
        #expect(f.why.contains("cannot check"))
        #expect(f.fix.contains("--daemon-config"))
        #expect(DaemonChecks.liveRestore(facts).status == .warn)  // still from GET /info
    }

    @Test func commandLineParsing() {
        let line = DaemonCommandLine([
            "dockerd", "--config-file=/tmp/x.json", "-H", "unix:///tmp/a.sock", "--host=tcp://127.0.0.1:2375", "--icc=false",
            "--live-restore", "--log-driver", "local", "--log-opt=max-file=2",
        ])
        #expect(line.configFile == "/tmp/x.json")
        #expect(line.hosts == ["unix:///tmp/a.sock", "tcp://127.0.0.1:2375"])
        #expect(line.icc == false)
        #expect(line.liveRestore == true)
        #expect(line.logDriver == "local")
        #expect(line.logOpts == ["max-file": "2"])
        #expect(line.userlandProxy == nil)
        #expect(DaemonProcess.sockets(of: line) == ["/tmp/a.sock"])
        #expect(DaemonProcess.sockets(of: DaemonCommandLine(["dockerd", "--config-file", "/nonexistent.json"])) == ["/var/run/docker.sock"])
    }

    @Test func aBrokenConfigFileIsAnErrorThatNamesIt() {
        #expect(throws: DoctorError.self) { try file("{\"icc\": false,") }
        do {
            _ = try file("{\"live-restore\": \"yes\"}")
            Issue.record("a string for a boolean was accepted")
        } catch {
            #expect(error.message.contains("/etc/docker/daemon.json"))
            #expect(error.message.contains("live-restore"))
        }
    }

    /// The dockerd behind a socket is found by its -H flags in /proc (a fake /proc here; the end-to-end test uses the real one).
    @Test func theDaemonBehindASocketIsFoundInProc() throws {
        let proc = FileManager.default.temporaryDirectory.appendingPathComponent("berth-proc-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: proc) }
        func process(_ pid: Int, _ comm: String, _ arguments: [String]) throws {
            let dir = proc.appendingPathComponent(String(pid))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try (comm + "\n").write(to: dir.appendingPathComponent("comm"), atomically: true, encoding: .utf8)
            try Data(arguments.map { $0 + "\u{0}" }.joined().utf8).write(to: dir.appendingPathComponent("cmdline"))
        }
        try process(100, "dockerd", ["dockerd", "--config-file", "/nonexistent/main.json"])
        try process(200, "dockerd", ["dockerd", "-H", "unix:///tmp/second.sock", "--userland-proxy=false"])
        try process(300, "sleep", ["sleep", "-H", "unix:///tmp/third.sock"])
        let second = try #require(DaemonProcess.find(socketPath: "/tmp/second.sock", proc: proc.path))
        #expect(second.pid == 200)
        #expect(second.commandLine.userlandProxy == false)
        #expect(DaemonProcess.find(socketPath: "/var/run/docker.sock", proc: proc.path)?.pid == 100)
        #expect(DaemonProcess.find(socketPath: "/tmp/third.sock", proc: proc.path) == nil)
    }
}
