import Foundation

/// When a scheduled job runs: a 5-field cron expression (minute hour day-of-month month day-of-week, in
/// UTC; `*`, lists `1,15`, ranges `1-5`, steps `*/10` and `8-18/2`; weekday 0 or 7 is Sunday; when both
/// day fields are restricted, either one matching is enough, as in Vixie cron), a shorthand (`@hourly`,
/// `@daily`, `@weekly`, `@monthly`), or `@every <duration>` (`@every 6h`, as offen/docker-volume-backup
/// and robfig/cron write it).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    enum Rule: Sendable, Hashable {
        case fields(minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>,
                    daysRestricted: Bool, weekdaysRestricted: Bool)
        case every(TimeSpan)
    }

    let rule: Rule
    public let description: String

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    static let shorthands = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                             "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"]

    public init(parsing text: String) throws(Problem) {
        description = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("@every ") {
            let span = trimmed.dropFirst("@every ".count).trimmingCharacters(in: .whitespaces)
            guard let interval = TimeSpan(parsing: span) else {
                throw Problem(description: "'\(span)' after @every is not a duration (e.g. @every 6h, @every 30m)")
            }
            guard interval.milliseconds >= 1000 else { throw Problem(description: "@every needs at least 1s, found '\(span)'") }
            rule = .every(interval)
            return
        }
        let expression = Self.shorthands[trimmed] ?? trimmed
        if expression.hasPrefix("@") {
            throw Problem(description: "unknown shorthand '\(trimmed)'; use @hourly, @daily, @weekly, @monthly, @every <duration> or 5 cron fields")
        }
        let fields = expression.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else {
            throw Problem(description: "expected 5 cron fields (minute hour day month weekday), @daily or @every <duration>, found '\(text)'")
        }
        let names = ["minute", "hour", "day of month", "month", "day of week"]
        let ranges = [0...59, 0...23, 1...31, 1...12, 0...7]
        var sets: [Set<Int>] = []
        for i in 0..<5 { sets.append(try Self.values(of: fields[i], in: ranges[i], name: names[i], text: text)) }
        var weekdays = sets[4]
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        rule = .fields(minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays: weekdays,
                       daysRestricted: fields[2] != "*", weekdaysRestricted: fields[4] != "*")
    }

    static func values(of field: Substring, in range: ClosedRange<Int>, name: String, text: String) throws(Problem) -> Set<Int> {
        var result: Set<Int> = []
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw Problem(description: "'\(field)' is not a cron \(name) field (in '\(text)')")
            }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else { throw Problem(description: "'\(field)' has a bad step (in '\(text)')") }
                step = s
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(ends.count), let low = ends.first ?? nil, let high = ends.last ?? nil,
                      range.contains(low), range.contains(high), low <= high else {
                    throw Problem(description: "'\(field)' is out of range \(range.lowerBound)-\(range.upperBound) for the \(name) (in '\(text)')")
                }
                // `5/15` means from 5 to the end by 15, as in cron.
                bounds = ends.count == 1 && pieces.count == 2 ? low...range.upperBound : low...high
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first time strictly after `date` when the job runs (nil: never within the next 5 years, e.g.
    /// February 30th). For `@every`, `date` plus the interval.
    public func next(after date: Date) -> Date? {
        switch rule {
        case .every(let interval):
            return date.addingTimeInterval(Double(interval.milliseconds) / 1000)
        case .fields(let minutes, let hours, let days, let months, let weekdays, let daysRestricted, let weekdaysRestricted):
            let calendar = Self.utc
            // The next whole minute after `date`.
            var t = Date(timeIntervalSince1970: (floor(date.timeIntervalSince1970 / 60) + 1) * 60)
            let limit = date.addingTimeInterval(5 * 366 * 86_400)
            while t < limit {
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: t)
                guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let weekday = c.weekday else { return nil }
                if !months.contains(month) {
                    guard let next = calendar.date(from: DateComponents(year: c.year, month: month + 1, day: 1)) else { return nil }
                    t = next
                    continue
                }
                let dayMatch = days.contains(day), weekdayMatch = weekdays.contains(weekday - 1)
                let dayOK = daysRestricted && weekdaysRestricted ? dayMatch || weekdayMatch : dayMatch && weekdayMatch
                if !dayOK {
                    guard let next = calendar.date(from: DateComponents(year: c.year, month: month, day: day + 1)) else { return nil }
                    t = next
                    continue
                }
                if !hours.contains(hour) {
                    guard let next = calendar.date(from: DateComponents(year: c.year, month: month, day: day, hour: hour + 1)) else { return nil }
                    t = next
                    continue
                }
                if !minutes.contains(minute) {
                    t = t.addingTimeInterval(60)
                    continue
                }
                return t
            }
            return nil
        }
    }
}
