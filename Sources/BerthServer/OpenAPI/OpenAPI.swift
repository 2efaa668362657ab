import BerthRender

/// The OpenAPI 3.1 description of every route of `berth serve`, served at `/openapi.json` and
/// `/openapi.yaml`. A test compares its paths with the router's routes, so a new route must be added here.
enum OpenAPI {
    static let version = "3.1.0"

    static var document: Document {
        var paths: [(String, [Operation])] = []
        for operation in operations {
            let path = operation.0
            if let i = paths.firstIndex(where: { $0.0 == path }) { paths[i].1.append(operation.1) } else { paths.append((path, [operation.1])) }
        }
        return .object([
            ("openapi", .string(version)),
            ("info", .object([
                ("title", .string("Berth daemon API (berth serve)")),
                ("version", .string("1")),
                ("description", .string("Deploys, tasks, events, status and logs of a Berth platform. Every route except /healthz, the OpenAPI documents and the status page's login needs Authorization: Bearer <token> (berth token create). See docs/api.md.")),
            ])),
            ("servers", .array([.object([("url", .string("/"))])])),
            ("security", .array([.object([("bearerAuth", .array([]))])])),
            ("tags", .array(["tasks", "events", "projects", "observability", "status page", "meta"].map { .object([("name", .string($0))]) })),
            ("paths", .object(paths.map { path, ops in (path, .object(ops.map { ($0.method, $0.document) })) })),
            ("components", .object([
                ("securitySchemes", .object([
                    ("bearerAuth", .object([("type", .string("http")), ("scheme", .string("bearer")),
                                            ("description", .string("A token from berth token create (scopes read, deploy, admin)"))])),
                    ("sessionCookie", .object([("type", .string("apiKey")), ("in", .string("cookie")), ("name", .string(Sessions.cookieName)),
                                               ("description", .string("The status page's session, set by /login (read or admin tokens)"))])),
                ])),
                ("schemas", .object(schemas)),
                ("responses", .object(errorResponses)),
            ])),
        ])
    }

    /// (path, operation) for every route, in the order the document lists them.
    static var operations: [(String, Operation)] {
        let taskID = Operation.path("id", "A task id (t-...)")
        let project = Operation.path("project", "A project name")
        let lastEventID = Operation.header("Last-Event-ID", Schema.string(), "Resume after this event id")
        let after = Operation.query("after", Schema.integer(minimum: 0), "Resume after this event id (as Last-Event-ID)")
        let sse = Operation.text("Server-Sent Events (id, event: state|progress, data: a TaskEvent as JSON)", "text/event-stream")
        let html = { (d: String) in Operation.text(d, "text/html") }
        let page: Document = .array([.object([("bearerAuth", .array([]))]), .object([("sessionCookie", .array([]))])])
        let seeOther: Document = .object([
            ("description", .string("Signed in: the session cookie is set (HttpOnly, SameSite=Lax) and the browser goes to /")),
            ("headers", .object([("Set-Cookie", .object([("schema", Schema.string())])), ("Location", .object([("schema", Schema.string())]))])),
        ])
        let form = Operation.content("application/x-www-form-urlencoded",
                                     Schema.object([("token", Schema.nonEmptyString("A read or admin token"))], required: ["token"]))
        return [
            ("/v1/deployments", Operation(
                method: "post", id: "deploy", summary: "Queue a deploy (scope deploy or admin)", tags: ["tasks"],
                body: .object([("required", .bool(false)), ("content", Operation.content("application/json", Schema.ref("DeployRequest")))]),
                responses: [("202", Operation.json("Queued", Schema.ref("Accepted"),
                                                   headers: .object([("Location", .object([("schema", Schema.string())]))]))),
                            Operation.error(400), Operation.error(401), Operation.error(403), Operation.error(422)])),
            ("/v1/deployments", Operation(
                method: "get", id: "listDeployments", summary: "A project's recorded deployments, newest first (read)", tags: ["projects"],
                parameters: [Operation.query("project", Schema.string(), "The project", required: true)],
                responses: [("200", Operation.json("The deployments", Schema.array(Schema.ref("Deployment")))),
                            Operation.error(400), Operation.error(401), Operation.error(403), Operation.error(404)])),
            ("/v1/tasks", Operation(
                method: "get", id: "listTasks", summary: "Tasks, newest first, at most 200 (read; deploy: its own)", tags: ["tasks"],
                parameters: [Operation.query("state", Schema.string(enum: TaskState.allCases.map(\.rawValue)), "Only tasks in this state"),
                             Operation.query("project", Schema.string(), "Only tasks that touch this project")],
                responses: [("200", Operation.json("The tasks", Schema.array(Schema.ref("Task")))),
                            Operation.error(400), Operation.error(401), Operation.error(403)])),
            ("/v1/tasks/{id}", Operation(
                method: "get", id: "getTask", summary: "One task (read; deploy: its own)", tags: ["tasks"], parameters: [taskID],
                responses: [("200", Operation.json("The task", Schema.ref("Task"))),
                            Operation.error(401), Operation.error(403), Operation.error(404)])),
            ("/v1/tasks/{id}/cancel", Operation(
                method: "post", id: "cancelTask", summary: "Cancel a task (deploy: its own; admin: any)", tags: ["tasks"], parameters: [taskID],
                responses: [("200", Operation.json("It was queued and is now cancelled", Schema.ref("Task"))),
                            ("202", Operation.json("It was running; it stops at the engine's next safe point", Schema.ref("Task"))),
                            Operation.error(401), Operation.error(403), Operation.error(404), Operation.error(409)])),
            ("/v1/tasks/{id}/events", Operation(
                method: "get", id: "taskEvents", summary: "A task's events; the stream ends after its final state", tags: ["events"],
                parameters: [taskID, lastEventID, after],
                responses: [("200", sse), Operation.error(401), Operation.error(403), Operation.error(404)])),
            ("/v1/events", Operation(
                method: "get", id: "events", summary: "Events of every visible task, until the client leaves (read; deploy: its tasks)",
                tags: ["events"], parameters: [lastEventID, after],
                responses: [("200", sse), Operation.error(401), Operation.error(403)])),
            ("/v1/projects", Operation(
                method: "get", id: "listProjects", summary: "Every project's status, within the token's projects (read)", tags: ["projects"],
                responses: [("200", Operation.json("The projects", Schema.array(Schema.ref("ProjectStatus")))),
                            Operation.error(401), Operation.error(403), Operation.error(503)])),
            ("/v1/projects/{project}", Operation(
                method: "get", id: "getProject", summary: "One project's status (read)", tags: ["projects"], parameters: [project],
                responses: [("200", Operation.json("The project", Schema.ref("ProjectStatus"))),
                            Operation.error(401), Operation.error(403), Operation.error(404), Operation.error(503)])),
            ("/v1/projects/{project}/logs", Operation(
                method: "get", id: "projectLogs", summary: "The project's container logs (`container | line`), streamed (read)",
                tags: ["projects"],
                parameters: [project,
                             Operation.query("follow", Schema.string(enum: ["true", "false", "1", "0", "yes", "no"]), "Keep streaming new lines until the client leaves"),
                             Operation.query("tail", Schema.integer(minimum: 0, maximum: 100_000), "Lines of each container's past output (default 100)"),
                             Operation.query("service", Schema.string(), "Only this service's containers")],
                responses: [("200", Operation.text("Log lines", "text/plain")),
                            Operation.error(400), Operation.error(401), Operation.error(403), Operation.error(503)])),
            ("/v1/projects", Operation(
                method: "post", id: "createTenant",
                summary: "Create a project from a template, commit it and queue its deploy (admin, or deploy limited to that name)",
                tags: ["projects"],
                body: .object([("required", .bool(true)), ("content", Operation.content("application/json", Schema.ref("TenantRequest")))]),
                responses: [("202", Operation.json("Written and queued", Schema.ref("TenantAccepted"),
                                                   headers: .object([("Location", .object([("schema", Schema.string())]))]))),
                            Operation.error(400), Operation.error(401), Operation.error(403), Operation.error(409), Operation.error(422),
                            Operation.error(500)])),
            ("/v1/projects/{project}", Operation(
                method: "delete", id: "deleteTenant",
                summary: "Remove a project's directory, commit it and queue its teardown (admin, or deploy limited to it)",
                tags: ["projects"], parameters: [project],
                responses: [("202", Operation.json("Removed and the teardown queued", Schema.ref("TenantAccepted"),
                                                   headers: .object([("Location", .object([("schema", Schema.string())]))]))),
                            Operation.error(401), Operation.error(403), Operation.error(404), Operation.error(422), Operation.error(500)])),
            ("/v1/hooks/git", Operation(
                method: "post", id: "gitWebhook",
                summary: "A git push: checks X-Hub-Signature-256 (HMAC-SHA256 with BERTH_WEBHOOK_SECRET), fast-forwards, queues what changed",
                tags: ["tasks"],
                parameters: [Operation.header("X-Hub-Signature-256", Schema.string(), "sha256=<hex HMAC-SHA256 of the body>")],
                body: .object([("required", .bool(false)), ("content", Operation.content("application/json", Schema.object([], required: [], additional: true)))]),
                responses: [("200", Operation.json("Fast-forwarded; the tasks queued", Schema.ref("HookAnswer"))),
                            Operation.error(401), Operation.error(404), Operation.error(409), Operation.error(422), Operation.error(500)],
                security: Operation.open)),
            ("/v1/audit", Operation(
                method: "get", id: "audit", summary: "The audit log, newest first (admin)", tags: ["observability"],
                parameters: [Operation.query("limit", Schema.integer(minimum: 1, maximum: 10_000), "At most this many entries (default 200)")],
                responses: [("200", Operation.json("The entries", Schema.array(Schema.ref("AuditEntry")))),
                            Operation.error(400), Operation.error(401), Operation.error(403)])),
            ("/v1/backups", Operation(
                method: "post", id: "backup", summary: "Queue a backup of projects' volumes and databases (scope deploy or admin)", tags: ["tasks"],
                body: .object([("required", .bool(false)), ("content", Operation.content("application/json", Schema.object([
                    ("projects", Schema.array(Schema.string(), minItems: 1)),
                ], required: [], additional: false)))]),
                responses: [("202", Operation.json("Queued", Schema.ref("Accepted"),
                                                   headers: .object([("Location", .object([("schema", Schema.string())]))]))),
                            Operation.error(400), Operation.error(401), Operation.error(403), Operation.error(422)])),
            ("/v1/backups", Operation(
                method: "get", id: "listBackups", summary: "Backup records, newest first (read; within the token's projects)", tags: ["projects"],
                parameters: [Operation.query("project", Schema.string(), "Only this project's")],
                responses: [("200", Operation.json("The records, as berth backup list --json", Schema.array(Schema.ref("BackupRecord")))),
                            Operation.error(401), Operation.error(403), Operation.error(503)])),
            ("/v1/certs", Operation(
                method: "get", id: "certificates", summary: "The certificate of every routed TLS host (read; within the token's projects)",
                tags: ["projects"],
                responses: [("200", Operation.json("The hosts, as berth certs --json prints them", Schema.array(Schema.ref("Certificate")))),
                            Operation.error(401), Operation.error(403), Operation.error(422), Operation.error(503)])),
            ("/metrics", Operation(
                method: "get", id: "metrics", summary: "Prometheus metrics (read)", tags: ["observability"],
                responses: [("200", Operation.text("Prometheus exposition text", "text/plain")), Operation.error(401), Operation.error(403)])),
            ("/healthz", Operation(
                method: "get", id: "health", summary: "The daemon answers and its store is readable (no token)", tags: ["observability"],
                responses: [("200", Operation.json("Healthy", Schema.ref("Health"))), ("503", Operation.json("The store cannot be read", Schema.ref("Health")))],
                security: Operation.open)),
            ("/openapi.json", Operation(
                method: "get", id: "openapiJSON", summary: "This document, as JSON (no token)", tags: ["meta"],
                responses: [("200", Operation.json("OpenAPI 3.1", Schema.object([], required: ["openapi", "paths"])))], security: Operation.open)),
            ("/openapi.yaml", Operation(
                method: "get", id: "openapiYAML", summary: "This document, as YAML (no token)", tags: ["meta"],
                responses: [("200", .object([("description", .string("OpenAPI 3.1")),
                                              ("content", Operation.content("application/yaml", Schema.object([], required: ["openapi", "paths"])))]))],
                security: Operation.open)),
            ("/", Operation(
                method: "get", id: "statusPage", summary: "The status page (HTML; the session cookie from /login, or a bearer read/admin token)",
                tags: ["status page"],
                responses: [("200", html("The page; it reloads itself every \(StatusPage.refreshSeconds) s")),
                            ("401", html("Not signed in: the sign-in form")), ("403", html("The token may not read"))],
                security: page)),
            ("/login", Operation(
                method: "get", id: "loginForm", summary: "The sign-in form; with ?token= it signs in at once (for scripts and headless browsers)",
                tags: ["status page"],
                parameters: [Operation.query("token", Schema.string(), "A read or admin token")],
                responses: [("200", html("The sign-in form")), ("303", seeOther), ("401", html("Unknown, revoked or expired token")),
                            ("403", html("The token may not read"))],
                security: Operation.open)),
            ("/login", Operation(
                method: "post", id: "login", summary: "Sign in to the status page with a token (form field token)", tags: ["status page"],
                body: .object([("required", .bool(true)), ("content", form)]),
                responses: [("303", seeOther), ("400", html("No token field")), ("401", html("Unknown, revoked or expired token")),
                            ("403", html("The token may not read"))],
                security: Operation.open)),
            ("/logout", Operation(
                method: "post", id: "logout", summary: "End the status page's session", tags: ["status page"],
                responses: [("303", .object([("description", .string("Signed out: the cookie is cleared; the browser goes to /login"))]))],
                security: Operation.open)),
        ]
    }
}
