import BerthBackup
import BerthConfig
import Foundation
import Testing

@Suite struct RetentionTests {
    /// Snapshots at the given UTC times ("2026-03-01T10:00:00Z"), named s0, s1… in that order.
    func items(_ times: [String]) -> [Retention.Item] {
        times.enumerated().map { Retention.Item(id: "s\($0.offset)", time: ISO8601DateFormatter().date(from: $0.element)!) }
    }

    @Test func noRuleForgetsNothing() {
        #expect(Retention.forget(items(["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"]), policy: BackupRetention()).isEmpty)
    }

    @Test func keepLastKeepsTheNewest() {
        let all = items(["2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepLast: 2))) == ["s0", "s1"])
        #expect(Retention.forget(all.reversed(), policy: BackupRetention(keepLast: 2)).sorted() == ["s0", "s1"], "order of the input does not matter")
        #expect(Retention.forget(all, policy: BackupRetention(keepLast: 10)).isEmpty)
    }

    @Test func keepDailyKeepsTheNewestOfEachOfTheNewestDays() {
        // Day 1: s0 s1; day 2: s2 s3; day 4: s4 (day 3 has none and does not count).
        let all = items(["2026-03-01T01:00:00Z", "2026-03-01T23:00:00Z", "2026-03-02T05:00:00Z", "2026-03-02T06:00:00Z", "2026-03-04T00:30:00Z"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepDaily: 2))) == ["s0", "s1", "s2"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepDaily: 3))) == ["s0", "s2"])
    }

    @Test func weeklyAndMonthlyUseISOWeeksAndMonths() {
        // 2026-03-01 is a Sunday (ISO week 9), 2026-03-02 a Monday (week 10); 2026-02-27 is in February.
        let all = items(["2026-02-27T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepWeekly: 2))) == ["s0", "s2"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepMonthly: 1))) == ["s0", "s1", "s2"])
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepMonthly: 2))) == ["s1", "s2"])
    }

    @Test func aSnapshotKeptByAnyRuleStays() {
        let all = items(["2026-01-15T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"])
        // keep_last 1 keeps s3; keep_monthly 2 keeps s3 (March) and s0 (January).
        #expect(Set(Retention.forget(all, policy: BackupRetention(keepLast: 1, keepMonthly: 2))) == ["s1", "s2"])
    }
}
