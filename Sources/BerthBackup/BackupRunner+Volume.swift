import BerthConfig
import Foundation

extension BackupRunner {
    /// restic reads the volume's host directory (Berth runs as root on the Docker host; see docs/config.md).
    /// Returns the target's snapshots as listed after the backup (retention reuses the listing).
    func backupVolume(_ project: Project, _ volume: BackupVolume, into record: inout BackupRecord) async throws -> [Restic.Snapshot] {
        let restic = try restic()
        _ = try restic.environment()  // every credential is there before anything is stopped
        let name = volumeName(project, volume.name)
        guard let mountpoint = try await docker.mountpoint(name) else {
            throw BackupError(.backupTargetMissing, "volume \(name) (project \(project.name), volume '\(volume.name)') does not exist",
                              hint: "berth apply --project \(project.name) creates it")
        }
        try await restic.ensureRepository()
        let tags = BackupRecord.tags(platform: platformName, project: project.name, kind: .volume, target: volume.name)
        var stopped: [String] = []
        var live: TreeDigest?
        let result: ProcessRunner.Result
        do {
            if volume.stop {
                stopped = try await docker.containers(using: name)
                log("\(project.name)/\(volume.name): stopping \(stopped.count) container(s) for a consistent copy")
                try await docker.stop(stopped)
                live = try TreeDigest.of(mountpoint)
            }
            result = try await runner.run("restic", ["backup", "--json", "--host", platformName] + tags.flatMap { ["--tag", $0] } + ["."],
                                          environment: try restic.environment(), directory: mountpoint)
        } catch {
            try await docker.start(stopped)
            throw error
        }
        try await docker.start(stopped)
        guard result.succeeded else { throw restic.failure(step: "restic backup of volume \(name)", result.stderrText, timedOut: result.timedOut, aborted: result.aborted) }
        guard let summary = Restic.summarySnapshot(result.stdout) else {
            throw BackupError(.resticFailed, "restic backup of volume \(name) printed no snapshot id")
        }
        let (snapshot, listing) = try await listed(summary.id, tags: tags, restic: restic)
        record.snapshot = snapshot
        record.stopped = stopped.isEmpty ? nil : stopped.map { String($0.prefix(12)) }
        // Read-back: the whole snapshot restored into a scratch directory and hashed.
        let readBack = try await restoredDigest(snapshot, restic: restic)
        if let live, live != readBack {
            try await restic.forget([snapshot], step: "forgetting the snapshot that does not match")
            throw BackupError(.verificationFailed, "the snapshot of volume \(name) read back as \(readBack.files) files / \(readBack.digest.prefix(12)), the volume holds \(live.files) files / \(live.digest.prefix(12)); the snapshot was forgotten")
        }
        record.digest = readBack.digest
        record.files = readBack.files
        record.bytes = readBack.bytes
        return listing
    }

    /// The full id of a just-made snapshot, once `restic snapshots` lists it under the target's tags, and
    /// that listing.
    func listed(_ shortID: String, tags: [String], restic: Restic) async throws -> (String, [Restic.Snapshot]) {
        let snapshots = try await restic.snapshots(tags: tags)
        guard let snapshot = snapshots.first(where: { $0.id.hasPrefix(shortID) }) else {
            throw BackupError(.verificationFailed, "restic reported snapshot \(shortID), but restic snapshots does not list it", hint: "check the repository with restic check")
        }
        return (snapshot.id, snapshots)
    }

    /// Reads `snapshot` back whole (`restic dump --archive tar`) and digests the tree it holds, without
    /// writing it anywhere: every blob is fetched, decrypted and checked by restic on the way.
    func restoredDigest(_ snapshot: String, restic: Restic) async throws -> TreeDigest {
        let pipe = StreamPipe(timeout: timeout, scratch: work.appendingPathComponent("tmp"))
        let result = try await pipe.run(try restic.stdinCommand(["dump", "--archive", "tar", snapshot, "/"]), nil, tree: true)
        guard result.producer.succeeded, !result.timedOut else {
            throw restic.failure(step: "reading snapshot \(snapshot.prefix(8)) back", result.producerStderr, timedOut: result.timedOut)
        }
        guard let tree = result.tree else { throw BackupError(.internalError, "the read-back of snapshot \(snapshot.prefix(8)) was not digested") }
        return try tree.get()
    }
}
