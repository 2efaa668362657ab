import BerthConfig
import Foundation

extension BackupRunner {
    /// What retention forgot for one target.
    public struct ForgetReport: Sendable, Codable, Hashable {
        public var project: String
        public var kind: BackupTargetKind
        public var target: String
        public var kept: [String]
        public var forgotten: [String]
    }

    /// Applies `policy` to one target's snapshots (tags platform/project/target; `listed`: a listing just
    /// made, else restic is asked) and marks the records of the forgotten snapshots. A listing that
    /// lacks a newer snapshot only forgets less.
    @discardableResult
    public func forget(project: String, target: Target, policy: BackupRetention) async throws -> ForgetReport {
        try await forget(project: project, target: target, policy: policy, listed: nil)
    }

    func forget(project: String, target: Target, policy: BackupRetention, listed: [Restic.Snapshot]?) async throws -> ForgetReport {
        let restic = try restic()
        let tags = BackupRecord.tags(platform: platformName, project: project, kind: target.kind, target: target.name)
        let snapshots: [Restic.Snapshot]
        if let listed { snapshots = listed } else { snapshots = try await restic.snapshots(tags: tags) }
        let items = snapshots.compactMap { s in s.date.map { Retention.Item(id: s.id, time: $0) } }
        guard items.count == snapshots.count else {
            throw BackupError(.resticFailed, "restic snapshots gave a time berth cannot read; nothing was forgotten")
        }
        let forget = Retention.forget(items, policy: policy)
        if !forget.isEmpty {
            log("\(project)/\(target.name): retention forgets \(forget.count) snapshot(s): \(forget.map { String($0.prefix(8)) }.joined(separator: " "))")
            try await restic.forget(forget, step: "forgetting old snapshots of \(project)/\(target.name)")
            let gone = Set(forget)
            for var record in try store.all() where record.project == project && record.kind == target.kind && record.target == target.name {
                if let s = record.snapshot, gone.contains(s) {
                    record.forgotten = true
                    try store.save(record)
                }
            }
        }
        return ForgetReport(project: project, kind: target.kind, target: target.name,
                            kept: snapshots.map(\.id).filter { !forget.contains($0) }, forgotten: forget)
    }

    /// `berth backup forget`: the platform's retention over every target of `project` (or of all projects).
    public func forgetAll(project: String?) async throws -> [ForgetReport] {
        let policy = try config().retention
        var reports: [ForgetReport] = []
        for name in project.map({ [$0] }) ?? projectsWithBackups {
            for target in try targets(project: name) {
                reports.append(try await forget(project: name, target: target, policy: policy))
            }
        }
        return reports
    }

    /// `berth backup verify`: a restore drill of the newest backup of each target into a scratch volume or
    /// database, compared with the record, then removed. Every target is tried; failures are in the reports.
    public func verifyAll(project: String?, volume: String? = nil, database: String? = nil) async throws -> [RestoreReport] {
        var reports: [RestoreReport] = []
        for name in project.map({ [$0] }) ?? projectsWithBackups {
            for target in try targets(project: name, volume: volume, database: database) {
                do {
                    reports.append(try await restore(project: name, target: target, mode: .drill))
                } catch {
                    var failed = RestoreReport(project: name, kind: target.kind, target: target.name, snapshot: "", restoredInto: "", swapped: false, verified: false, duration: 0)
                    failed.error = BackupFailure(error)
                    reports.append(failed)
                }
            }
        }
        return reports
    }
}
