/// A place in a configuration file: the file's path relative to the config root, 1-based line and column.
public struct Location: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int = 1, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: Location, b: Location) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One problem found in the configuration, printed as `path:line:col: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: Location
    public var message: String

    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Collects every problem of a load so that one run reports them all.
public final class DiagnosticSink {
    public private(set) var diagnostics: [Diagnostic] = []
    /// What is accepted but worth knowing (a key without effect, a name that loses): never blocks a load.
    public private(set) var warnings: [Diagnostic] = []
    /// Values whose content is unknown because of a problem already reported (a failed interpolation).
    private var unknownValues = Set<Location>()

    public init() {}

    public func error(_ location: Location, _ message: String) {
        guard !unknownValues.contains(location) else { return }
        diagnostics.append(Diagnostic(location, message))
    }

    public func warning(_ location: Location, _ message: String) {
        warnings.append(Diagnostic(location, message))
    }

    /// Warnings in file order, without exact duplicates.
    public var sortedWarnings: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return warnings.filter { seen.insert($0).inserted }
            .sorted { ($0.location, $0.message) < ($1.location, $1.message) }
    }

    /// Drops later problems reported at `location`: the value there could not be computed and its problem
    /// is already reported, so checks of its content would only repeat it in other words.
    public func markUnknown(_ location: Location) {
        unknownValues.insert(location)
    }

    public var isEmpty: Bool { diagnostics.isEmpty }

    /// Diagnostics in file order, without exact duplicates.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
            .sorted { ($0.location, $0.message) < ($1.location, $1.message) }
    }
}

/// Thrown when a configuration repository is invalid; carries every problem found.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String {
        let lines = diagnostics.map(\.description)
        let count = diagnostics.count
        return (lines + ["\(count) problem\(count == 1 ? "" : "s") found; nothing was changed."])
            .joined(separator: "\n")
    }
}
