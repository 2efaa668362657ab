import Foundation
import HTTPTypes
import Hummingbird

/// Server-Sent Events: `GET /v1/tasks/{id}/events` (ends after the task's final state) and `GET /v1/events`
/// (every task the caller may see, until the client leaves). Each event has the store's id; a client that
/// reconnects with `Last-Event-ID` (or `?after=`) gets what it missed. Events are read from the store, so
/// what another process (a second daemon, later) records is streamed too.
enum EventRoutes {
    static let poll = Duration.milliseconds(200)
    static let keepAlive = Duration.seconds(15)

    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/v1/tasks/:id/events") { request, context -> Response in
            let task = try await TaskRoutes.visibleTask(context, services)
            return stream(request, services) { after in
                let events = try await services.store.events(after: after, taskID: task.id, limit: 500)
                guard events.isEmpty else { return (events, false) }
                guard try await services.store.task(task.id)?.state.isFinal ?? true else { return (events, false) }
                // Final: its event was stored before the row, so this read has everything that is left.
                let rest = try await services.store.events(after: after, taskID: task.id, limit: 500)
                return (rest, true)
            }
        }
        router.get("/v1/events") { request, context -> Response in
            let token = try context.caller()
            guard token.scope != .deploy else { return try await deployEvents(request, token, services) }
            try Access.requireRead(token)
            return stream(request, services) { after in
                (try await visible(try await services.store.events(after: after, taskID: nil, limit: 500), token, services), false)
            }
        }
    }

    /// A deploy token's global stream: the events of the tasks it created.
    static func deployEvents(_ request: Request, _ token: APIToken, _ services: APIServices) async throws -> Response {
        stream(request, services) { after in
            (try await visible(try await services.store.events(after: after, taskID: nil, limit: 500), token, services), false)
        }
    }

    static func visible(_ events: [TaskEvent], _ token: APIToken, _ services: APIServices) async throws -> [TaskEvent] {
        if token.scope == .admin || (token.scope == .read && token.projects.isEmpty) { return events }
        var seen: [String: Bool] = [:]
        var out: [TaskEvent] = []
        for e in events {
            if seen[e.taskID] == nil { seen[e.taskID] = try await services.store.task(e.taskID).map { Access.canSee(token, $0) } ?? false }
            if seen[e.taskID] == true { out.append(e) }
        }
        return out
    }

    static func startID(_ request: Request) -> Int64 {
        if let raw = request.headers[.lastEventID] ?? request.uri.queryParameters.get("after"), let id = Int64(raw) { return id }
        return 0
    }

    /// `next(after)` gives the events after an id and whether the stream is complete.
    static func stream(_ request: Request, _ services: APIServices,
                       _ next: @escaping @Sendable (Int64) async throws -> ([TaskEvent], Bool)) -> Response {
        let start = startID(request)
        let body = ResponseBody { writer in
            var after = start
            var quiet = ContinuousClock.now
            while !Task.isCancelled && !services.isStopping {
                let (events, done) = try await next(after)
                for event in events {
                    let data = String(decoding: try JSONEncoder.sse.encode(event), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n"))
                    after = event.id
                    quiet = .now
                }
                if done { break }
                if ContinuousClock.now - quiet > keepAlive {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quiet = .now
                }
                if events.isEmpty {
                    // A shared store wakes the stream on any daemon's NOTIFY; the timeout covers a missed one.
                    if let shared = services.store as? any SharedTaskStore { await shared.waitForEvents(timeout: .seconds(2)) } else {
                        try await Task.sleep(for: poll)
                    }
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

extension JSONEncoder {
    static let sse: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
