import ArgumentParser
import BerthConfig
import Foundation

/// Reads a secret value from standard input: without echo from a terminal, else all of it (a pipe or
/// a file), dropping one trailing newline.
enum SecretInput {
    static func read(prompt: String) throws -> SecretValue {
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            FileHandle.standardError.write(Data(prompt.utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        var text: String
        if terminal {
            text = readLine(strippingNewline: true) ?? ""
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        }
        guard !text.isEmpty else { throw ValidationError("no value on standard input; pipe it in (berth secrets set PROJECT KEY < file)") }
        return SecretValue(text)
    }
}
