import BerthBackup
@testable import BerthServer
import Foundation
import Testing

@Suite struct BackupMetricsTests {
    func record(_ project: String, _ target: String, _ state: BackupState, at seconds: TimeInterval) -> BackupRecord {
        BackupRecord(id: "\(project)-\(target)-\(seconds)", platform: "p", project: project, kind: .volume, target: target, state: state,
                     startedAt: Date(timeIntervalSince1970: seconds), duration: 1)
    }

    @Test func theLatestResultOfEachConfiguredTargetAndNothingOfARemovedOne() {
        let metrics = ServerMetrics()
        let records = [record("a", "data", .succeeded, at: 100), record("a", "data", .failed, at: 200), record("b", "files", .succeeded, at: 300)]
        let both = metrics.render(counts: [:], backups: records, targets: ["a/volume/data", "b/volume/files"])
        #expect(both.contains(#"berth_backup_last_result_ok{project="a",kind="volume",target="data"} 0"#), "\(both)")
        #expect(both.contains(#"berth_backup_last_success_timestamp_seconds{project="a",kind="volume",target="data"} 100"#), "\(both)")
        #expect(both.contains(#"berth_backup_last_result_ok{project="b",kind="volume",target="files"} 1"#), "\(both)")
        #expect(both.contains(#"berth_backups_count{state="failed"} 1"#), "\(both)")
        // b's volume is no longer backed up: its gauges go; the recorded counts stay.
        let one = metrics.render(counts: [:], backups: records, targets: ["a/volume/data"])
        #expect(!one.contains(#"target="files""#), "\(one)")
        #expect(one.contains(#"berth_backup_last_result_ok{project="a",kind="volume",target="data"} 0"#), "\(one)")
        #expect(one.contains(#"berth_backups_count{state="succeeded"} 2"#), "\(one)")
    }
}
