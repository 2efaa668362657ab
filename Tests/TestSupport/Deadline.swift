import BerthConfig

/// Time limits and elapsed times for tests, on a monotonic clock.
///
/// Tests must not time anything with `Date()`: the wall clock can be stepped (NTP, a resumed VM), and a
/// step of ten seconds once made every in-flight request of a load test "time out" at once, and would
/// make a polling loop give up early or a child process be killed mid-run. `SuspendingClock`
/// (CLOCK_MONOTONIC) is also the clock Swift Testing times tests with: a paused machine pauses it.
public struct Deadline: Sendable {
    private let end: SuspendingClock.Instant

    public init(seconds: Double) {
        end = SuspendingClock.now.advanced(by: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    /// True once the limit has passed.
    public var passed: Bool { SuspendingClock.now >= end }

    /// Seconds left (negative once passed).
    public var remaining: Double { SuspendingClock.now.duration(to: end).inSeconds }
}

/// Seconds elapsed since it was started, on a monotonic clock.
public struct Stopwatch: Sendable {
    private let start = SuspendingClock.now

    public init() {}

    public var seconds: Double { start.duration(to: .now).inSeconds }
}
