import BerthRender

/// The schemas of what the API answers (the JSON the routes encode: snake_case keys, ISO 8601 dates,
/// absent optional keys) and the shared error answers.
extension OpenAPI {
    static var schemas: [(String, Document)] {
        let states = TaskState.allCases.map(\.rawValue)
        return [
            ("Error", Schema.object([
                ("error", Schema.object([("code", Schema.string("A stable word: unauthenticated, invalid_token, token_expired, forbidden, not_found, invalid_body, invalid_parameter, missing_parameter, unknown_project, invalid_config, task_final, engine_unavailable")),
                                         ("message", Schema.string("What is wrong and what to do"))], required: ["code", "message"])),
            ], required: ["error"])),
            ("DeployRequest", Schema.object([
                ("projects", Schema.array(Schema.string(), minItems: 1)),
                ("force", Schema.boolean),
                ("priority", Schema.string(enum: TaskPriority.allCases.map(\.rawValue))),
            ], required: [], additional: false, description: "Every key is optional; no projects: every project of the repository")),
            ("ProjectOutcome", Schema.object([
                ("project", Schema.string()), ("result", Schema.string()), ("messages", Schema.array(Schema.string())),
            ], required: ["project", "result", "messages"])),
            ("Task", Schema.object([
                ("id", Schema.string()),
                ("kind", Schema.string(enum: TaskKind.allCases.map(\.rawValue))),
                ("projects", Schema.array(Schema.string())),
                ("force", Schema.boolean),
                ("priority", Schema.string(enum: TaskPriority.allCases.map(\.rawValue))),
                ("state", Schema.string(enum: states)),
                ("step", Schema.integer(minimum: 0)),
                ("total", Schema.integer(minimum: 0)),
                ("percent", Schema.integer(minimum: 0, maximum: 100)),
                ("message", Schema.string()),
                ("phase", Schema.string("The phase of the latest progress event")),
                ("results", Schema.array(Schema.ref("ProjectOutcome"))),
                ("created_by", Schema.string("The name of the token that created it")),
                ("created_at", Schema.dateTime),
                ("started_at", Schema.dateTime),
                ("finished_at", Schema.dateTime),
                ("replaced_by", Schema.string()),
                ("retry_of", Schema.string()),
            ], required: ["id", "kind", "force", "priority", "state", "step", "total", "percent", "message", "results", "created_by", "created_at"])),
            ("Accepted", Schema.object([("task", Schema.ref("Task")), ("location", Schema.string())], required: ["task", "location"])),
            ("TenantRequest", Schema.object([
                ("template", Schema.nonEmptyString("A directory under templates/")),
                ("name", Schema.nonEmptyString("The new project's name")),
                ("params", .object([
                    ("type", .string("object")), ("additionalProperties", Schema.string()),
                    ("description", .string("The template's ${param} values, as strings")),
                ])),
            ], required: ["template", "name"], additional: false)),
            ("TenantAccepted", Schema.object([
                ("project", Schema.string()), ("commit", Schema.string("The config repository's commit, when it is a git repository")),
                ("task", Schema.ref("Task")), ("location", Schema.string()),
            ], required: ["project", "task", "location"])),
            ("HookAnswer", Schema.object([
                ("from", Schema.string("HEAD before")), ("to", Schema.string("HEAD after")),
                ("changed", Schema.array(Schema.string())), ("removed", Schema.array(Schema.string())),
                ("tasks", Schema.array(Schema.ref("Task"))), ("message", Schema.string()),
            ], required: ["from", "to", "removed", "tasks", "message"])),
            ("TaskEvent", Schema.object([
                ("id", Schema.integer()), ("task_id", Schema.string()), ("kind", Schema.string(enum: ["state", "progress"])),
                ("time", Schema.dateTime), ("state", Schema.string(enum: states)), ("phase", Schema.string()),
                ("project", Schema.string()), ("service", Schema.string()), ("step", Schema.integer()), ("total", Schema.integer()),
                ("percent", Schema.integer()), ("message", Schema.string()),
            ], required: ["id", "task_id", "kind", "time", "message"], description: "The data of one Server-Sent Event (its id and event name are the SSE id and event)")),
            ("ProjectStatus", Schema.object([
                ("project", Schema.string()),
                ("last_deployment", Schema.object([("id", Schema.string()), ("result", Schema.string()), ("finished_at", Schema.dateTime)],
                                                  required: ["id", "result", "finished_at"])),
                ("services", Schema.array(Schema.object([
                    ("project", Schema.string()), ("service", Schema.string()), ("running", Schema.integer(minimum: 0)), ("healthy", Schema.integer(minimum: 0)),
                    ("replicas", Schema.integer(minimum: 0)), ("images", Schema.array(Schema.string())),
                    ("deployments", Schema.array(Schema.string())), ("routes", Schema.array(Schema.string())),
                ], required: ["project", "service", "running", "healthy", "replicas", "images", "deployments", "routes"]))),
            ], required: ["project", "services"], description: "As berth status --json prints it")),
            ("BackupRecord", Schema.object([
                ("id", Schema.string()), ("platform", Schema.string()), ("project", Schema.string()),
                ("kind", Schema.string(enum: ["volume", "database"])), ("target", Schema.string()),
                ("state", Schema.string(enum: ["succeeded", "failed"])), ("startedAt", Schema.dateTime), ("duration", .object([("type", .string("number"))])),
                ("snapshot", Schema.string()), ("bytes", Schema.integer()), ("files", Schema.integer()), ("digest", Schema.string()),
            ], required: ["id", "project", "kind", "target", "state", "startedAt", "duration"],
               description: "One backup of a volume or database (a backup counts as succeeded only once read back)")),
            ("Certificate", Schema.object([
                ("host", Schema.string()), ("status", Schema.string(enum: ["ok", "missing", "expiring", "expired"])),
                ("issuer", Schema.string()), ("sans", Schema.array(Schema.string())), ("not_before", Schema.dateTime),
                ("not_after", Schema.dateTime), ("days_left", Schema.integer()), ("serial", Schema.string()),
            ], required: ["host", "status"], description: "A routed TLS host and its certificate (the certificate's fields are absent when it has none)")),
            ("Deployment", Schema.object([
                ("id", Schema.string()), ("project", Schema.string()), ("result", Schema.string()), ("message", Schema.string()),
                ("started_at", Schema.dateTime), ("finished_at", Schema.dateTime), ("services", Schema.array(Schema.string())),
            ], required: ["id", "project", "result", "started_at", "finished_at", "services"])),
            ("AuditEntry", Schema.object([
                ("id", Schema.integer()), ("time", Schema.dateTime), ("token", Schema.string("The token's name; - when there was none")),
                ("action", Schema.string()), ("target", Schema.string()), ("status", Schema.integer()), ("result", Schema.string()),
            ], required: ["id", "time", "token", "action", "target", "status", "result"])),
            ("Health", Schema.object([("status", Schema.string(enum: ["ok", "unhealthy"])), ("store", Schema.string())], required: ["status"])),
        ]
    }

    static var errorResponses: [(String, Document)] {
        let error = Schema.ref("Error")
        let bearer: Document = .object([("WWW-Authenticate", .object([("schema", Schema.string()), ("description", .string("Bearer realm=\"berth\""))]))])
        return [
            ("E400", Operation.json("Bad input (a parameter or the body); the message says which", error)),
            ("E401", Operation.json("No valid bearer token (missing, unknown, revoked or expired)", error, headers: bearer)),
            ("E403", Operation.json("The token's scope or projects do not allow this", error)),
            ("E404", Operation.json("Not found", error)),
            ("E409", Operation.json("A conflict: the task is already final, the project exists, or the repository cannot be fast-forwarded", error)),
            ("E422", Operation.json("Unknown project or an invalid configuration repository; nothing was queued", error)),
            ("E500", Operation.json("The configuration repository could not be written (git or the file system failed)", error)),
            ("E503", Operation.json("The Docker engine cannot be reached", error)),
        ]
    }
}
