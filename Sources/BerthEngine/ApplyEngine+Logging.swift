import Logging

/// Engine log lines through swift-log: every event of an apply is also a log line, with `project`,
/// `service`, `deployment`, `phase` and `event` metadata (event messages never hold secret values).
extension ApplyEngine {
    /// Logs nothing (the default: a library does not print unless asked).
    public static var silentLogger: Logger { Logger(label: "berth.engine", factory: { _ in SwiftLogNoOpLogHandler() }) }

    /// This engine with `deployment` in its logger's metadata and an event sink that also logs each event.
    func logging(deployment: String?) -> ApplyEngine {
        var logger = self.logger
        if let deployment { logger[metadataKey: "deployment"] = .string(deployment) }
        let sink = events
        let log = logger
        return ApplyEngine(runtime: runtime, stateDirectory: stateDirectory, events: { event in
            Self.log(event, to: log)
            sink(event)
        }, logger: log)
    }

    static func log(_ event: ApplyEvent, to logger: Logger) {
        var metadata: Logger.Metadata = ["event": .string(event.kind.rawValue)]
        if let project = event.project { metadata["project"] = .string(project) }
        if let service = event.service { metadata["service"] = .string(service) }
        if let phase = event.phase { metadata["phase"] = .string(phase.rawValue) }
        let level: Logger.Level = switch event.kind {
        case .serviceFailed, .projectFailed: .error
        case .serviceSkipped, .projectSkipped, .projectCancelled: .warning
        case .build: .debug
        default: .info
        }
        logger.log(level: level, "\(event.message)", metadata: metadata)
    }
}
