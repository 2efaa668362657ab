import Hummingbird

/// `GET /healthz` (no token): the daemon answers and its store is readable.
/// `GET /metrics` (read or admin): Prometheus text.
enum HealthRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await services.store.countByState()
            } catch {
                return try JSONResponse.make(["status": "unhealthy", "store": "\(error)"], status: .serviceUnavailable)
            }
            return try JSONResponse.make(["status": "ok"])
        }
        router.get("/metrics") { _, context -> Response in
            try Access.requireRead(try context.caller())
            // Backup records cannot be read while the repository is invalid: the task metrics are still served.
            let backups = try? services.driver.backupMetricsInput()
            let text = services.metrics.render(counts: try await services.store.countByState(),
                                               backups: backups?.records ?? [], targets: backups?.targets)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
