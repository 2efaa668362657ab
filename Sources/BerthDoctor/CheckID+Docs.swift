extension CheckID {
    /// The table of docs/doctor.md: every check with its group, the status of a violation, why it matters and the fix.
    public static func markdownTable() -> String {
        var out = "| id | checks | violation | why | fix |\n|---|---|---|---|---|\n"
        for id in allCases {
            let cells = [
                "`\(id.rawValue)`", id.title, id.violation.rawValue, id.rationale, id.remedy,
            ].map { $0.replacingOccurrences(of: "|", with: "\\|") }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
