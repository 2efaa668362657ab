import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a local port can be listened on, by trying to bind it (and letting it go at once).
enum PortCheck {
    /// nil when `address:port` is free; otherwise the reason bind gave.
    static func inUse(address: String, port: Int, udp: Bool) -> String? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // For tcp, SO_REUSEADDR ignores connections in TIME_WAIT: only a listener makes bind fail.
        var one: Int32 = 1
        if !udp { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else { return nil }
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0 ? nil : String(cString: strerror(errno))
        #else
        return nil
        #endif
    }
}
