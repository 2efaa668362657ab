import AsyncHTTPClient
import BerthConfig
import Foundation
import NIOCore
import NIOHTTP1

/// The JSON body POSTed to `backups.webhook.url`.
public struct BackupNotification: Sendable, Codable, Hashable {
    public var event: String = "backup"
    public var platform: String
    public var project: String
    public var kind: BackupTargetKind
    public var target: String
    public var state: BackupState
    public var snapshot: String?
    public var startedAt: Date
    public var duration: Double
    public var bytes: Int64?
    public var error: BackupFailure?

    init(_ record: BackupRecord) {
        platform = record.platform
        project = record.project
        kind = record.kind
        target = record.target
        state = record.state
        snapshot = record.snapshot
        startedAt = record.startedAt
        duration = record.duration
        bytes = record.bytes
        error = record.error
    }
}

extension BackupRunner {
    /// POSTs the record's result (10 s at most). A webhook that fails is reported on the log, and does not
    /// change the backup's own result.
    func notify(_ webhook: BackupWebhook, _ record: BackupRecord) async {
        do {
            var request = HTTPClientRequest(url: webhook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "berth-backup")
            request.body = .bytes(ByteBuffer(bytes: try BackupStore.encoder.encode(BackupNotification(record))))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            guard (200..<300).contains(Int(response.status.code)) else {
                log("warning: the backup webhook answered \(response.status.code)")
                return
            }
        } catch {
            log("warning: the backup webhook could not be called: \(error)")
        }
    }
}
