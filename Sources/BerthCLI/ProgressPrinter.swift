import BerthEngine
import BerthProxy
import BerthRuntime
import BerthRender
import Foundation
import Synchronization

/// Prints apply progress: a live line per project/service on a terminal, plain lines otherwise,
/// or JSON lines with `--json`.
final class ProgressPrinter: Sendable {
    let json: Bool
    let terminal: Terminal
    private let live: LiveLines?

    init(json: Bool, terminal: Terminal) {
        self.json = json
        self.terminal = terminal
        self.live = !json && terminal.color ? LiveLines() : nil
    }

    var event: EventSink {
        { [self] event in self.handle(event) }
    }

    /// One line of the JSON progress stream (the engine's `ApplyOutput`).
    func emit(_ line: ApplyOutput) {
        FileHandle.standardOutput.write(Data((JSONOutput.encode(line, pretty: false) + "\n").utf8))
    }

    private func handle(_ event: ApplyEvent) {
        if json {
            emit(.event(event))
            return
        }
        let key = [event.project, event.service].compactMap { $0 }.joined(separator: "/")
        let elapsed = event.elapsed > 0 ? String(format: " (%.1fs)", event.elapsed) : ""
        let text: String
        switch event.kind {
        case .serviceFailed: text = terminal.paint("✗ \(key): \(event.message)", .red)
        case .projectDone: text = terminal.paint("✓ \(key)", .green)
        case .projectFailed: text = terminal.paint("✗ \(key) failed", .red)
        case .projectSkipped, .serviceSkipped: text = terminal.paint("- \(key) \(event.message)", .yellow)
        case .projectCancelled: text = terminal.paint("- \(key) \(event.message)", .yellow)
        case .finished, .lockAcquired, .lockReleased: return
        default: text = "  \(key): \(event.message)\(elapsed)"
        }
        if let live {
            if event.kind == .step || event.kind == .serviceDone || event.kind == .build { live.update(key, text) } else { live.plain(text) }
        } else {
            print(text)
        }
    }

    /// Prints the summary; a report with a failed project ends the command with exit code 3, a
    /// cancelled one with 130.
    func conclude(_ report: ApplyReport) throws {
        summary(report)
        if report.cancelled { throw BerthExit(.cancelled) }
        if !report.succeeded { throw BerthExit(.failure) }
    }

    func summary(_ report: ApplyReport) {
        if json {
            emit(.summary(report))
            return
        }
        print("\nDeployment \(report.deployment)\(report.cancelled ? " (cancelled)" : ""):")
        for p in report.projects {
            let mark = p.succeeded ? terminal.paint("✓", .green) : p.result == .cancelled ? terminal.paint("-", .yellow) : terminal.paint("✗", .red)
            print("  \(mark) \(p.project)\(p.result == .cancelled ? " cancelled" : "")")
            for m in p.messages { print("      \(m.replacingOccurrences(of: "\n", with: "\n      "))") }
        }
        if let error = report.historyError { Terminal.standardError("error: \(error)") }
    }
}

/// Lines rewritten in place on a terminal: one line per key (project/service) showing its latest
/// step. Every line printed since the start is remembered — live ones by key, plain ones (a project
/// started or done, a failure) without — so a live line is found again above plain lines printed
/// after it. A line too far up to reach (it may have scrolled off the screen) is printed anew.
final class LiveLines: Sendable {
    /// How far up a line is rewritten in place; beyond, it may be off a small terminal's screen.
    static let reach = 20
    private let lines = Mutex<[String?]>([])
    private let write: @Sendable (String) -> Void

    init(write: @escaping @Sendable (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }) {
        self.write = write
    }

    func update(_ key: String, _ text: String) {
        lines.withLock { lines in
            if let index = lines.lastIndex(of: key), lines.count - index <= Self.reach {
                let up = lines.count - index
                write("\u{1B}[\(up)A\r\u{1B}[2K\(text)\u{1B}[\(up)B\r")
            } else {
                lines.append(key)
                write(text + "\n")
            }
        }
    }

    /// Prints a line that is not rewritten later (it may span several lines).
    func plain(_ text: String) {
        lines.withLock { lines in
            lines += Array(repeating: nil, count: text.split(separator: "\n", omittingEmptySubsequences: false).count)
            write(text + "\n")
        }
    }
}
