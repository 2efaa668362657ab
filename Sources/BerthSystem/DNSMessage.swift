/// A DNS message (RFC 1035 4.1): what `berth dns check` sends and reads. Encodes queries, decodes
/// answers with name compression; A, AAAA, CNAME, NS and SOA data are decoded, others kept as bytes.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    /// QR, opcode, AA, TC, RD, RA, Z and RCODE, as on the wire.
    public var flags: UInt16
    public var questions: [Question]
    public var answers: [Record] = []
    public var authority: [Record] = []
    public var additional: [Record] = []

    public struct Question: Sendable, Hashable {
        public var name: String
        public var type: DNSType
        public var qclass: UInt16 = 1

        public init(name: String, type: DNSType) {
            self.name = name
            self.type = type
        }
    }

    public struct Record: Sendable, Hashable {
        public var name: String
        public var type: DNSType
        public var rclass: UInt16
        public var ttl: UInt32
        public var data: RecordData

        public init(name: String, type: DNSType, rclass: UInt16 = 1, ttl: UInt32, data: RecordData) {
            self.name = name
            self.type = type
            self.rclass = rclass
            self.ttl = ttl
            self.data = data
        }
    }

    public enum RecordData: Sendable, Hashable {
        case a(String)
        case aaaa(String)
        case name(String)
        case soa(mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)
        case other([UInt8])
    }

    public init(id: UInt16, flags: UInt16, questions: [Question]) {
        self.id = id
        self.flags = flags
        self.questions = questions
    }

    /// A standard query for one name; `recursion` sets RD (a resolver recurses, an authoritative server ignores it).
    public static func query(id: UInt16, name: String, type: DNSType, recursion: Bool = true) -> DNSMessage {
        DNSMessage(id: id, flags: recursion ? 0x0100 : 0, questions: [Question(name: name, type: type)])
    }

    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var isAuthoritative: Bool { flags & 0x0400 != 0 }
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    public var rcode: DNSResponseCode { DNSResponseCode(rawValue: flags & 0x000F) }

    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public var reason: String
        public var description: String { "malformed DNS message: \(reason)" }
    }
}

/// A record type by its number (RFC 1035 3.2.2 and later RFCs).
public struct DNSType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSType(rawValue: 1), ns = DNSType(rawValue: 2), cname = DNSType(rawValue: 5)
    public static let soa = DNSType(rawValue: 6), mx = DNSType(rawValue: 15), txt = DNSType(rawValue: 16)
    public static let aaaa = DNSType(rawValue: 28), srv = DNSType(rawValue: 33), caa = DNSType(rawValue: 257)

    static let names: [UInt16: String] = [1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 257: "CAA"]
    public var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }
}

public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0), formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2), nameError = DNSResponseCode(rawValue: 3)
    public static let refused = DNSResponseCode(rawValue: 5)

    static let names: [UInt16: String] = [0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"]
    public var description: String { Self.names[rawValue] ?? "RCODE\(rawValue)" }
}

// MARK: Encoding

extension DNSMessage {
    /// The message on the wire (questions only: Berth sends queries).
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = []
        for value in [id, flags, UInt16(questions.count), 0, 0, 0] { out.append(contentsOf: Self.bytes(value)) }
        for question in questions {
            try Self.encodeName(question.name, into: &out)
            out.append(contentsOf: Self.bytes(question.type.rawValue))
            out.append(contentsOf: Self.bytes(question.qclass))
        }
        return out
    }

    static func bytes(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func encodeName(_ name: String, into out: inout [UInt8]) throws {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        if !trimmed.isEmpty {
            for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard (1...63).contains(bytes.count) else { throw FormatError(reason: "label '\(label)' of '\(name)' is empty or longer than 63 bytes") }
                out.append(UInt8(bytes.count))
                out.append(contentsOf: bytes)
            }
        }
        out.append(0)
        guard out.count <= 65535, trimmed.utf8.count <= 253 else { throw FormatError(reason: "name '\(name)' is longer than 253 bytes") }
    }
}

// MARK: Decoding

extension DNSMessage {
    public init(decoding bytes: [UInt8]) throws {
        var reader = Reader(bytes: bytes)
        id = try reader.u16()
        flags = try reader.u16()
        let counts = try (0..<4).map { _ in Int(try reader.u16()) }
        questions = []
        for _ in 0..<counts[0] {
            let name = try reader.name()
            var question = Question(name: name, type: DNSType(rawValue: try reader.u16()))
            question.qclass = try reader.u16()
            questions.append(question)
        }
        answers = try (0..<counts[1]).map { _ in try reader.record() }
        authority = try (0..<counts[2]).map { _ in try reader.record() }
        additional = try (0..<counts[3]).map { _ in try reader.record() }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u8() throws -> UInt8 {
            guard offset < bytes.count else { throw FormatError(reason: "ends at byte \(offset), inside a field") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
        mutating func u32() throws -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw FormatError(reason: "a field of \(count) bytes at \(offset) runs past the end (\(bytes.count))") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// A domain name, following compression pointers (RFC 1035 4.1.4) backwards only, so it ends.
        mutating func name() throws -> String {
            var labels: [String] = []
            var position = offset
            var jumped = false
            var length = 0
            while true {
                guard position < bytes.count else { throw FormatError(reason: "a name at \(offset) runs past the end") }
                let byte = bytes[position]
                if byte & 0xC0 == 0xC0 {
                    guard position + 1 < bytes.count else { throw FormatError(reason: "a compression pointer at \(position) is cut off") }
                    let target = Int(byte & 0x3F) << 8 | Int(bytes[position + 1])
                    guard target < position else { throw FormatError(reason: "a compression pointer at \(position) points forward (\(target))") }
                    if !jumped { offset = position + 2 }
                    jumped = true
                    position = target
                    continue
                }
                guard byte & 0xC0 == 0 else { throw FormatError(reason: "label type \(byte >> 6) at \(position) is not supported") }
                position += 1
                if byte == 0 { break }
                let end = position + Int(byte)
                guard end <= bytes.count else { throw FormatError(reason: "a label at \(position - 1) runs past the end") }
                length += Int(byte) + 1
                guard length <= 255 else { throw FormatError(reason: "a name at \(offset) is longer than 255 bytes") }
                labels.append(String(decoding: bytes[position..<end], as: UTF8.self))
                position = end
            }
            if !jumped { offset = position }
            return labels.joined(separator: ".").lowercased()
        }

        mutating func record() throws -> Record {
            let name = try name()
            let type = DNSType(rawValue: try u16())
            let rclass = try u16()
            let ttl = try u32()
            let length = Int(try u16())
            let end = offset + length
            guard end <= bytes.count else { throw FormatError(reason: "the data of \(name) \(type) runs past the end") }
            let data: RecordData
            switch type {
            case .a:
                guard length == 4 else { throw FormatError(reason: "an A record of \(length) bytes") }
                data = .a(try take(4).map(String.init).joined(separator: "."))
            case .aaaa:
                guard length == 16 else { throw FormatError(reason: "an AAAA record of \(length) bytes") }
                data = .aaaa(Self.ipv6(try take(16)))
            case .cname, .ns:
                data = .name(try self.name())
            case .soa:
                data = .soa(mname: try self.name(), rname: try self.name(), serial: try u32(), refresh: try u32(), retry: try u32(),
                            expire: try u32(), minimum: try u32())
            default:
                data = .other(try take(length))
            }
            guard offset == end else { throw FormatError(reason: "the data of \(name) \(type) is \(length) bytes, but its fields took \(offset - (end - length))") }
            return Record(name: name, type: type, rclass: rclass, ttl: ttl, data: data)
        }

        /// RFC 5952 text: lower-case hex, the longest run (of two or more) of zero groups as `::`.
        static func ipv6(_ raw: [UInt8]) -> String {
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(raw[$0]) << 8 | UInt16(raw[$0 + 1]) }
            var best = (start: -1, count: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                let start = index
                while index < 8 && groups[index] == 0 { index += 1 }
                if index - start > best.count { best = (start, index - start) }
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.count >= 2 else { return hex.joined(separator: ":") }
            return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.count)...].joined(separator: ":")
        }
    }
}
