import Foundation

/// Output with optional colour. Colour is used only on a terminal, without NO_COLOR, and unless disabled.
struct Terminal: Sendable {
    let color: Bool

    init(color requested: Bool) {
        let env = ProcessInfo.processInfo.environment
        self.color = requested && env["NO_COLOR"] == nil && env["TERM"] != "dumb" && isatty(STDOUT_FILENO) == 1
    }

    enum Style: String {
        case green = "32", yellow = "33", red = "31", bold = "1", dim = "2", cyan = "36"
    }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
