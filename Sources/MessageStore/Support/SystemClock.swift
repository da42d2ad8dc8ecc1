#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import RocketMQModel

/// Monotonic time and index-file names, beside RocketMQModel's wall clock.
extension SystemClock {
    /// Monotonic nanoseconds, for deadlines and intervals.
    static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Java `UtilAll.timeMillisToHumanString`: local time as `yyyyMMddHHmmssSSS` (index file names).
    static func humanString(millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + pad(Int32(millis % 1000), 3)
    }

    /// Physical memory in bytes (Java `StoreUtil.TOTAL_PHYSICAL_MEMORY_SIZE`).
    static let totalPhysicalMemory: Int64 = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 24 * 1024 * 1024 * 1024 }
        return Int64(pages) * Int64(pageSize)
    }()
}
