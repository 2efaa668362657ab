import BerthSystem
import Foundation
import Testing

@Suite struct DNSMessageTests {
    @Test func aQueryIsEncodedAsOnTheWire() throws {
        let bytes = try DNSMessage.query(id: 0xBEEF, name: "www.example.test.", type: .aaaa).encoded()
        #expect(bytes == [
            0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 4, 0x74, 0x65, 0x73, 0x74, 0,
            0, 28, 0, 1,
        ])
    }

    @Test func aLabelLongerThan63BytesIsRefused() {
        #expect(throws: DNSMessage.FormatError.self) { try DNSMessage.query(id: 1, name: String(repeating: "a", count: 64) + ".test", type: .a).encoded() }
    }

    /// An authoritative answer with compressed names: `www.example.test CNAME web.example.test`, then
    /// `web.example.test A 192.0.2.7`, and the SOA in the authority section.
    static let answer: [UInt8] = [
        0x12, 0x34, 0x85, 0x00, 0, 1, 0, 2, 0, 1, 0, 0,
        // question at 12: www.example.test A IN
        3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1,
        // answer 1 at 34: name → 12, CNAME, IN, ttl 300, rdlength 6: "web" + pointer to 16 (example.test)
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0x01, 0x2C, 0, 6, 3, 0x77, 0x65, 0x62, 0xC0, 16,
        // answer 2 at 52: name → 46 (web.example.test), A, IN, ttl 60, 192.0.2.7
        0xC0, 46, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
        // authority: example.test SOA ns.example.test hostmaster.example.test 2025120201 3600 600 604800 60
        0xC0, 16, 0, 6, 0, 1, 0, 0, 0, 60, 0, 38,
        2, 0x6e, 0x73, 0xC0, 16,
        10, 0x68, 0x6f, 0x73, 0x74, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0xC0, 16,
        0x78, 0xB4, 0xE1, 0xC9, 0, 0, 0x0E, 0x10, 0, 0, 0x02, 0x58, 0, 0x09, 0x3A, 0x80, 0, 0, 0, 60,
    ]

    @Test func anAnswerWithCompressedNamesIsDecoded() throws {
        let message = try DNSMessage(decoding: Self.answer)
        #expect(message.id == 0x1234 && message.isResponse && message.isAuthoritative && message.rcode == .noError)
        #expect(message.questions == [DNSMessage.Question(name: "www.example.test", type: .a)])
        #expect(message.answers == [
            DNSMessage.Record(name: "www.example.test", type: .cname, ttl: 300, data: .name("web.example.test")),
            DNSMessage.Record(name: "web.example.test", type: .a, ttl: 60, data: .a("192.0.2.7")),
        ])
        #expect(message.authority.first?.data == .soa(mname: "ns.example.test", rname: "hostmaster.example.test", serial: 2025120201,
                                                      refresh: 3600, retry: 600, expire: 604800, minimum: 60))
    }

    @Test func nxdomainAndAAAAAreDecoded() throws {
        var bytes: [UInt8] = [0, 7, 0x84, 0x03, 0, 0, 0, 1, 0, 0, 0, 0]
        bytes += [1, 0x78, 0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]
        let message = try DNSMessage(decoding: bytes)
        #expect(message.rcode == .nameError)
        #expect(message.rcode.description == "NXDOMAIN")
        #expect(message.answers.first?.data == .aaaa("2001:db8::10"))
    }

    @Test(arguments: [
        ("a pointer that points forward loops", [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0, 1, 0, 1] as [UInt8]),
        ("a pointer to itself", [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]),
        ("a message cut inside the header", [0, 1, 0x80]),
        ("a label past the end", [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 0x61]),
        ("an A record of 3 bytes", [0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3]),
    ])
    func malformedMessagesAreRefused(_ what: String, bytes: [UInt8]) {
        #expect(throws: DNSMessage.FormatError.self, "\(what)") { try DNSMessage(decoding: bytes) }
    }

    @Test(arguments: [("127.0.0.1:5353", true), ("[::1]:53", true), ("10.0.0.1", true), ("localhost:53", false), ("127.0.0.1:0", false), ("1.2.3.4:x", false)])
    func serverAddresses(_ text: String, valid: Bool) {
        #expect(((try? DNSClient.socketAddress(text)) != nil) == valid)
    }

    @Test func noServerOnAPortIsAnErrorNotAHang() throws {
        var client = DNSClient(server: "127.0.0.1:1")
        client.timeout = .seconds(1)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(throws: DNSClient.Failure.self) { try client.query("example.test", .a) } }
        #expect(elapsed < .seconds(60))  // loose: the point is no hang, and a loaded machine is slow
    }
}

extension DNSMessageTests {
    @Test func theSystemResolverIsTheFirstNameserverOfResolvConf() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID().uuidString.prefix(8)).conf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# generated\nsearch example.test\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(DNSClient.systemResolver(resolvConf: path) == "127.0.0.53:53")
        try "nameserver\t::1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(DNSClient.systemResolver(resolvConf: path) == "[::1]:53")
        #expect(DNSClient.systemResolver(resolvConf: path + ".missing") == nil)
    }
}
