import BerthEngine
import Foundation
import Hummingbird

/// `GET /v1/projects`, `GET /v1/projects/{p}` (as `berth status --json`), `GET /v1/projects/{p}/logs`
/// (`?follow=true&tail=N&service=S`, streamed as text lines).
enum ProjectRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/v1/projects") { _, context -> Response in
            let token = try context.caller()
            try Access.requireRead(token)
            let all = try await status(services)
            guard token.projects.isEmpty else { return try JSONResponse.make(all.filter { token.allows($0.project) }) }
            // Every project: the snapshot's JSON is encoded once, not per request.
            let data = try await services.statusCache.json(of: all) { try JSONResponse.encode($0) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/v1/projects/:project") { _, context -> Response in
            let project = context.parameters.get("project") ?? ""
            try Access.requireRead(try context.caller(), project: project)
            guard let found = try await status(services).first(where: { $0.project == project }) else {
                throw APIError(.notFound, "not_found", "no project \(project) in the repository or on this Docker host; see GET /v1/projects")
            }
            return try JSONResponse.make(found)
        }
        router.get("/v1/projects/:project/logs") { request, context -> Response in
            let project = context.parameters.get("project") ?? ""
            try Access.requireRead(try context.caller(), project: project)
            let query = request.uri.queryParameters
            let rawFollow = query.get("follow") ?? "false"
            guard ["1", "true", "yes", "0", "false", "no"].contains(rawFollow) else {
                throw APIError(.badRequest, "invalid_parameter", "follow must be true or false (also 1/0, yes/no)")
            }
            let follow = ["1", "true", "yes"].contains(rawFollow)
            guard let tail = Int(query.get("tail") ?? "100"), (0...100_000).contains(tail) else {
                throw APIError(.badRequest, "invalid_parameter", "tail must be a number of lines from 0 to 100000")
            }
            let lines = try await services.driver.logs(project, service: query.get("service"), tail: tail, follow: follow,
                                                       stop: { services.isStopping })
            let body = ResponseBody { writer in
                for try await line in lines {
                    try await writer.write(ByteBuffer(string: line.hasSuffix("\n") ? line : line + "\n"))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: body)
        }
    }

    static func status(_ services: APIServices) async throws -> [StatusReport.Project] {
        let driver = services.driver
        do {
            return try await services.statusCache.get(generation: await services.queue.finishedCount) { try await driver.status() }
        } catch let error as APIError { throw error } catch {
            throw APIError(.serviceUnavailable, "engine_unavailable", "\(error)")
        }
    }
}
