import Crypto
import Foundation

/// The `TreeDigest` of the tree a tar stream holds, computed while the stream passes (`restic dump
/// --archive tar`): a snapshot is read back without writing it to disk. Reads ustar, PAX (`path`,
/// `linkpath`, `size`, `uid`, `gid`) and GNU long names, octal and base-256 numbers; a hard link counts
/// as a copy of its target, as it does on disk. Checksums are checked; a stream that ends inside an entry
/// is an error.
///
/// Made, fed and finished by the thread that reads the stream (`StreamPipe`'s relay).
struct TarTreeDigest {
    private enum State {
        case header
        case content(remaining: Int64)
        case metadata(Metadata, remaining: Int64)
        case skip(remaining: Int64)
    }
    private enum Metadata { case pax, longName, longLink }
    private struct Regular {
        var line: String
        var path: String
        var size: Int64
        var hasher = SHA256()
    }

    private var state = State.header
    private var block: [UInt8] = []
    private var metadata: [UInt8] = []
    private var paddingAfter: Int64 = 0
    private var overrides: [String: String] = [:]
    private var longName: String?
    private var longLink: String?
    private var regular: Regular?
    private var contents: [String: (size: Int64, digest: String)] = [:]
    private var lines: [String] = []
    private var files = 0
    private var bytes: Int64 = 0
    private var zeroBlocks = 0
    private var failure: String?

    /// A PAX or GNU name record larger than this is refused (a corrupt stream, not a path).
    static let metadataLimit: Int64 = 1 << 20

    init() { block.reserveCapacity(512) }

    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < chunk.count, failure == nil, zeroBlocks < 2 {
            let available = chunk.count - offset
            switch state {
            case .header:
                let take = min(512 - block.count, available)
                block.append(contentsOf: chunk[offset..<offset + take])
                offset += take
                if block.count == 512 {
                    header(block)
                    block.removeAll(keepingCapacity: true)
                }
            case .content(let remaining):
                let take = Int(min(Int64(available), remaining))
                regular?.hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + take]))
                offset += take
                if remaining - Int64(take) == 0 { endRegular() } else { state = .content(remaining: remaining - Int64(take)) }
            case .metadata(let kind, let remaining):
                let take = Int(min(Int64(available), remaining))
                metadata.append(contentsOf: chunk[offset..<offset + take])
                offset += take
                if remaining - Int64(take) == 0 { endMetadata(kind) } else { state = .metadata(kind, remaining: remaining - Int64(take)) }
            case .skip(let remaining):
                let take = Int(min(Int64(available), remaining))
                offset += take
                state = remaining - Int64(take) == 0 ? .header : .skip(remaining: remaining - Int64(take))
            }
        }
    }

    /// The digest of the whole stream; an error if it was not a complete tar archive.
    func finish() throws(BackupError) -> TreeDigest {
        if let failure { throw BackupError(.verificationFailed, "the snapshot's tar stream is not readable: \(failure)") }
        guard case .header = state, block.isEmpty else {
            throw BackupError(.verificationFailed, "the snapshot's tar stream ended inside an entry (a truncated read-back)")
        }
        var hasher = SHA256()
        for line in lines.sorted() { hasher.update(data: Data((line + "\n").utf8)) }
        return TreeDigest(digest: TreeDigest.hex(hasher.finalize()), files: files, bytes: bytes)
    }

    // MARK: records

    private mutating func header(_ h: [UInt8]) {
        if h.allSatisfy({ $0 == 0 }) { zeroBlocks += 1; return }
        zeroBlocks = 0
        guard let checksum = Self.number(h[148..<156]), checksum == Self.checksum(h) else { failure = "a header's checksum does not match"; return }
        guard var size = Self.number(h[124..<136]) else { failure = "a header has no size"; return }
        let type = h[156]
        let padding = (512 - size % 512) % 512
        switch type {
        case UInt8(ascii: "x"), UInt8(ascii: "L"), UInt8(ascii: "K"):
            guard size <= Self.metadataLimit else { failure = "a \(Character(UnicodeScalar(type))) record of \(size) bytes"; return }
            metadata.removeAll(keepingCapacity: true)
            paddingAfter = padding
            let kind: Metadata = type == UInt8(ascii: "x") ? .pax : type == UInt8(ascii: "L") ? .longName : .longLink
            state = size == 0 ? .header : .metadata(kind, remaining: size)
            if size == 0 { endMetadata(kind) }
            return
        case UInt8(ascii: "g"):  // global PAX header: nothing per entry
            state = size + padding == 0 ? .header : .skip(remaining: size + padding)
            return
        default: break
        }
        let ustar = h[257..<263].elementsEqual("ustar\0".utf8)
        var name = Self.string(h[0..<100])
        if ustar, case let prefix = Self.string(h[345..<500]), !prefix.isEmpty { name = prefix + "/" + name }
        name = longName ?? overrides["path"] ?? name
        let link = longLink ?? overrides["linkpath"] ?? Self.string(h[157..<257])
        if let paxSize = overrides["size"].flatMap({ Int64($0) }) { size = paxSize }
        let uid = overrides["uid"] ?? Self.number(h[108..<116]).map(String.init) ?? "0"
        let gid = overrides["gid"] ?? Self.number(h[116..<124]).map(String.init) ?? "0"
        let mode = String((Self.number(h[100..<108]) ?? 0) & 0o7777, radix: 8)
        overrides = [:]
        longName = nil
        longLink = nil
        let path = Self.relative(name)
        let owner = "\(uid):\(gid)"
        let entryPadding = (512 - size % 512) % 512
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            files += 1
            bytes += size
            regular = Regular(line: "\(path)\tf\t\(mode)\t\(owner)\t\(size)", path: path, size: size)
            paddingAfter = entryPadding
            if size == 0 { endRegular() } else { state = .content(remaining: size) }
            return
        case UInt8(ascii: "1"):
            guard let target = contents[Self.relative(link)] else { failure = "hard link \(path) to \(link), which the stream has not held"; return }
            files += 1
            bytes += target.size
            lines.append("\(path)\tf\t\(mode)\t\(owner)\t\(target.size)\t\(target.digest)")
        case UInt8(ascii: "2"):
            lines.append("\(path)\tl\t\(owner)\t\(link)")
        case UInt8(ascii: "5"):
            if !path.isEmpty { lines.append("\(path)\td\t\(mode)\t\(owner)") }
        default:
            lines.append("\(path)\to\t\(mode)\t\(owner)")
        }
        state = size + entryPadding == 0 ? .header : .skip(remaining: size + entryPadding)
    }

    private mutating func endRegular() {
        guard let entry = regular else { return }
        let digest = TreeDigest.hex(entry.hasher.finalize())
        lines.append(entry.line + "\t" + digest)
        contents[entry.path] = (entry.size, digest)
        regular = nil
        state = paddingAfter == 0 ? .header : .skip(remaining: paddingAfter)
    }

    private mutating func endMetadata(_ kind: Metadata) {
        switch kind {
        case .longName: longName = Self.string(metadata[...])
        case .longLink: longLink = Self.string(metadata[...])
        case .pax:
            guard let records = Self.paxRecords(metadata) else { failure = "a PAX header is malformed"; return }
            overrides.merge(records) { $1 }
        }
        state = paddingAfter == 0 ? .header : .skip(remaining: paddingAfter)
    }

    // MARK: fields

    /// "%d %s=%s\n" records; the length counts the whole record.
    static func paxRecords(_ bytes: [UInt8]) -> [String: String]? {
        var records: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)), length > space - index,
                  index + length <= bytes.count, bytes[index + length - 1] == UInt8(ascii: "\n") else { return nil }
            let record = bytes[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            records[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] =
                String(decoding: record[(equals + 1)...], as: UTF8.self)
            index += length
        }
        return records
    }

    /// An octal field (NUL- or space-terminated), or GNU base-256 when the first byte's high bit is set.
    static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x3f)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        let digits = field.drop { $0 == UInt8(ascii: " ") || $0 == 0 }.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        if digits.isEmpty { return 0 }
        return Int64(String(decoding: digits, as: UTF8.self), radix: 8)
    }

    static func checksum(_ h: [UInt8]) -> Int64 {
        var sum: Int64 = 0
        for (index, byte) in h.enumerated() { sum += (148..<156).contains(index) ? 32 : Int64(byte) }
        return sum
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The path as `TreeDigest` writes it: relative, without "./", a leading "/" or a trailing "/".
    static func relative(_ name: String) -> String {
        var path = Substring(name)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        return path == "." ? "" : String(path)
    }
}
