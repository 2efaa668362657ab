/// One line of a container's output.
public struct LogLine: Sendable, Hashable {
    public enum Stream: Sendable, Hashable {
        case stdin, stdout, stderr
    }

    public var stream: Stream
    /// The line without its trailing newline.
    public var text: String

    public init(stream: Stream, text: String) {
        self.stream = stream
        self.text = text
    }
}
