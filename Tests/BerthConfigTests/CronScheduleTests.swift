@testable import BerthConfig
import Foundation
import Testing

@Suite("Backup schedules: cron fields, shorthands, @every")
struct CronScheduleTests {
    func next(_ expression: String, after: String) throws -> String? {
        let iso = ISO8601DateFormatter()
        return try CronSchedule(parsing: expression).next(after: iso.date(from: after)!).map(iso.string)
    }

    @Test func theNextRunOfCronFieldsIsInUTC() throws {
        #expect(try next("0 3 * * *", after: "2026-12-01T22:59:30Z") == "2026-12-02T03:00:00Z")
        #expect(try next("0 3 * * *", after: "2026-12-02T03:00:00Z") == "2026-12-03T03:00:00Z", "strictly after")
        #expect(try next("*/15 * * * *", after: "2026-12-01T10:07:00Z") == "2026-12-01T10:15:00Z")
        #expect(try next("5/20 8-18/2 * * *", after: "2026-12-01T18:46:00Z") == "2026-12-02T08:05:00Z")
        #expect(try next("30 1 1,15 * *", after: "2026-12-15T02:00:00Z") == "2027-01-01T01:30:00Z", "over a year's end")
        #expect(try next("0 0 * * 0", after: "2026-12-01T00:00:00Z") == "2026-12-06T00:00:00Z", "Sunday is 0")
        #expect(try next("0 0 * * 7", after: "2026-12-01T00:00:00Z") == "2026-12-06T00:00:00Z", "and 7")
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z") == "2028-02-29T00:00:00Z", "the next leap day")
        // Both day fields restricted: either matches (the 13th, or any Friday).
        #expect(try next("0 12 13 * 5", after: "2026-12-01T00:00:00Z") == "2026-12-04T12:00:00Z")
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil, "February 30th never comes")
    }

    @Test func shorthandsAndEvery() throws {
        #expect(try next("@daily", after: "2026-12-01T22:00:00Z") == "2026-12-02T00:00:00Z")
        #expect(try next("@hourly", after: "2026-12-01T22:00:00Z") == "2026-12-01T23:00:00Z")
        #expect(try next("@weekly", after: "2026-12-01T22:00:00Z") == "2026-12-06T00:00:00Z")
        #expect(try next("@monthly", after: "2026-12-01T22:00:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("@every 90m", after: "2026-12-01T22:00:00Z") == "2026-12-01T23:30:00Z")
        #expect(try next("@every 10s", after: "2026-12-01T22:00:00Z") == "2026-12-01T22:00:10Z")
    }

    @Test func badSchedulesSayWhatIsWrong() {
        func problem(_ text: String) -> String? {
            do { _ = try CronSchedule(parsing: text); return nil } catch { return error.description }
        }
        #expect(problem("0 3 * *")?.contains("expected 5 cron fields") == true)
        #expect(problem("60 3 * * *")?.contains("out of range 0-59 for the minute") == true)
        #expect(problem("0 24 * * *")?.contains("for the hour") == true)
        #expect(problem("0 3 0 * *")?.contains("day of month") == true)
        #expect(problem("0 3 * 13 *")?.contains("month") == true)
        #expect(problem("0 3 * * 8")?.contains("day of week") == true)
        #expect(problem("*/0 * * * *")?.contains("bad step") == true)
        #expect(problem("5-1 * * * *")?.contains("out of range") == true)
        #expect(problem("@yearly")?.contains("unknown shorthand") == true)
        #expect(problem("@every soon")?.contains("not a duration") == true)
        #expect(problem("@every 500ms")?.contains("at least 1s") == true)
        #expect(problem("0 3 * * *") == nil)
    }
}
