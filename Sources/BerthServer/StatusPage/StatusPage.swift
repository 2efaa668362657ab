import BerthEngine
import BerthProxy
import Foundation

/// What the status page (`GET /`) shows, gathered for one viewer (see `StatusPage+Gather.swift`).
struct StatusPage: Sendable {
    static let refreshSeconds = 5

    struct Link: Sendable {
        var text: String
        /// nil: shown as text (a wildcard host, a tcp/udp route).
        var url: String?
    }

    struct Service: Sendable {
        var name: String
        var healthy, running, replicas: Int
        var links: [Link]
    }

    struct Project: Sendable {
        var name: String
        var services: [Service]
        var lastDeployment: DeploymentSummary?
    }

    var viewer: String
    var projects: [Project]
    /// Why the projects could not be read (the engine or the repository), shown instead of them.
    var projectsError: String?
    /// Running, then queued tasks the viewer may see.
    var tasks: [DeployTask]
    var certificates: [HostCertificate]
    var certificatesError: String?
    var generatedAt: Date
}

/// The page as HTML: no script, a meta refresh; every value from outside goes through `escape`.
extension StatusPage {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;margin-bottom:1.5rem;min-width:40rem}
        th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f4f4f4}
        .ok{color:#1a7f37}.bad{color:#c62828}.warn{color:#b26a00}.muted{color:#777}header{display:flex;gap:1rem;align-items:baseline}
        progress{width:8rem}form{display:inline}
        """

    static func shell(title: String, refresh: Bool, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        \(refresh ? "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">" : "")
        <meta name="viewport" content="width=device-width, initial-scale=1"><style>\(style)</style></head>
        <body>
        \(body)
        </body></html>

        """
    }

    /// The sign-in form (also the page's 401 answer).
    static func loginPage(message: String?) -> String {
        shell(title: "Berth — sign in", refresh: false, body: """
            <h1>Berth</h1>
            \(message.map { "<p class=\"bad\" id=\"login-error\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login">
            <label>Token (read or admin) <input type="password" name="token" autocomplete="off" required></label>
            <button type="submit">Sign in</button>
            </form>
            <p class="muted">Create a token on the daemon's host: <code>berth token create NAME --scope read</code>.</p>
            """)
    }

    var html: String {
        let iso = ISO8601DateFormatter()
        var body = """
            <header><h1>Berth</h1><span class="muted" id="viewer">signed in as \(Self.escape(viewer)) · \(iso.string(from: generatedAt))</span>
            <form method="post" action="/logout"><button type="submit">Sign out</button></form></header>

            """
        body += "<h2>Projects</h2>\n"
        if let projectsError {
            body += "<p class=\"bad\" id=\"projects-error\">\(Self.escape(projectsError))</p>\n"
        } else if projects.isEmpty {
            body += "<p class=\"muted\">No projects.</p>\n"
        } else {
            body += "<table id=\"projects\"><thead><tr><th>Project</th><th>Service</th><th>Healthy / replicas</th><th>Routes</th><th>Last deployment</th></tr></thead><tbody>\n"
            for project in projects { body += row(project, iso) }
            body += "</tbody></table>\n"
        }
        body += "<h2>Tasks</h2>\n"
        if tasks.isEmpty {
            body += "<p class=\"muted\" id=\"no-tasks\">No running or queued tasks.</p>\n"
        } else {
            body += "<table id=\"tasks\"><thead><tr><th>Task</th><th>State</th><th>Projects</th><th>Progress</th><th>Message</th><th>By</th></tr></thead><tbody>\n"
            for task in tasks {
                let progress = task.total > 0 ? "\(task.step)/\(task.total)" : "–"
                body += "<tr class=\"task\" data-state=\"\(task.state.rawValue)\"><td>\(Self.escape(task.id))</td><td>\(task.state.rawValue)</td>"
                body += "<td>\(Self.escape(task.projects?.joined(separator: ", ") ?? "every project"))</td>"
                body += "<td><progress max=\"100\" value=\"\(task.percent)\"></progress> \(task.percent)% (\(progress))"
                body += task.phase.map { " <span class=\"muted\">\(Self.escape($0))</span>" } ?? ""
                body += "</td><td>\(Self.escape(task.message))</td><td>\(Self.escape(task.createdBy))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        body += "<h2>Certificates</h2>\n"
        if let certificatesError {
            body += "<p class=\"bad\" id=\"certificates-error\">\(Self.escape(certificatesError))</p>\n"
        } else if certificates.isEmpty {
            body += "<p class=\"muted\" id=\"no-certificates\">No routed TLS hosts.</p>\n"
        } else {
            body += "<table id=\"certificates\"><thead><tr><th>Host</th><th>Status</th><th>Days left</th><th>Not after</th><th>Issuer</th></tr></thead><tbody>\n"
            for entry in certificates {
                let css = entry.status == .ok ? "ok" : entry.status == .expiring || entry.status == .missing ? "warn" : "bad"
                body += "<tr class=\"certificate\"><td>\(Self.escape(entry.host))</td><td class=\"\(css)\">\(entry.status.rawValue)</td>"
                body += "<td>\(entry.daysLeft.map(String.init) ?? "–")</td>"
                body += "<td>\(entry.certificate.map { iso.string(from: $0.notAfter) } ?? "–")</td>"
                body += "<td>\(Self.escape(entry.certificate?.issuer ?? "–"))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        return Self.shell(title: "Berth — status", refresh: true, body: body)
    }

    private func row(_ project: Project, _ iso: ISO8601DateFormatter) -> String {
        let last = project.lastDeployment.map { d in
            "<span class=\"\(d.result == .succeeded ? "ok" : "bad")\">\(Self.escape(d.result.rawValue))</span> \(Self.escape(d.id)) <span class=\"muted\">\(iso.string(from: d.finishedAt))</span>"
        } ?? "<span class=\"muted\">none</span>"
        let services = project.services.isEmpty
            ? [Service(name: "", healthy: 0, running: 0, replicas: 0, links: [])] : project.services
        var out = ""
        for (i, service) in services.enumerated() {
            out += "<tr class=\"service\">"
            if i == 0 { out += "<td rowspan=\"\(services.count)\" class=\"project\">\(Self.escape(project.name))</td>" }
            if service.name.isEmpty {
                out += "<td class=\"muted\" colspan=\"3\">not deployed</td>"
            } else {
                let css = service.replicas > 0 && service.healthy == service.replicas ? "ok" : service.healthy == 0 ? "bad" : "warn"
                let links = service.links.map { link in
                    link.url.map { "<a href=\"\(Self.escape($0))\">\(Self.escape(link.text))</a>" } ?? Self.escape(link.text)
                }.joined(separator: "<br>")
                out += "<td>\(Self.escape(service.name))</td><td class=\"replicas \(css)\">\(service.healthy)/\(service.replicas)</td><td>\(links)</td>"
            }
            if i == 0 { out += "<td rowspan=\"\(services.count)\">\(last)</td>" }
            out += "</tr>\n"
        }
        return out
    }
}
