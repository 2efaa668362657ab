@testable import BerthEngine
import Testing

@Suite struct AsyncGateTests {
    /// Holders never overlap, and waiters get the gate in the order they asked.
    @Test func oneHolderAtATimeInArrivalOrder() async {
        let gate = AsyncGate()
        let log = Log()
        await gate.acquire()
        var waiters: [Task<Void, Never>] = []
        for n in 0..<5 {
            waiters.append(Task {
                await gate.acquire()
                await log.enter(n)
                try? await Task.sleep(for: .milliseconds(5))
                await log.leave()
                gate.release()
            })
            while gate.waiting < n + 1 { await Task.yield() }  // queued before the next one asks
        }
        gate.release()
        for waiter in waiters { await waiter.value }
        #expect(await log.order == [0, 1, 2, 3, 4])
        #expect(await log.maxInside == 1)
    }

    actor Log {
        var order: [Int] = []
        var inside = 0
        var maxInside = 0
        func enter(_ n: Int) { order.append(n); inside += 1; maxInside = max(maxInside, inside) }
        func leave() { inside -= 1 }
    }
}
