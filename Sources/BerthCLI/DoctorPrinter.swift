import BerthDoctor

/// The human form of a doctor report: grouped host / daemon / services, each service with its warnings and
/// failures (and a count of what passes), then a summary.
struct DoctorPrinter {
    let terminal: Terminal
    let verbose: Bool

    func mark(_ status: CheckStatus) -> String {
        switch status {
        case .pass: terminal.paint("pass", .green)
        case .warn: terminal.paint("warn", .yellow)
        case .fail: terminal.paint("FAIL", .red)
        }
    }

    func line(_ f: Finding, indent: String) {
        let subject = f.group == .services || f.subject == nil ? "" : "\(f.subject!): "
        Swift.print("\(indent)\(mark(f.status))  \(f.check.rawValue)  \(subject)\(f.why)")
        if !f.fix.isEmpty { Swift.print("\(indent)      " + terminal.paint("fix: ", .dim) + f.fix) }
    }

    func print(_ report: DoctorReport, config: String) {
        for group in CheckGroup.allCases {
            Swift.print(terminal.paint(group.rawValue, .bold))
            let findings = report.findings.filter { $0.group == group }
            if group != .services {
                for f in findings { line(f, indent: "  ") }
                continue
            }
            guard report.repositoryChecked else {
                Swift.print("  (no platform.yml in \(config): service checks skipped; use -c DIR)")
                continue
            }
            if findings.isEmpty { Swift.print("  (no enabled project)") }
            var subjects: [String] = []
            for f in findings where !subjects.contains(f.subject ?? "") { subjects.append(f.subject ?? "") }
            for subject in subjects {
                let own = findings.filter { $0.subject == subject }
                Swift.print("  \(subject)" + (own.first?.location.map { terminal.paint("  (\($0))", .dim) } ?? ""))
                for f in own where verbose || f.status != .pass { line(f, indent: "    ") }
                let passing = own.filter { $0.status == .pass }.count
                if !verbose, passing > 0 {
                    Swift.print("    " + terminal.paint("pass", .green) + "  \(passing == own.count ? "all \(passing) checks" : "\(passing) other checks")")
                }
            }
        }
        let summary = "\(report.count(.fail)) failed, \(report.count(.warn)) warnings, \(report.count(.pass)) passed"
        Swift.print(report.failed ? terminal.paint(summary, .red) : summary)
    }
}
