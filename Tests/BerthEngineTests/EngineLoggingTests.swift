import BerthConfig
@testable import BerthEngine
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

/// A LogHandler that keeps every entry in memory (for the tests of the engine's log metadata).
struct MemoryLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Store: Sendable {
        let entries = Mutex<[Entry]>([])
        var all: [Entry] { entries.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        store.entries.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })) }
    }
}

@Suite struct EngineLoggingTests {
    static func repository() -> URL {
        Fixtures.repository([
            "platform.yml": "domain: example.test\n",
            "projects/app/compose.yml": "services:\n  web: {image: nginx, environment: {TOKEN: s3cr3t-value}}\n",
        ])
    }

    @Test func engineLogLinesCarryProjectServiceAndDeployment() async throws {
        let root = Self.repository()
        let state = Fixtures.tempDirectory("berth-log")
        defer {
            Fixtures.cleanup(root)
            Fixtures.cleanup(state)
        }
        let store = MemoryLogHandler.Store()
        let logger = Logger(label: "test") { _ in MemoryLogHandler(store: store) }
        let engine = ApplyEngine(runtime: MemoryRuntime(), stateDirectory: state, logger: logger)
        let repository = try Fixtures.load(root)
        let report = try await engine.withLock(repository.platform, wait: nil) {
            try await engine.execute(try await engine.prepare(repository, options: ApplyOptions()), options: ApplyOptions())
        }
        #expect(report.succeeded, "\(report)")
        let entries = store.all
        let steps = entries.filter { $0.metadata["event"] == "step" }
        #expect(!steps.isEmpty, "\(entries.map(\.message))")
        for entry in steps {
            #expect(entry.metadata["project"] == "app" && entry.metadata["service"] == "web", "\(entry)")
            #expect(entry.metadata["deployment"] == report.deployment, "\(entry)")
            #expect(entry.metadata["phase"] != nil, "\(entry)")
        }
        #expect(steps.contains { $0.metadata["phase"] == "starting" } && steps.contains { $0.metadata["phase"] == "done" })
        let project = entries.first { $0.metadata["event"] == "project_done" }
        #expect(project?.metadata["project"] == "app" && project?.metadata["service"] == nil && project?.metadata["deployment"] == report.deployment)
        // The lock lines come before any deployment exists: no deployment metadata, but logged.
        #expect(entries.contains { $0.metadata["event"] == "lock_acquired" && $0.metadata["deployment"] == nil })
        #expect(entries.contains { $0.metadata["event"] == "finished" && $0.metadata["deployment"] == report.deployment })
        #expect(!entries.contains { $0.message.contains("s3cr3t-value") || $0.metadata.values.contains { $0.contains("s3cr3t-value") } })
    }

    @Test func theDefaultLoggerLogsNothingAndEventsStillFlow() async throws {
        let root = Self.repository()
        let state = Fixtures.tempDirectory("berth-log")
        defer {
            Fixtures.cleanup(root)
            Fixtures.cleanup(state)
        }
        let seen = Mutex<[ApplyEvent.Kind]>([])
        let engine = ApplyEngine(runtime: MemoryRuntime(), stateDirectory: state, events: { e in seen.withLock { $0.append(e.kind) } })
        let repository = try Fixtures.load(root)
        let report = try await engine.execute(try await engine.prepare(repository, options: ApplyOptions()), options: ApplyOptions())
        #expect(report.succeeded)
        #expect(seen.withLock { $0 }.contains(.projectDone))
        #expect(ApplyEngine.silentLogger.handler is SwiftLogNoOpLogHandler)
    }
}
