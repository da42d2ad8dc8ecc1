#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's settings (Java `MessageStoreConfig`), with Java's property names and 4.9.8 defaults
/// (PROTOCOL.md §5.14) except ``syncFlushTimeout`` and ``slaveTimeout``, which default below the client's 3 s send
/// timeout (STYLE §5).
///
/// ``init(properties:)`` reads a broker `.properties` map the way Java's `MixAll.properties2Object` does: unknown
/// keys are ignored, and so are values that do not parse (their keys are listed in ``ignoredProperties``).
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
    /// `fileReservedTime` (hours) before a commit-log file may be deleted (retention, not yet implemented).
    public var fileReservedTime: Int = 72
    /// `deleteWhen`: hours of day (`;`-separated) at which expired files are deleted (retention).
    public var deleteWhen: String = "04"
    /// `diskMaxUsedSpaceRatio` as set; ``diskMaxUsedSpaceRatio`` clamps it to 10…95 as Java does.
    public var diskMaxUsedSpaceRatioSetting: Int = 75
    /// `cleanResourceInterval` (ms) between retention runs.
    public var cleanResourceInterval: Int = 10_000
    /// `deleteCommitLogFilesInterval` (ms) between two file deletions.
    public var deleteCommitLogFilesInterval: Int = 100
    /// `destroyMapedFileIntervalForcibly` (ms).
    public var destroyMapedFileIntervalForcibly: Int = 1000 * 120
    /// `cleanFileForciblyEnable`.
    public var cleanFileForciblyEnable: Bool = true

    /// Keys whose values could not be parsed and were ignored, as Java ignores them.
    public var ignoredProperties: [String] = []

    /// Java's defaults, with the root directory under `$HOME`.
    public init(storePathRootDir: String? = nil) {
        if let storePathRootDir {
            self.storePathRootDir = storePathRootDir
        } else {
            let home = getenv("HOME").map { String(cString: $0) } ?? "."
            self.storePathRootDir = FileSystem.join(home, "store")
        }
    }

    /// Settings from broker properties (`MixAll.properties2Object`): Java's keys, unknown keys ignored.
    public init(properties: [String: String]) {
        self.init(storePathRootDir: properties["storePathRootDir"].map(Self.trimmed))
        var reader = PropertyReader(properties: properties)
        reader.string("storePathCommitLog") { self.storePathCommitLogOverride = $0 }
        reader.int("mapedFileSizeCommitLog") { self.mappedFileSizeCommitLog = $0 }
        reader.int("mappedFileSizeCommitLog") { self.mappedFileSizeCommitLog = $0 }
        reader.int("mapedFileSizeConsumeQueue") { self.mappedFileSizeConsumeQueueSetting = $0 }
        reader.int("mappedFileSizeConsumeQueue") { self.mappedFileSizeConsumeQueueSetting = $0 }
        reader.int("maxMessageSize") { self.maxMessageSize = $0 }
        reader.enumeration("flushDiskType") { (value: FlushDiskType) in self.flushDiskType = value }
        reader.int("flushIntervalCommitLog") { self.flushIntervalCommitLog = $0 }
        reader.int("flushCommitLogLeastPages") { self.flushCommitLogLeastPages = $0 }
        reader.int("flushCommitLogThoroughInterval") { self.flushCommitLogThoroughInterval = $0 }
        reader.int("flushIntervalConsumeQueue") { self.flushIntervalConsumeQueue = $0 }
        reader.int("flushConsumeQueueLeastPages") { self.flushConsumeQueueLeastPages = $0 }
        reader.int("flushConsumeQueueThoroughInterval") { self.flushConsumeQueueThoroughInterval = $0 }
        reader.int("syncFlushTimeout") { self.syncFlushTimeout = $0 }
        reader.int("slaveTimeout") { self.slaveTimeout = $0 }
        reader.enumeration("brokerRole") { (value: BrokerRole) in self.brokerRole = value }
        reader.bool("messageIndexEnable") { self.messageIndexEnable = $0 }
        reader.bool("messageIndexSafe") { self.messageIndexSafe = $0 }
        reader.int("maxHashSlotNum") { self.maxHashSlotNum = $0 }
        reader.int("maxIndexNum") { self.maxIndexNum = $0 }
        reader.int("maxMsgsNumBatch") { self.maxMsgsNumBatch = $0 }
        reader.int("defaultQueryMaxNum") { self.defaultQueryMaxNum = $0 }
        reader.bool("checkCRCOnRecover") { self.checkCRCOnRecover = $0 }
        reader.int("maxTransferBytesOnMessageInMemory") { self.maxTransferBytesOnMessageInMemory = $0 }
        reader.int("maxTransferCountOnMessageInMemory") { self.maxTransferCountOnMessageInMemory = $0 }
        reader.int("maxTransferBytesOnMessageInDisk") { self.maxTransferBytesOnMessageInDisk = $0 }
        reader.int("maxTransferCountOnMessageInDisk") { self.maxTransferCountOnMessageInDisk = $0 }
        reader.int("accessMessageInMemoryMaxRatio") { self.accessMessageInMemoryMaxRatio = $0 }
        reader.string("messageDelayLevel") { self.messageDelayLevel = $0 }
        reader.bool("offsetCheckInSlave") { self.offsetCheckInSlave = $0 }
        reader.int("fileReservedTime") { self.fileReservedTime = $0 }
        reader.string("deleteWhen") { self.deleteWhen = $0 }
        reader.int("diskMaxUsedSpaceRatio") { self.diskMaxUsedSpaceRatioSetting = $0 }
        reader.int("cleanResourceInterval") { self.cleanResourceInterval = $0 }
        reader.int("deleteCommitLogFilesInterval") { self.deleteCommitLogFilesInterval = $0 }
        reader.int("destroyMapedFileIntervalForcibly") { self.destroyMapedFileIntervalForcibly = $0 }
        reader.bool("cleanFileForciblyEnable") { self.cleanFileForciblyEnable = $0 }
        self.ignoredProperties = reader.ignored
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

    static func trimmed(_ value: String) -> String {
        String(value.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// `MixAll.properties2Object`'s conversions: int/long by `parseInt`, bool by `parseBoolean` (`true` in any case,
/// else false), enums by name, strings as they are.
private struct PropertyReader {
    let properties: [String: String]
    var ignored: [String] = []

    mutating func string(_ key: String, _ set: (String) -> Void) {
        if let value = self.properties[key] { set(value) }
    }

    mutating func int(_ key: String, _ set: (Int) -> Void) {
        guard let raw = self.properties[key] else { return }
        if let value = Int32(MessageStoreConfig.trimmed(raw)) {
            set(Int(value))
        } else {
            self.ignored.append(key)
        }
    }

    mutating func bool(_ key: String, _ set: (Bool) -> Void) {
        guard let raw = self.properties[key] else { return }
        set(MessageStoreConfig.trimmed(raw).lowercased() == "true")
    }

    mutating func enumeration<Value: RawRepresentable<String>>(_ key: String, _ set: (Value) -> Void) {
        guard let raw = self.properties[key] else { return }
        if let value = Value(rawValue: MessageStoreConfig.trimmed(raw)) {
            set(value)
        } else {
            self.ignored.append(key)
        }
    }
}
