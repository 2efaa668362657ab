import Foundation
import Testing
import TestSupport

/// The status page of a real `berth serve` with a project deployed through the API, looked at by a real
/// headless Chromium (Debian `chromium`): its DOM is checked and a screenshot is kept as a test artifact.
/// (In ServeE2ETests, nested in ApplyE2ETests: the Docker end-to-end tests share the proxy's ports, so they take turns.)
extension ApplyE2ETests.ServeE2ETests {
    static let pageProject = "e2eweb-site"
    static let pageHost = "web-page.e2e.localhost"

    @Test func theStatusPageShowsProjectsHealthRoutesAndTasksInABrowser() async throws {
        try await E2EScenario.run("e2eweb-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            try s.project(Self.pageProject, compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: Self.pageHost))
            let admin = try await s.createToken("ops", scope: "admin")
            let viewer = try await s.createToken("viewer", scope: "read")
            let ci = try await s.createToken("ci", scope: "deploy")
            let daemon = try await ServeDaemon.start(s)
            defer { daemon.process.kill9() }

            // Signing in: without a session the page is the sign-in form (401); a deploy token is refused.
            let anonymous = await daemon.call("GET", "/")
            #expect(anonymous.status == 401 && anonymous.body.contains("action=\"/login\""), "\(anonymous)")
            #expect(await daemon.call("GET", "/login?token=\(ci)").status == 403)
            #expect(await daemon.call("GET", "/login?token=berth_nope").status == 401)
            #expect(await daemon.call("GET", "/", token: viewer).status == 200, "a bearer header works too")
            let login = await curl(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded",
                                    "--data-urlencode", "token=\(viewer)", daemon.base + "/login"])
            #expect(login.status == 303 && login.headers["location"] == "/", "\(login.status) \(login.headers)")
            let cookie = try #require(login.headers["set-cookie"], "no session cookie")
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains(viewer), "\(cookie)")
            let session = try #require(cookie.split(separator: ";").first.map(String.init))
            #expect(await curl(["-H", "Cookie: \(session)", daemon.base + "/"]).status == 200)
            #expect(await curl(["-H", "Cookie: \(session)", daemon.base + "/v1/tasks"]).status == 401, "the cookie must not open the API")
            #expect(await curl(["-X", "POST", "-H", "Cookie: \(session)", daemon.base + "/logout"]).status == 303)
            #expect(await curl(["-H", "Cookie: \(session)", daemon.base + "/"]).status == 401, "signed out")

            // Revoking the token ends its sessions at once.
            let temp = try await s.createToken("temp", scope: "read")
            let tempLogin = await curl(["-X", "POST", "--data-urlencode", "token=\(temp)", daemon.base + "/login"])
            let tempSession = try #require(tempLogin.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            #expect(await curl(["-H", "Cookie: \(tempSession)", daemon.base + "/"]).status == 200)
            #expect(try await BerthBinary.runAsync(["token", "revoke", "temp", "--state-dir", s.stateDir.path]).status == 0)
            #expect(await curl(["-H", "Cookie: \(tempSession)", daemon.base + "/"]).status == 401, "a revoked token's session must end")

            let firstID = try await daemon.queueDeploy("{}", token: admin)
            #expect(await daemon.waitForTask(firstID, token: admin)["state"] as? String == "succeeded")

            // A slow second version: the page shows the running task with its progress.
            try s.write("projects/\(Self.pageProject)/compose.yml",
                        E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2", "APP_START_DELAY": "12"]))
            let secondID = try await daemon.queueDeploy("{\"projects\": [\"\(Self.pageProject)\"]}", token: admin)
            let deadline = Deadline(seconds: 60)
            while !deadline.passed, await daemon.call("GET", "/v1/tasks/\(secondID)", token: admin).object["phase"] as? String != "waiting_ready" {
                try await Task.sleep(for: .milliseconds(100))
            }
            let browser = Chromium()
            defer { browser.remove() }
            let during = try await browser.dumpDOM(daemon.base + "/login?token=\(viewer)")
            #expect(during.contains("signed in as viewer (read)"), "\(during.prefix(2000))")
            #expect(during.contains(secondID) && during.contains("data-state=\"running\"") && during.contains("waiting_ready"), "\(during)")
            #expect(during.contains("<progress max=\"100\""))
            let shot = try await browser.screenshot(daemon.base + "/login?token=\(viewer)", name: "status-page-running.png")
            print("status page screenshot (a deploy running): \(shot.path)")

            #expect(await daemon.waitForTask(secondID, token: admin)["state"] as? String == "succeeded")
            let after = try await browser.dumpDOM(daemon.base + "/login?token=\(viewer)")
            #expect(after.contains("class=\"project\">\(Self.pageProject)</td>"), "\(after)")
            #expect(after.contains("<td>web</td><td class=\"replicas ok\">1/1</td>"), "\(after)")
            #expect(after.contains("<a href=\"http://\(Self.pageHost):\(E2E.httpPort)/\">\(Self.pageHost)</a>"), "\(after)")
            #expect(after.contains("<span class=\"ok\">succeeded</span>"), "last deployment")
            #expect(after.contains("No running or queued tasks."))
            #expect(after.contains("No routed TLS hosts."))
            // A read token limited to another project sees neither this project nor its tasks.
            let other = try await s.createToken("other", scope: "read", projects: ["e2eweb-other"])
            let limited = await daemon.call("GET", "/", token: other)
            #expect(limited.status == 200 && !limited.body.contains(Self.pageProject) && limited.body.contains("No projects."), "\(limited.body)")
            let final = try await browser.screenshot(daemon.base + "/login?token=\(viewer)", name: "status-page.png")
            print("status page screenshot: \(final.path)")
            let stopped = await daemon.stop()
            #expect(!stopped.output.contains(viewer) && !stopped.output.contains(admin), "a token was printed")
        }
    }

    struct CurlReply { var status: Int; var headers: [String: String] }

    /// curl with the answer's status and headers (header names lowercased).
    func curl(_ arguments: [String]) async -> CurlReply {
        let result = await E2ECommand.run(["curl", "-sS", "-o", "/dev/null", "-D", "-", "--max-time", "20"] + arguments, timeout: 30)
        var status = -1
        var headers: [String: String] = [:]
        for line in result.stdout.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") { status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1 }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return CurlReply(status: status, headers: headers)
    }
}

/// Headless Chromium with a profile of its own, and no traffic but to the pages it is given (background
/// networking, updates and sync off).
struct Chromium {
    let profile = Fixtures.tempDirectory("berth-chromium")

    var flags: [String] {
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
         "--disable-domain-reliability", "--no-pings", "--disable-extensions", "--disable-features=Translate,OptimizationHints,MediaRouter",
         "--window-size=1280,900", "--hide-scrollbars"]
    }

    func dumpDOM(_ url: String) async throws -> String {
        let result = await E2ECommand.run(flags + ["--dump-dom", url], timeout: 60)
        guard result.status == 0, !result.stdout.isEmpty else {
            throw E2EFailure("chromium --dump-dom failed (install Debian chromium: scripts/setup.sh):\n\(result)")
        }
        return result.stdout
    }

    /// Saves a PNG under $BERTH_TEST_ARTIFACTS (default .build/artifacts) and returns where.
    func screenshot(_ url: String, name: String) async throws -> URL {
        let dir = Self.artifacts
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: file)
        let result = await E2ECommand.run(flags + ["--screenshot=\(file.path)", url], timeout: 60)
        let data = (try? Data(contentsOf: file)) ?? Data()
        guard result.status == 0, data.count > 5_000, data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) else {
            throw E2EFailure("chromium --screenshot wrote no PNG (\(data.count) bytes):\n\(result)")
        }
        return file
    }

    static var artifacts: URL {
        if let dir = ProcessInfo.processInfo.environment["BERTH_TEST_ARTIFACTS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/artifacts")
    }

    func remove() { try? FileManager.default.removeItem(at: profile) }
}

extension ApplyE2ETests.ServeE2ETests {
    /// Certificate days left come from the proxy's own storage (Traefik's acme.json, as `berth certs`):
    /// openssl-made certificates, one valid for 40 days, one ending in 5 days, one host without any.
    @Test func theStatusPageShowsEachTLSHostsCertificateDaysLeft() async throws {
        try await E2EScenario.run("e2eweb-") { s in
            try s.write("platform.yml", E2E.platformYAML(extra: "acme: {email: ops@e2e.localhost}", traefik: true))
            try s.project("e2eweb-tls", compose: E2E.appCompose(replicas: 1), project: """
                ingress:
                  - {service: web, hosts: [tls-ok.e2e.localhost, tls-soon.e2e.localhost, tls-none.e2e.localhost], port: 8080}
                """)
            let past = TestCertificates.date(days: -1)
            let pems = [
                try TestCertificates.make(names: ["tls-ok.e2e.localhost"], notBefore: past, notAfter: TestCertificates.date(days: 40)),
                try TestCertificates.make(names: ["tls-soon.e2e.localhost"], notBefore: past, notAfter: TestCertificates.date(days: 5)),
            ]
            let dir = s.stateDir.appendingPathComponent("e2e-localhost/proxy/letsencrypt")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let entries = pems.map { "{\"domain\": {\"main\": \"x\"}, \"certificate\": \"\(Data($0.utf8).base64EncodedString())\", \"key\": \"a2V5\"}" }
            try "{\"letsencrypt\": {\"Certificates\": [\(entries.joined(separator: ","))]}}"
                .write(to: dir.appendingPathComponent("acme.json"), atomically: true, encoding: .utf8)
            let viewer = try await s.createToken("viewer", scope: "read")
            let daemon = try await ServeDaemon.start(s)
            defer { daemon.process.kill9() }

            let browser = Chromium()
            defer { browser.remove() }
            let dom = try await browser.dumpDOM(daemon.base + "/login?token=\(viewer)")
            #expect(dom.contains("<td>tls-ok.e2e.localhost</td><td class=\"ok\">ok</td><td>39</td>"), "\(dom)")
            #expect(dom.contains("<td>tls-soon.e2e.localhost</td><td class=\"warn\">expiring</td><td>4</td>"), "\(dom)")
            #expect(dom.contains("<td>tls-none.e2e.localhost</td><td class=\"warn\">missing</td><td>–</td>"), "\(dom)")
            #expect(dom.contains("class=\"project\">e2eweb-tls</td>") && dom.contains("not deployed"), "\(dom)")
            let shot = try await browser.screenshot(daemon.base + "/login?token=\(viewer)", name: "status-page-certificates.png")
            print("status page screenshot (certificates): \(shot.path)")

            // The same hosts through the API, as `berth certs --json` prints them.
            let api = await daemon.call("GET", "/v1/certs", token: viewer)
            let hosts = try #require(api.json as? [[String: Any]], "\(api)")
            #expect(hosts.map { "\($0["host"] ?? "") \($0["status"] ?? "") \($0["days_left"] ?? "-")" }
                == ["tls-ok.e2e.localhost ok 39", "tls-soon.e2e.localhost expiring 4", "tls-none.e2e.localhost missing -"], "\(api)")
            let cli = try BerthBinary.run(["certs", "--json", "-c", s.repo.path, "--state-dir", s.stateDir.path])
            #expect(cli.stdout == api.body, "GET /v1/certs is byte for byte berth certs --json")
            #expect(await daemon.call("GET", "/v1/certs").status == 401)
            _ = await daemon.stop()
        }
    }
}
