#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RocketMQModel

/// How full a file system is, as Java measures it.
enum DiskSpace {
    /// Java `UtilAll.getDiskPartitionSpaceUsedPercent`: used / (used + available to us), rounded up to a
    /// hundredth, for the file system holding `path`; -1 when it cannot be measured (a missing path, say), which
    /// retention treats as full.
    static func usedRatio(path: String) -> Double {
        var info = statvfs()
        guard !path.isEmpty, statvfs(path, &info) == 0, info.f_blocks > 0 else { return -1 }
        let blockSize = UInt64(info.f_frsize > 0 ? info.f_frsize : info.f_bsize)
        let used = (UInt64(info.f_blocks) - UInt64(info.f_bfree)) * blockSize
        let usable = UInt64(info.f_bavail) * blockSize
        let entire = used + usable
        guard entire > 0 else { return -1 }
        let percent = used * 100 / entire + (used * 100 % entire != 0 ? 1 : 0)
        return Double(percent) / 100
    }
}

/// The wall clock, the disk probe and the schedule retention uses; tests replace them (a clock days ahead, a full
/// disk, passes run by the test rather than by the thread).
struct RetentionEnvironment: Sendable {
    /// Wall-clock ms, compared with file modification times; its local hour is matched with `deleteWhen`.
    var currentTimeMillis: @Sendable () -> Int64
    /// ``DiskSpace/usedRatio(path:)`` or a stand-in.
    var diskUsedRatio: @Sendable (String) -> Double
    /// Java's schedule: the first pass a minute after start (then every `cleanResourceInterval`), the disk check
    /// after 1 s and every 10 s.
    var firstCleanDelayMillis = 60_000
    var firstDiskCheckDelayMillis = 1000
    var diskCheckIntervalMillis = 10_000

    static let system = RetentionEnvironment(
        currentTimeMillis: { SystemClock.currentTimeMillis() }, diskUsedRatio: { DiskSpace.usedRatio(path: $0) })

    /// The same clock and probe, with the thread never running a pass or a check by itself.
    var manual: RetentionEnvironment {
        var environment = self
        environment.firstCleanDelayMillis = Int(Int32.max)
        environment.firstDiskCheckDelayMillis = Int(Int32.max)
        environment.diskCheckIntervalMillis = Int(Int32.max)
        return environment
    }

    /// The local hour of day (0…23) of a wall-clock time, as Java's `Calendar.HOUR_OF_DAY`.
    static func hourOfDay(millis: Int64) -> Int {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return Int(parts.tm_hour)
    }
}
