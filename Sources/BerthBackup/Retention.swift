import BerthConfig
import Foundation

/// The keep rules of `backups.retention`, as restic defines them, computed by Berth so that what is
/// forgotten is known (and tested) before restic is asked: `keep_last N` keeps the N newest snapshots;
/// `keep_daily N` the newest snapshot of each of the N newest days that have one (`keep_weekly`: ISO
/// weeks, `keep_monthly`: months; days in UTC). A snapshot kept by any rule stays.
public enum Retention {
    public struct Item: Sendable, Hashable {
        public var id: String
        public var time: Date
        public init(id: String, time: Date) {
            self.id = id
            self.time = time
        }
    }

    /// The ids to forget; empty when the policy keeps everything (no rule set).
    public static func forget(_ items: [Item], policy: BackupRetention) -> [String] {
        guard !policy.isEmpty else { return [] }
        let newest = items.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
        var keep = Set<String>()
        if let n = policy.keepLast { newest.prefix(n).forEach { keep.insert($0.id) } }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let buckets: [(Int?, (Date) -> String)] = [
            (policy.keepDaily, { d in let c = calendar.dateComponents([.year, .month, .day], from: d); return "\(c.year!)-\(c.month!)-\(c.day!)" }),
            (policy.keepWeekly, { d in let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: d); return "\(c.yearForWeekOfYear!)-W\(c.weekOfYear!)" }),
            (policy.keepMonthly, { d in let c = calendar.dateComponents([.year, .month], from: d); return "\(c.year!)-\(c.month!)" }),
        ]
        for (count, bucket) in buckets {
            guard let count else { continue }
            var seen = Set<String>()
            for item in newest {
                let key = bucket(item.time)
                if seen.contains(key) { continue }
                if seen.count == count { break }
                seen.insert(key)
                keep.insert(item.id)
            }
        }
        return newest.filter { !keep.contains($0.id) }.map(\.id)
    }
}
