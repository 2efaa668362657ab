@testable import BerthServer
import Foundation
import Testing

@Suite("EventSignal: wake-ups with a timeout, cancellation and an optional latch")
struct EventSignalTests {
    /// Repeated waits each wait their timeout: a timed-out wait must not leave the signal firing (the
    /// daemon's claiming loop once spun at 150 % CPU when idle because of it).
    @Test func everyWaitWaitsItsTimeoutWhenNothingHappens() async {
        let signal = EventSignal(latching: true)
        let clock = ContinuousClock()
        let took = await clock.measure {
            for _ in 0..<4 { await signal.wait(timeout: .milliseconds(100)) }
        }
        #expect(took >= .milliseconds(390), "four waits of 100 ms returned after \(took)")
    }

    @Test func aNotifyWakesEveryWaiterAndANonLatchingOneForgetsIt() async throws {
        let signal = EventSignal()
        let clock = ContinuousClock()
        let started = clock.now
        let woken = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<3 { group.addTask { await signal.wait(timeout: .seconds(600)); return 1 } }
            // A non-latching notify reaches only stored waiters: wait until all three are.
            while signal.waiting < 3 { try await Task.sleep(for: .milliseconds(10)) }
            signal.notifyAll()
            return try await group.reduce(0, +)
        }
        #expect(woken == 3)
        #expect(clock.now - started < .seconds(300))  // loose: 2 cores run every suite at once
        // Nobody waits: the notify is lost, the next wait lasts its timeout.
        signal.notifyAll()
        let took = await clock.measure { await signal.wait(timeout: .milliseconds(150)) }
        #expect(took >= .milliseconds(140))
    }

    @Test func aLatchingSignalRemembersOneNotifyWithNobodyWaiting() async {
        let signal = EventSignal(latching: true)
        signal.notifyAll()
        signal.notifyAll()
        let clock = ContinuousClock()
        let first = await clock.measure { await signal.wait(timeout: .seconds(600)) }
        #expect(first < .seconds(300), "the remembered notify did not wake the wait")
        let second = await clock.measure { await signal.wait(timeout: .milliseconds(150)) }
        #expect(second >= .milliseconds(140), "two notifies were remembered as two")
    }

    @Test func aCancelledWaitReturnsAtOnce() async {
        let signal = EventSignal()
        let clock = ContinuousClock()
        let started = clock.now
        let waiter = Task { await signal.wait(timeout: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await waiter.value
        #expect(clock.now - started < .seconds(300))
        let already = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await signal.wait(timeout: .seconds(600))
        }
        await already.value
        #expect(clock.now - started < .seconds(300))
    }
}
