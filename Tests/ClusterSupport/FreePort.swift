import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports for servers the tests start. They come from 20000–32763, below Linux's ephemeral range
/// (32768–60999), so nothing that binds port 0 or connects out (other tests running in parallel, the
/// kernel's choice for a client socket) can take one between the probe and the server's bind.
/// Each call hands out a fresh block of four, so a broker's VIP (−2) and HA (+1) ports are its own too.
public enum FreePort {
    public struct Unavailable: Error {}

    private static let lock = NSLock()
    // A different start per process, so two test runs on one machine rarely meet.
    nonisolated(unsafe) private static var next = 20000 + 4 * Int(getpid() % 1000)

    /// A free port for a name server, HTTP server or receiver.
    public static func any() throws -> Int { try block() }

    /// A broker port Q with Q − 2 (its VIP port) and Q + 1 (HA) free too.
    public static func broker() throws -> Int { try block() + 2 }

    /// The first of four consecutive ports, each free on 127.0.0.1 and 0.0.0.0 now.
    private static func block() throws -> Int {
        for _ in 0..<3000 {
            let base = lock.withLock {
                if next > 32760 { next = 20000 }
                defer { next += 4 }
                return next
            }
            if (base..<base + 4).allSatisfy(isFree) { return base }
        }
        throw Unavailable()
    }

    /// Whether `port` can be bound on all addresses now (the broker listens on 0.0.0.0).
    public static func isFree(_ port: Int) -> Bool {
        guard (1...65535).contains(port) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = INADDR_ANY
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
