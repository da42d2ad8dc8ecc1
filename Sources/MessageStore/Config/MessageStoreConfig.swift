#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RocketMQModel

/// The store's settings (Java `MessageStoreConfig`), with Java's property names and 4.9.8 defaults
/// (PROTOCOL.md §5.14) except ``syncFlushTimeout`` and ``slaveTimeout``, which default below the client's 3 s send
/// timeout (STYLE §5).
///
/// ``apply(_:)`` reads a broker `.properties` file as Java's `MixAll.properties2Object` does, except that a value
/// that does not parse is reported (Java keeps the default silently).
public struct MessageStoreConfig: Sendable, Hashable {
    /// `storePathRootDir`, default `~/store`.
    public var storePathRootDir: String
    /// `storePathCommitLog`; nil means `<storePathRootDir>/commitlog`.
    public var storePathCommitLogOverride: String?
    /// `mappedFileSizeCommitLog` (also read as the pre-4.x spelling `mapedFileSizeCommitLog`): 1 GiB.
    public var mappedFileSizeCommitLog: Int = 1024 * 1024 * 1024
    /// `mappedFileSizeConsumeQueue` as set; ``mappedFileSizeConsumeQueue`` rounds it up to whole units.
    public var mappedFileSizeConsumeQueueSetting: Int = 300_000 * 20
    /// `maxMessageSize`: the largest body (and batch body), 4 MiB.
    public var maxMessageSize: Int = 1024 * 1024 * 4
    /// `flushDiskType`.
    public var flushDiskType: FlushDiskType = .asyncFlush
    /// `flushIntervalCommitLog` (ms) between ASYNC_FLUSH syncs.
    public var flushIntervalCommitLog: Int = 500
    /// `flushCommitLogLeastPages`: 4 KiB pages that must be dirty before an ASYNC_FLUSH sync.
    public var flushCommitLogLeastPages: Int = 4
    /// `flushCommitLogThoroughInterval` (ms): sync whatever is dirty at least this often.
    public var flushCommitLogThoroughInterval: Int = 10_000
    /// `flushIntervalConsumeQueue` (ms).
    public var flushIntervalConsumeQueue: Int = 1000
    /// `flushConsumeQueueLeastPages`.
    public var flushConsumeQueueLeastPages: Int = 2
    /// `flushConsumeQueueThoroughInterval` (ms); each thorough flush also writes the checkpoint.
    public var flushConsumeQueueThoroughInterval: Int = 60_000
    /// `syncFlushTimeout` (ms): SYNC_FLUSH appends not synced by then answer FLUSH_DISK_TIMEOUT. Java's default
    /// is 5000; ours is 2500 so that the answer comes before the client's 3 s send timeout.
    public var syncFlushTimeout: Int = 2500
    /// `slaveTimeout` (ms) for SYNC_MASTER; Java 3000, ours 2500 (STYLE §5).
    public var slaveTimeout: Int = 2500
    /// `brokerRole`.
    public var brokerRole: BrokerRole = .asyncMaster
    /// `haListenPort`; the broker overrides it with listenPort + 1 at start, as Java does.
    public var haListenPort: Int = 10912
    /// `haSendHeartbeatInterval` (ms): the slave reports at least this often, the master sends a heartbeat
    /// after this long without data.
    public var haSendHeartbeatInterval: Int = 1000 * 5
    /// `haHousekeepingInterval` (ms): either side closes an HA connection silent for this long.
    public var haHousekeepingInterval: Int = 1000 * 20
    /// `haTransferBatchSize`: most commit-log bytes per transfer.
    public var haTransferBatchSize: Int = 1024 * 32
    /// `haMasterAddress`: the master's HA address for a slave; when unset it is learned from registration.
    public var haMasterAddress: String?
    /// `haSlaveFallbehindMax`: a SYNC_MASTER answers SLAVE_NOT_AVAILABLE when its slave is this far behind.
    public var haSlaveFallbehindMax: Int = 1024 * 1024 * 256
    /// `messageIndexEnable`: build the index file (query by key and by UNIQ_KEY).
    public var messageIndexEnable: Bool = true
    /// `messageIndexSafe`: let abnormal recovery start early enough to rebuild the index from the checkpoint.
    public var messageIndexSafe: Bool = false
    /// `maxHashSlotNum`: slots per index file.
    public var maxHashSlotNum: Int = 5_000_000
    /// `maxIndexNum`: entries per index file.
    public var maxIndexNum: Int = 5_000_000 * 4
    /// `maxMsgsNumBatch`: most hits one index query returns.
    public var maxMsgsNumBatch: Int = 64
    /// `defaultQueryMaxNum`.
    public var defaultQueryMaxNum: Int = 32
    /// `checkCRCOnRecover`: recovery checks each entry's body CRC.
    public var checkCRCOnRecover: Bool = true
    /// `maxTransferBytesOnMessageInMemory`.
    public var maxTransferBytesOnMessageInMemory: Int = 1024 * 256
    /// `maxTransferCountOnMessageInMemory`.
    public var maxTransferCountOnMessageInMemory: Int = 32
    /// `maxTransferBytesOnMessageInDisk`.
    public var maxTransferBytesOnMessageInDisk: Int = 1024 * 64
    /// `maxTransferCountOnMessageInDisk`.
    public var maxTransferCountOnMessageInDisk: Int = 8
    /// `accessMessageInMemoryMaxRatio` (% of RAM): messages further behind the commit-log end count as on disk.
    public var accessMessageInMemoryMaxRatio: Int = 40
    /// `messageDelayLevel`: delay levels 1…n (§4.11).
    public var messageDelayLevel: String = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
    /// `offsetCheckInSlave`: whether a slave's pull answers correct the next offset.
    public var offsetCheckInSlave: Bool = false
    /// `fileReservedTime` (hours) a commit-log file is kept after its last modification.
    public var fileReservedTime: Int = 72
    /// `deleteWhen`: hours of day (`;`-separated) at which expired files are deleted.
    public var deleteWhen: String = "04"
    /// `diskMaxUsedSpaceRatio` as set; ``diskMaxUsedSpaceRatio`` clamps it to 10…95 as Java does. Above it,
    /// expired files are deleted at any hour.
    public var diskMaxUsedSpaceRatioSetting: Int = 75
    /// `diskSpaceWarningLevelRatio` (%): above it the store refuses puts (disk full) and deletes files whatever
    /// their age. Java 4.9.8 reads it from `-Drocketmq.broker.diskSpaceWarningLevelRatio` (0.90); this is 5.x's
    /// key, in percent.
    public var diskSpaceWarningLevelRatio: Int = 90
    /// `diskSpaceCleanForciblyRatio` (%): above it files are deleted whatever their age (with
    /// `cleanFileForciblyEnable`). Java 4.9.8: `-Drocketmq.broker.diskSpaceCleanForciblyRatio` (0.85).
    public var diskSpaceCleanForciblyRatio: Int = 85
    /// `cleanResourceInterval` (ms) between retention runs (the first runs a minute after start, as in Java).
    public var cleanResourceInterval: Int = 10_000
    /// `deleteCommitLogFilesInterval` (ms) between two commit-log file deletions.
    public var deleteCommitLogFilesInterval: Int = 100
    /// `deleteConsumeQueueFilesInterval` (ms) after each consume queue that lost files.
    public var deleteConsumeQueueFilesInterval: Int = 100
    /// `deleteFileBatchMax`: commit-log files deleted per run at most (a constant in Java 4.9.8, a key in 5.x).
    public var deleteFileBatchMax: Int = 10
    /// `destroyMapedFileIntervalForcibly` (ms). Accepted and unused: Java waits this long for readers to release
    /// a deleted file; here a deleted file is unlinked at once and unmapped when its last reader lets go.
    public var destroyMapedFileIntervalForcibly: Int = 1000 * 120
    /// `cleanFileForciblyEnable`: above `diskSpaceCleanForciblyRatio`, delete files before they expire.
    public var cleanFileForciblyEnable: Bool = true

    /// `flushDelayOffsetInterval` (ms) between writes of `delayOffset.json`.
    public var flushDelayOffsetInterval: Int = 10_000
    /// `osPageCacheBusyTimeOutMills`: an append holding the commit log longer than this makes the store busy.
    public var osPageCacheBusyTimeOutMills: Int = 1000
    /// `redeleteHangedFileInterval` (ms). Accepted and unused: no deleted file can hang here (see
    /// ``destroyMapedFileIntervalForcibly``).
    public var redeleteHangedFileInterval: Int = 1000 * 120

    /// Java's defaults, with the root directory under `$HOME`.
    public init(storePathRootDir: String? = nil) {
        if let storePathRootDir {
            self.storePathRootDir = storePathRootDir
        } else {
            let home = getenv("HOME").map { String(cString: $0) } ?? "."
            self.storePathRootDir = FileSystem.join(home, "store")
        }
    }

    /// The store's keys in broker `.properties` files, with Java's names, in the order `-p` prints them.
    public static let keys: [ConfigKey<MessageStoreConfig>] = [
        .string("storePathRootDir", \.storePathRootDir),
        ConfigKey("storePathCommitLog", get: { $0.storePathCommitLog }, set: { config, text in
            config.storePathCommitLogOverride = text
            return true
        }),
        .int("mappedFileSizeCommitLog", \.mappedFileSizeCommitLog),
        .int("mappedFileSizeConsumeQueue", \.mappedFileSizeConsumeQueueSetting),
        .int("maxMessageSize", \.maxMessageSize), .enumeration("flushDiskType", \.flushDiskType),
        .int("flushIntervalCommitLog", \.flushIntervalCommitLog), .int("flushCommitLogLeastPages", \.flushCommitLogLeastPages),
        .int("flushCommitLogThoroughInterval", \.flushCommitLogThoroughInterval),
        .int("flushIntervalConsumeQueue", \.flushIntervalConsumeQueue),
        .int("flushConsumeQueueLeastPages", \.flushConsumeQueueLeastPages),
        .int("flushConsumeQueueThoroughInterval", \.flushConsumeQueueThoroughInterval),
        .int("syncFlushTimeout", \.syncFlushTimeout), .int("slaveTimeout", \.slaveTimeout),
        .enumeration("brokerRole", \.brokerRole), .int("haListenPort", \.haListenPort),
        .int("haSendHeartbeatInterval", \.haSendHeartbeatInterval), .int("haHousekeepingInterval", \.haHousekeepingInterval),
        .int("haTransferBatchSize", \.haTransferBatchSize),
        .int("haSlaveFallbehindMax", \.haSlaveFallbehindMax), .bool("messageIndexEnable", \.messageIndexEnable),
        .bool("messageIndexSafe", \.messageIndexSafe), .int("maxHashSlotNum", \.maxHashSlotNum), .int("maxIndexNum", \.maxIndexNum),
        .int("maxMsgsNumBatch", \.maxMsgsNumBatch), .int("defaultQueryMaxNum", \.defaultQueryMaxNum),
        .bool("checkCRCOnRecover", \.checkCRCOnRecover),
        .int("maxTransferBytesOnMessageInMemory", \.maxTransferBytesOnMessageInMemory),
        .int("maxTransferCountOnMessageInMemory", \.maxTransferCountOnMessageInMemory),
        .int("maxTransferBytesOnMessageInDisk", \.maxTransferBytesOnMessageInDisk),
        .int("maxTransferCountOnMessageInDisk", \.maxTransferCountOnMessageInDisk),
        .int("accessMessageInMemoryMaxRatio", \.accessMessageInMemoryMaxRatio),
        .string("messageDelayLevel", \.messageDelayLevel), .bool("offsetCheckInSlave", \.offsetCheckInSlave),
        .int("fileReservedTime", \.fileReservedTime), .string("deleteWhen", \.deleteWhen),
        .int("diskMaxUsedSpaceRatio", \.diskMaxUsedSpaceRatioSetting),
        .int("diskSpaceWarningLevelRatio", \.diskSpaceWarningLevelRatio),
        .int("diskSpaceCleanForciblyRatio", \.diskSpaceCleanForciblyRatio), .int("cleanResourceInterval", \.cleanResourceInterval),
        .int("deleteCommitLogFilesInterval", \.deleteCommitLogFilesInterval),
        .int("deleteConsumeQueueFilesInterval", \.deleteConsumeQueueFilesInterval),
        .int("deleteFileBatchMax", \.deleteFileBatchMax),
        .int("destroyMapedFileIntervalForcibly", \.destroyMapedFileIntervalForcibly),
        .int("redeleteHangedFileInterval", \.redeleteHangedFileInterval),
        .bool("cleanFileForciblyEnable", \.cleanFileForciblyEnable),
        .int("osPageCacheBusyTimeOutMills", \.osPageCacheBusyTimeOutMills),
        .int("flushDelayOffsetInterval", \.flushDelayOffsetInterval),
    ]

    /// The 3.x spellings, which Java 4.9.8 silently ignores and we honour; the 4.x key wins when both are set.
    public static let legacyKeys: [ConfigKey<MessageStoreConfig>] = [
        .int("mapedFileSizeCommitLog", \.mappedFileSizeCommitLog),
        .int("mapedFileSizeConsumeQueue", \.mappedFileSizeConsumeQueueSetting),
    ]

    /// Keys read but not listed with the others: Java's default is null, which its config listing leaves out.
    public static let optionalKeys: [ConfigKey<MessageStoreConfig>] = [
        ConfigKey("haMasterAddress", get: { $0.haMasterAddress ?? "" }, set: { config, text in
            config.haMasterAddress = text.isEmpty ? nil : text
            return true
        }),
    ]

    /// Applies the store keys of a broker file; the result lists the keys the store does not know
    /// and the values that do not parse.
    public mutating func apply(_ properties: JavaProperties) -> ConfigApplication {
        let optionalNames = Set(Self.optionalKeys.map(\.name))
        let optional = Self.optionalKeys.apply(JavaProperties(properties.entries.filter { optionalNames.contains($0.key) }), to: &self)
        let properties = JavaProperties(properties.entries.filter { !optionalNames.contains($0.key) })
        let legacyNames = Set(Self.legacyKeys.map(\.name))
        let legacy = Self.legacyKeys.apply(JavaProperties(properties.entries.filter { legacyNames.contains($0.key) }), to: &self)
        var result = Self.keys.apply(JavaProperties(properties.entries.filter { !legacyNames.contains($0.key) }), to: &self)
        result.invalidKeys += legacy.invalidKeys + optional.invalidKeys
        return result
    }

    /// Legacy keys present in `properties` (the broker logs that it honours them).
    public static func legacyKeysPresent(in properties: JavaProperties) -> [String] {
        legacyKeys.map(\.name).filter { properties[$0] != nil }
    }

    /// Every store key with its current value (`-p`), and the optional ones that are set.
    public var properties: JavaProperties {
        let set = Self.optionalKeys.properties(of: self).entries.filter { !$0.value.isEmpty }
        return JavaProperties(Self.keys.properties(of: self).entries + set)
    }

    // MARK: Derived values (Java's getters)

    /// `getStorePathCommitLog`: the override, or `<storePathRootDir>/commitlog`.
    public var storePathCommitLog: String {
        self.storePathCommitLogOverride ?? FileSystem.join(self.storePathRootDir, "commitlog")
    }

    /// `StorePathConfigHelper.getStorePathConsumeQueue`.
    public var storePathConsumeQueue: String { FileSystem.join(self.storePathRootDir, "consumequeue") }
    /// `StorePathConfigHelper.getStorePathIndex`.
    public var storePathIndex: String { FileSystem.join(self.storePathRootDir, "index") }
    /// `StorePathConfigHelper.getStoreCheckpoint`.
    public var storeCheckpointPath: String { FileSystem.join(self.storePathRootDir, "checkpoint") }
    /// `StorePathConfigHelper.getAbortFile`.
    public var abortFilePath: String { FileSystem.join(self.storePathRootDir, "abort") }
    /// `StorePathConfigHelper.getLockFile`.
    public var lockFilePath: String { FileSystem.join(self.storePathRootDir, "lock") }

    /// `getMappedFileSizeConsumeQueue`: the setting rounded up to a whole number of 20-byte units.
    public var mappedFileSizeConsumeQueue: Int {
        let units = (self.mappedFileSizeConsumeQueueSetting + ConsumeQueue.unitSize - 1) / ConsumeQueue.unitSize
        return units * ConsumeQueue.unitSize
    }

    /// `getDiskMaxUsedSpaceRatio`: clamped to 10…95.
    public var diskMaxUsedSpaceRatio: Int {
        min(95, max(10, self.diskMaxUsedSpaceRatioSetting))
    }

    /// `ScheduleMessageService.parseDelayLevel`: level (1-based) → delay in ms. Units s, m, h, d; pieces that
    /// do not parse are skipped.
    public var delayLevelTable: [Int32: Int64] {
        var table: [Int32: Int64] = [:]
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        for (index, piece) in self.messageDelayLevel.split(separator: " ").enumerated() {
            guard let unit = piece.last.flatMap({ units[$0] }), let value = Int64(piece.dropLast()) else { continue }
            table[Int32(index + 1)] = value * unit
        }
        return table
    }
}
