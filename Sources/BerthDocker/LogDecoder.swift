/// Turns the bytes of `GET /containers/{id}/logs` into lines.
///
/// Without a TTY the engine multiplexes stdout and stderr: each frame has an 8-byte header — the stream
/// (0 stdin, 1 stdout, 2 stderr), three zero bytes, the payload length as a big-endian UInt32 — and
/// the payload. With a TTY the bytes are the raw terminal output (reported as stdout). Frames and chunks
/// need not end at line ends, so partial lines are kept per stream until their newline arrives.
struct LogDecoder {
    let multiplexed: Bool
    private var pending: [UInt8] = []
    private var partial: [LogLine.Stream: [UInt8]] = [:]

    init(multiplexed: Bool) {
        self.multiplexed = multiplexed
    }

    /// Feeds the next chunk; returns the lines it completes.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [LogLine] {
        guard multiplexed else { return append(Array(bytes), to: .stdout) }
        pending.append(contentsOf: bytes)
        var lines: [LogLine] = []
        var offset = 0
        while pending.count - offset >= 8 {
            let length =
                Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16 | Int(pending[offset + 6]) << 8
                | Int(pending[offset + 7])
            guard pending.count - offset - 8 >= length else { break }
            let stream: LogLine.Stream =
                switch pending[offset] {
                case 0: .stdin
                case 2: .stderr
                default: .stdout
                }
            lines += append(Array(pending[(offset + 8)..<(offset + 8 + length)]), to: stream)
            offset += 8 + length
        }
        pending.removeFirst(offset)
        return lines
    }

    /// At the end of the stream: the last lines that had no newline.
    mutating func finish() -> [LogLine] {
        let rest = [LogLine.Stream.stdin, .stdout, .stderr].compactMap { stream -> LogLine? in
            guard let bytes = partial[stream], !bytes.isEmpty else { return nil }
            return LogLine(stream: stream, text: Self.text(bytes))
        }
        partial = [:]
        return rest
    }

    private mutating func append(_ bytes: [UInt8], to stream: LogLine.Stream) -> [LogLine] {
        var buffer = partial[stream, default: []] + bytes
        var lines: [LogLine] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(LogLine(stream: stream, text: Self.text(buffer[..<newline])))
            buffer.removeSubrange(...newline)
        }
        partial[stream] = buffer
        return lines
    }

    private static func text(_ bytes: some Collection<UInt8>) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
