import ArgumentParser
import BerthConfig
import BerthEngine
import Foundation

/// The `--json` output of the commands: the engine's Codable values, encoded one way.
enum JSONOutput {
    /// Keys sorted (stable output), slashes unescaped; pretty documents end with a newline.
    static func encode<T: Encodable>(_ value: T, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        // The engine's types encode plain values (strings, numbers, booleans, arrays, objects): this cannot fail.
        guard let data = try? encoder.encode(value) else { preconditionFailure("\(T.self) did not encode as JSON") }
        return String(decoding: data, as: UTF8.self) + (pretty ? "\n" : "")
    }

    /// The error object of a failed `--json` command, or nil for an exit that is no error (a report
    /// already printed with its failures, a plan with changes).
    static func report(_ error: any Error) -> ErrorReport? {
        switch error {
        case is BerthExit: nil
        case let error as ValidationError: ErrorReport(ArgumentError(message: error.message))
        default: ErrorReport(error)
        }
    }

    /// Runs `body`; when it fails and `json` is set, prints the error object — `{"error": ErrorReport}`,
    /// or through `emit` (apply's `{"event": "error", …}` line) — before the error ends the command as usual.
    static func reportingErrors(json: Bool, emit: ((ErrorReport) -> Void)? = nil, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            if json, let report = report(error) {
                if let emit { emit(report) } else { print(encode(ErrorObject(error: report), pretty: true), terminator: "") }
            }
            throw error
        }
    }

    struct ErrorObject: Encodable { var error: ErrorReport }
}

/// A command-line argument that cannot be used (argument-parser's ValidationError in Berth's terms).
struct ArgumentError: BerthError {
    var message: String
    var domain: ErrorDomain { .config }
    var code: ErrorCode { .invalidArgument }
    var cause: String { message }
    var hint: String? { "see berth help" }
    var description: String { message }
}

/// An engine error as the CLI reports it: Berth's errors as they are (their text unchanged), any
/// other failure as a RuntimeFailure with its text.
/// A failure while the command is being cancelled (SIGINT/SIGTERM) is the cancellation: the request
/// it cut short may fail in its own words (a closed connection), which are kept in the cause.
func engineFailure(_ error: any Error) -> any Error {
    if Task.isCancelled, !(error is ConfigError), !(error is CancellationError), berthError(error).code != .cancelled {
        return ApplyError(.cancelled, cause: "cancelled (\(error))", hint: ApplyError.cancelled().hint)
    }
    if error is any BerthError || error is CancellationError || error is ValidationError { return error }
    let mapped = berthError(error)
    return mapped.code == .internalError ? RuntimeFailure("\(error)", code: .internalError) : mapped
}
