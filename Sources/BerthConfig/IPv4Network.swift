/// An IPv4 CIDR block such as `10.213.0.0/16`.
public struct IPv4Network: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var address: UInt32
    public var prefix: Int

    public init(address: UInt32, prefix: Int) {
        self.prefix = prefix
        self.address = address & IPv4Network.mask(prefix)
    }

    /// Parses `a.b.c.d/n`; nil when malformed or when host bits are set.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
            let address = IPv4Network.parseAddress(String(parts[0]))
        else { return nil }
        guard address & ~IPv4Network.mask(prefix) == 0 else { return nil }
        self.init(address: address, prefix: prefix)
    }

    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isNumber), let n = UInt32(octet), n <= 255 else {
                return nil
            }
            value = value << 8 | n
        }
        return value
    }

    static func mask(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
    }

    public var size: UInt64 { UInt64(1) << UInt64(32 - prefix) }
    public var last: UInt32 { address | ~IPv4Network.mask(prefix) }

    public func contains(_ other: IPv4Network) -> Bool {
        other.prefix >= prefix && other.address & IPv4Network.mask(prefix) == address
    }

    public func overlaps(_ other: IPv4Network) -> Bool {
        contains(other) || other.contains(self)
    }

    /// How many subnets of the given prefix fit.
    public func subnetCount(prefix sub: Int) -> Int {
        sub < prefix ? 0 : 1 << (sub - prefix)
    }

    /// The `index`-th subnet of the given prefix.
    public func subnet(_ index: Int, prefix sub: Int) -> IPv4Network {
        IPv4Network(address: address + UInt32(index) << UInt32(32 - sub), prefix: sub)
    }

    /// The first usable address, which Docker uses as the bridge gateway.
    public var gateway: String { IPv4Network.format(address + 1) }

    public static func format(_ a: UInt32) -> String {
        "\(a >> 24).\(a >> 16 & 255).\(a >> 8 & 255).\(a & 255)"
    }

    public var description: String { "\(IPv4Network.format(address))/\(prefix)" }

    public static func < (a: IPv4Network, b: IPv4Network) -> Bool { (a.address, a.prefix) < (b.address, b.prefix) }
}
