import BerthConfig
import Foundation
import Glibc

extension BackupRunner {
    public enum RestoreMode: Sendable, Hashable {
        /// Into a new volume/database, verified, then swapped in (services stopped and started again).
        case swap
        /// Into the named new volume/database, verified; nothing else changes.
        case beside(String)
        /// Into a scratch volume/database, verified, then removed (berth backup verify).
        case drill
    }

    /// Restores a recorded snapshot of one target (the newest, or the one whose id starts with `snapshot`).
    /// Nothing current is touched before the restored copy has matched the record.
    public func restore(project name: String, target: Target, snapshot: String? = nil, mode: RestoreMode) async throws -> RestoreReport {
        let started = Date(), clock = ContinuousClock.now
        let project = try project(name)
        let restic = try restic()
        _ = try restic.environment()
        guard let record = try store.latest(project: name, kind: target.kind, target: target.name, snapshot: snapshot), let id = record.snapshot else {
            throw BackupError(.backupTargetMissing, "no succeeded backup of \(name)/\(target.name)\(snapshot.map { " with snapshot \($0)" } ?? "") is recorded",
                              hint: "berth backup list shows the recorded backups; berth backup run \(name) makes one")
        }
        let stamp = Self.timestamp(started).lowercased()
        var report: RestoreReport
        switch target {
        case .volume(let volume):
            report = try await restoreVolume(project, volume, record: record, snapshot: id, stamp: stamp, mode: mode, restic: restic)
        case .database(let database):
            report = try await restoreDatabase(project, database, record: record, snapshot: id, stamp: stamp, mode: mode, restic: restic)
        }
        report.duration = (ContinuousClock.now - clock).inSeconds
        return report
    }

    private func restoreVolume(_ project: Project, _ volume: BackupVolume, record: BackupRecord, snapshot: String, stamp: String,
                               mode: RestoreMode, restic: Restic) async throws -> RestoreReport {
        let current = volumeName(project, volume.name)
        let currentPath = try await docker.mountpoint(current)
        if case .swap = mode, currentPath == nil {
            throw BackupError(.backupTargetMissing, "volume \(current) does not exist, so there is nothing to swap the restored copy into",
                              hint: "berth apply --project \(project.name) creates it (empty); or restore beside it with --to NEW")
        }
        let newName: String
        switch mode {
        case .beside(let name): newName = name
        case .swap: newName = "\(current)_restore_\(stamp)"
        case .drill: newName = "\(current)_drill_\(stamp)"
        }
        if try await docker.mountpoint(newName) != nil {
            throw BackupError(.restoreFailed, "volume \(newName) already exists; berth restores only into a new volume", hint: "give another name with --to")
        }
        try await docker.run(["volume", "create", "--label", "berth.platform=\(platformName)", "--label", "berth.backup.restored-from=\(snapshot.prefix(8))", newName],
                             step: "creating volume \(newName)")
        var report = RestoreReport(project: project.name, kind: .volume, target: volume.name, snapshot: snapshot, restoredInto: newName, swapped: false,
                                   verified: false, duration: 0)
        do {
            guard let newPath = try await docker.mountpoint(newName) else { throw BackupError(.restoreFailed, "volume \(newName) vanished") }
            try await restic.run(["restore", snapshot, "--target", newPath], step: "restoring snapshot \(snapshot.prefix(8)) into \(newName)")
            let digest = try TreeDigest.of(newPath)
            guard digest.digest == record.digest else {
                throw BackupError(.verificationFailed, "the restored copy of \(current) differs from the backup record (\(digest.files) files / \(digest.digest.prefix(12)), recorded \(record.files ?? 0) / \(record.digest?.prefix(12) ?? "?")); nothing was swapped")
            }
            report.verified = true
            report.files = digest.files
            report.bytes = digest.bytes
            if let currentPath { try copyOwnership(from: currentPath, to: newPath) }
        } catch {
            // The new volume is berth's own and unproven: removed, the current one untouched.
            if case .beside = mode {} else {
                do { try await docker.run(["volume", "rm", newName], step: "removing \(newName)") } catch { log("warning: \(BackupFailure(error).message)") }
            }
            throw error
        }
        switch mode {
        case .drill:
            try await docker.run(["volume", "rm", newName], step: "removing the drill volume \(newName)")
        case .beside:
            break
        case .swap:
            report.previousKeptAs = try await swapVolume(current: current, restored: newName, stamp: stamp)
            report.swapped = true
            report.restoredInto = current
        }
        return report
    }

    /// Stops the containers using `current`, moves its data into a new `<current>_before_restore_<stamp>`
    /// volume and the restored data into `current` (renames on one file system), starts them again.
    private func swapVolume(current: String, restored: String, stamp: String) async throws -> String {
        let keep = "\(current)_before_restore_\(stamp)"
        try await docker.run(["volume", "create", "--label", "berth.platform=\(platformName)", "--label", "berth.backup.previous-of=\(current)", keep], step: "creating volume \(keep)")
        guard let currentPath = try await docker.mountpoint(current), let restoredPath = try await docker.mountpoint(restored),
              let keepPath = try await docker.mountpoint(keep) else {
            throw BackupError(.restoreFailed, "a volume of the swap vanished (\(current), \(restored), \(keep))")
        }
        let containers = try await docker.containers(using: current)
        log("stopping \(containers.count) container(s) that use \(current)")
        try await docker.stop(containers)
        do {
            try removeEmptyDirectory(keepPath)
            try move(currentPath, to: keepPath)
            do { try move(restoredPath, to: currentPath) } catch {
                try move(keepPath, to: currentPath)  // put the current data back
                throw error
            }
            try FileManager.default.createDirectory(atPath: restoredPath, withIntermediateDirectories: true)
        } catch {
            try await docker.start(containers)
            throw error
        }
        try await docker.start(containers)
        try await docker.run(["volume", "rm", restored], step: "removing the emptied volume \(restored)")
        return keep
    }

    /// Removes the (empty) data directory of a fresh volume so that another can be renamed there.
    private func removeEmptyDirectory(_ path: String) throws {
        guard rmdir(path) == 0 else { throw BackupError(.restoreFailed, "cannot prepare \(path): \(String(cString: strerror(errno)))") }
    }

    private func move(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw BackupError(.restoreFailed, "cannot move \(from) to \(to): \(String(cString: strerror(errno)))", hint: "the current data is unchanged")
        }
    }

    /// The restored data directory gets the owner and mode the current one has (restic restores what is inside).
    private func copyOwnership(from: String, to: String) throws {
        var st = stat()
        guard stat(from, &st) == 0, chown(to, st.st_uid, st.st_gid) == 0, chmod(to, st.st_mode & 0o7777) == 0 else {
            throw BackupError(.restoreFailed, "cannot give \(to) the owner and mode of \(from): \(String(cString: strerror(errno)))")
        }
    }

    private func restoreDatabase(_ project: Project, _ database: BackupDatabase, record: BackupRecord, snapshot: String, stamp: String,
                                 mode: RestoreMode, restic: Restic) async throws -> RestoreReport {
        let postgres = try await databaseContainer(project, database)
        let current = database.database
        let newName: String
        switch mode {
        case .beside(let name):
            guard BackupLoader.isPostgresName(name) else { throw BackupError(.restoreFailed, "'\(name)' is not a PostgreSQL database name (letters, digits, '_', at most 63)") }
            newName = name
        case .swap: newName = String("\(current)_restore_\(stamp)".prefix(63))
        case .drill: newName = String("\(current)_drill_\(stamp)".prefix(63))
        }
        if try await postgres.exists(newName) {
            throw BackupError(.restoreFailed, "database \(newName) already exists; berth restores only into a new database", hint: "give another name with --to")
        }
        let currentExists = try await postgres.exists(current)
        if case .swap = mode, !currentExists {
            throw BackupError(.backupTargetMissing, "database \(current) does not exist, so there is nothing to swap the restored copy into",
                              hint: "restore beside with --to \(current) to create it from the backup")
        }
        let owner = currentExists ? try await postgres.owner(current) ?? database.user : database.user
        try await postgres.create(newName, owner: owner)
        var report = RestoreReport(project: project.name, kind: .database, target: current, snapshot: snapshot, restoredInto: newName, swapped: false,
                                   verified: false, duration: 0)
        do {
            let pipe = StreamPipe(timeout: timeout, scratch: work.appendingPathComponent("tmp"))
            let result = try await pipe.run(restic.stdinCommand(["dump", snapshot, "/" + Self.dumpFile(database)]), postgres.restore(into: newName))
            guard result.producer.succeeded else { throw restic.failure(step: "restic dump of snapshot \(snapshot.prefix(8))", result.producerStderr, timedOut: result.timedOut) }
            guard result.consumer.succeeded else {
                throw BackupError(.restoreFailed, "pg_restore into \(newName) failed: \(Restic.lastLines(result.consumerStderr)); nothing was swapped")
            }
            guard result.sha256 == record.digest else {
                throw BackupError(.verificationFailed, "the dump restic gave back hashes to \(result.sha256.prefix(12)), recorded \(record.digest?.prefix(12) ?? "?"); nothing was swapped")
            }
            let tables = try await postgres.tables(newName, like: record.tables ?? [])
            guard tables == (record.tables ?? []) else {
                let differ = Self.tableDifferences(recorded: record.tables ?? [], restored: tables)
                throw BackupError(.verificationFailed, "the restored database \(newName) differs from the backup record: \(differ); nothing was swapped")
            }
            report.verified = true
            report.tables = tables
            report.bytes = result.bytes
        } catch {
            if case .beside = mode {} else {
                do { try await postgres.drop(newName) } catch { log("warning: cannot remove database \(newName): \(BackupFailure(error).message)") }
            }
            throw error
        }
        switch mode {
        case .drill:
            try await postgres.drop(newName)
        case .beside:
            break
        case .swap:
            let keep = String("\(current)_before_restore_\(stamp)".prefix(63))
            let services = try await docker.projectContainers(platform: platformName, project: project.name).filter { $0.service != database.service }.map(\.id)
            log("stopping \(services.count) container(s) of project \(project.name) for the swap")
            try await docker.stop(services)
            do {
                try await postgres.swap(current: current, restored: newName, keep: keep)
            } catch {
                try await docker.start(services)
                throw error
            }
            try await docker.start(services)
            report.swapped = true
            report.previousKeptAs = keep
            report.restoredInto = current
        }
        return report
    }

    static func tableDifferences(recorded: [TableDigest], restored: [TableDigest]) -> String {
        let r = Dictionary(restored.map { ($0.table, $0) }, uniquingKeysWith: { a, _ in a })
        let rec = Dictionary(recorded.map { ($0.table, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String] = []
        for t in recorded {
            guard let got = r[t.table] else { out.append("\(t.table) is missing"); continue }
            if got.rows != t.rows { out.append("\(t.table) has \(got.rows) rows, recorded \(t.rows)") } else if got.checksum != t.checksum { out.append("\(t.table)'s checksum differs") }
        }
        for t in restored where rec[t.table] == nil { out.append("\(t.table) was not in the backup") }
        return out.prefix(5).joined(separator: ", ")
    }
}
