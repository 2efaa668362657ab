import Foundation

/// Writes a POSIX tar stream (ustar, with a PAX header for paths longer than ustar holds), as the
/// engine's `POST /build` and `PUT /containers/{id}/archive` take it. Times are fixed at 0: the same
/// files give the same bytes.
public struct TarWriter: Sendable {
    public enum Kind: Sendable { case file, directory, symlink(String) }

    public private(set) var data = Data()

    public init() {}

    public mutating func add(path: String, kind: Kind, mode: Int, contents: Data = Data()) {
        var name = path
        if case .directory = kind, !name.hasSuffix("/") { name += "/" }
        if name.utf8.count > 100 {
            let record = Self.paxRecord("path", name)
            appendHeader(name: "PaxHeaders/\(String(name.suffix(80)))", size: record.count, mode: 0o644, type: "x", link: "")
            appendPadded(record)
        }
        switch kind {
        case .file:
            appendHeader(name: name, size: contents.count, mode: mode, type: "0", link: "")
            appendPadded(contents)
        case .directory:
            appendHeader(name: name, size: 0, mode: mode, type: "5", link: "")
        case .symlink(let target):
            if target.utf8.count > 100 {
                let record = Self.paxRecord("linkpath", target)
                appendHeader(name: "PaxHeaders/link", size: record.count, mode: 0o644, type: "x", link: "")
                appendPadded(record)
            }
            appendHeader(name: name, size: 0, mode: mode, type: "2", link: target)
        }
    }

    /// The archive with its two closing zero blocks.
    public func finished() -> Data { data + Data(count: 1024) }

    /// `"<len> key=value\n"`, where len counts the whole record including its own digits.
    static func paxRecord(_ key: String, _ value: String) -> Data {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length += 1 }
        return Data("\(length)\(body)".utf8)
    }

    private mutating func appendPadded(_ bytes: Data) {
        data.append(bytes)
        let rest = bytes.count % 512
        if rest != 0 { data.append(Data(count: 512 - rest)) }
    }

    private mutating func appendHeader(name: String, size: Int, mode: Int, type: Character, link: String) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            for (i, byte) in text.utf8.prefix(length).enumerated() { header[offset + i] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits, at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)  // a longer name is in the PAX header before
        octal(mode & 0o7777, at: 100, length: 8)
        octal(0, at: 108, length: 8)  // uid
        octal(0, at: 116, length: 8)  // gid
        octal(size, at: 124, length: 12)
        octal(0, at: 136, length: 12)  // mtime
        put("        ", at: 148, length: 8)
        header[156] = UInt8(type.asciiValue ?? 48)
        put(link, at: 157, length: 100)
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        let sum = header.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, length: 6)
        header[154] = 0
        header[155] = 32
        data.append(contentsOf: header)
    }
}
