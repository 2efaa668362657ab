import BerthConfig

/// Carves one subnet per network out of the platform's pools, without overlaps.
///
/// Stable from run to run: a network keeps the subnet it already has (from the actual state), and a
/// new network takes the first free slot at or after a position derived from its name, so adding or
/// removing one project does not move the others.
public struct SubnetAllocator: Sendable {
    public var pools: [IPv4Network]
    public var prefix: Int

    public init(pools: [IPv4Network], prefix: Int) {
        self.pools = pools
        self.prefix = prefix
    }

    public struct Exhausted: Error, CustomStringConvertible {
        public var needed: Int
        public var capacity: Int
        public var description: String {
            "the address pool is exhausted: \(needed) networks, room for \(capacity) subnets"
        }
    }

    /// - Parameter existing: subnets networks already have; kept when inside a pool and free of overlaps.
    public func allocate(_ names: [String], existing: [String: IPv4Network] = [:]) throws -> [String: IPv4Network] {
        let slots = pools.flatMap { pool in (0..<pool.subnetCount(prefix: prefix)).map { pool.subnet($0, prefix: prefix) } }
        guard names.count <= slots.count else { throw Exhausted(needed: names.count, capacity: slots.count) }
        var result: [String: IPv4Network] = [:]
        var taken: [IPv4Network] = []
        for name in names.sorted() {
            if let subnet = existing[name], pools.contains(where: { $0.contains(subnet) }),
               !taken.contains(where: { $0.overlaps(subnet) }) {
                result[name] = subnet
                taken.append(subnet)
            }
        }
        // Subnets other (unmanaged or removed) networks hold are also avoided.
        let foreign = existing.filter { !names.contains($0.key) }.map(\.value)
        for name in names.sorted() where result[name] == nil {
            let start = Int(Self.fnv1a(name) % UInt64(slots.count))
            for step in 0..<slots.count {
                let slot = slots[(start + step) % slots.count]
                if !taken.contains(where: { $0.overlaps(slot) }) && !foreign.contains(where: { $0.overlaps(slot) }) {
                    result[name] = slot
                    taken.append(slot)
                    break
                }
            }
            if result[name] == nil { throw Exhausted(needed: names.count, capacity: slots.count) }
        }
        return result
    }

    /// FNV-1a, a hash that is the same in every process (Swift's `Hasher` is seeded per run).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
