import Testing

@testable import BerthDocker

struct LogDecoderTests {
    /// One multiplexed frame: stream byte, three zero bytes, big-endian length, payload.
    private func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let n = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + payload
    }

    @Test func decodesFramesOfBothStreams() {
        var decoder = LogDecoder(multiplexed: true)
        let lines = decoder.feed(frame(1, "one\ntwo\n") + frame(2, "err\n") + frame(1, "three\n")) + decoder.finish()
        #expect(lines == [
            LogLine(stream: .stdout, text: "one"), LogLine(stream: .stdout, text: "two"),
            LogLine(stream: .stderr, text: "err"), LogLine(stream: .stdout, text: "three"),
        ])
    }

    @Test(arguments: [1, 3, 7, 8, 9, 13])
    func framesSplitAcrossChunksAtAnyByte(chunkSize: Int) {
        let bytes = frame(1, "hello ") + frame(2, "warn\n") + frame(1, "world\nlast")
        var decoder = LogDecoder(multiplexed: true)
        var lines: [LogLine] = []
        var start = 0
        while start < bytes.count {
            lines += decoder.feed(bytes[start..<min(bytes.count, start + chunkSize)])
            start += chunkSize
        }
        lines += decoder.finish()
        #expect(lines == [
            LogLine(stream: .stderr, text: "warn"), LogLine(stream: .stdout, text: "hello world"),
            LogLine(stream: .stdout, text: "last"),
        ])
    }

    @Test func largeFrameLengthUsesAllFourBytes() {
        let text = String(repeating: "x", count: 70_000) + "\n"
        var decoder = LogDecoder(multiplexed: true)
        let lines = decoder.feed(frame(1, text))
        #expect(lines.count == 1)
        #expect(lines.first?.text.count == 70_000)
    }

    @Test func ttyOutputIsRawStdoutWithoutCarriageReturns() {
        var decoder = LogDecoder(multiplexed: false)
        let lines = decoder.feed(Array("a\r\nb".utf8)) + decoder.feed(Array("c\r\n".utf8)) + decoder.finish()
        #expect(lines == [LogLine(stream: .stdout, text: "a"), LogLine(stream: .stdout, text: "bc")])
    }
}
