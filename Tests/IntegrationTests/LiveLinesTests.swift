@testable import BerthCLI
import Synchronization
import Testing

/// The live progress block on a terminal, replayed on a minimal terminal model (cursor up/down,
/// carriage return, clear line, newline) to see what the user ends up looking at.
@Suite struct LiveLinesTests {
    final class Screen: Sendable {
        let output = Mutex("")
        func write(_ text: String) { output.withLock { $0 += text } }

        /// The screen's rows after replaying the output.
        var rows: [String] {
            var rows = [""], row = 0
            var chars = Array(output.withLock { $0 })[...]
            while let c = chars.popFirst() {
                switch c {
                case "\n":
                    row += 1
                    if row == rows.count { rows.append("") }
                case "\r":
                    continue
                case "\u{1B}":
                    guard chars.popFirst() == "[" else { continue }
                    var digits = ""
                    while let d = chars.first, d.isNumber { digits.append(d); chars.removeFirst() }
                    let n = Int(digits) ?? 1
                    switch chars.popFirst() {
                    case "A": row = max(0, row - n)
                    case "B": row = min(rows.count - 1, row + n)
                    case "K": rows[row] = ""
                    default: break
                    }
                default:
                    rows[row].append(c)
                }
            }
            return rows.last == "" ? Array(rows.dropLast()) : rows
        }
    }

    @Test func aServiceLineIsRewrittenInPlaceAbovePlainLinesPrintedAfterIt() {
        let screen = Screen()
        let live = LiveLines(write: screen.write)
        live.plain("a: started")
        live.update("a/web", "a/web: starting")
        live.plain("b: started")
        live.update("b/api", "b/api: starting")
        live.update("a/web", "a/web: waiting")
        live.plain("✗ b/api: failed\n    log: boom")
        live.update("a/web", "a/web: rolled out")
        live.plain("✓ a")
        #expect(screen.rows == ["a: started", "a/web: rolled out", "b: started", "b/api: starting",
                                "✗ b/api: failed", "    log: boom", "✓ a"])
    }

    @Test func aLineOutOfReachIsPrintedAnew() {
        let screen = Screen()
        let live = LiveLines(write: screen.write)
        live.update("a/web", "a/web: starting")
        for i in 0..<LiveLines.reach { live.plain("line \(i)") }
        live.update("a/web", "a/web: done")
        #expect(screen.rows.first == "a/web: starting")
        #expect(screen.rows.last == "a/web: done")
        #expect(screen.rows.count == LiveLines.reach + 2)
    }
}
