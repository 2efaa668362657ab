import Foundation

/// The backup records of a platform: one JSON file per backup under `<state>/<platform>/backups/records/`.
public struct BackupStore: Sendable {
    public let directory: URL

    public init(stateDirectory: URL, platform: String) {
        directory = stateDirectory.appendingPathComponent(platform).appendingPathComponent("backups/records")
    }

    /// How records are written, listed (`berth backup list --json`, `GET /v1/backups`) and posted: sorted keys,
    /// ISO 8601 times, pretty-printed.
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Writes the record (temp file + rename).
    public func save(_ record: BackupRecord) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Self.encoder.encode(record).write(to: directory.appendingPathComponent("\(record.id).json"), options: .atomic)
        } catch {
            throw BackupError(.backupRecordFailed, "cannot write the backup record \(record.id) in \(directory.path): \(error.localizedDescription)",
                              hint: "check that the state directory (--state-dir) is writable")
        }
    }

    /// Every record, oldest first. An unreadable file is an error (a silently missing record would hide a backup).
    public func all() throws -> [BackupRecord] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw BackupError(.backupRecordFailed, "cannot list \(directory.path): \(error.localizedDescription)")
        }
        var records: [BackupRecord] = []
        for name in names where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            do {
                records.append(try Self.decoder.decode(BackupRecord.self, from: Data(contentsOf: url)))
            } catch {
                throw BackupError(.backupRecordFailed, "the backup record \(url.path) cannot be read: \(error)", hint: "move the file away if it is damaged")
            }
        }
        return records.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    /// The newest succeeded, not forgotten record of a target (or the one with `snapshot`, a prefix of its id).
    public func latest(project: String, kind: BackupTargetKind, target: String, snapshot: String? = nil) throws -> BackupRecord? {
        try all().last { r in
            r.project == project && r.kind == kind && r.target == target && r.state == .succeeded && r.forgotten != true
                && (snapshot.map { s in r.snapshot?.hasPrefix(s) == true } ?? true)
        }
    }
}
