#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The disk figures of GET_BROKER_RUNTIME_INFO, computed as Java's `UtilAll` and `java.io.File` compute them.
enum DiskUsage {
    /// `File.getTotalSpace`, `getFreeSpace`, `getUsableSpace` of the partition holding `path`; nil when the
    /// path does not exist.
    static func space(_ path: String) -> (total: Int64, free: Int64, usable: Int64)? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let unit = Int64(info.f_frsize)
        return (Int64(info.f_blocks) * unit, Int64(info.f_bfree) * unit, Int64(info.f_bavail) * unit)
    }

    /// Java `UtilAll.getDiskPartitionSpaceUsedPercent`: used / (used + usable), rounded up to the percent, as a
    /// fraction; -1 when the path does not exist.
    static func usedRatio(_ path: String) -> Double {
        guard let space = space(path) else { return -1 }
        guard space.total > 0 else { return 0 }
        let used = space.total - space.free
        let entire = used + space.usable
        guard entire > 0 else { return 0 }
        let percent = used * 100 / entire + (used * 100 % entire != 0 ? 1 : 0)
        return Double(percent) / 100.0
    }

    /// Java `MixAll.humanReadableByteCount(bytes, false)`: `"512 B"`, `"79.2 GiB"`.
    static func humanReadableByteCount(_ bytes: Int64) -> String {
        let unit = 1024.0
        guard bytes >= 1024 else { return "\(bytes) B" }
        var exponent = 0
        var scaled = Double(bytes)
        while scaled >= unit && exponent < 6 {
            scaled /= unit
            exponent += 1
        }
        let prefix = Array("KMGTPE")[exponent - 1]
        // Java's "%.1f" rounds half up.
        let tenths = Int64((scaled * 10).rounded(.toNearestOrAwayFromZero))
        return "\(tenths / 10).\(tenths % 10) \(prefix)iB"
    }
}
