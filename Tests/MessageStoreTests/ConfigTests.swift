import RocketMQModel
import Testing

@testable import MessageStore

@Suite struct ConfigTests {
    @Test func javaDefaults() {
        let config = MessageStoreConfig(storePathRootDir: "/data/store")
        #expect(config.storePathCommitLog == "/data/store/commitlog")
        #expect(config.storePathConsumeQueue == "/data/store/consumequeue")
        #expect(config.storePathIndex == "/data/store/index")
        #expect(config.storeCheckpointPath == "/data/store/checkpoint")
        #expect(config.abortFilePath == "/data/store/abort")
        #expect(config.mappedFileSizeCommitLog == 1_073_741_824)
        #expect(config.mappedFileSizeConsumeQueue == 6_000_000)
        #expect(config.maxMessageSize == 4_194_304)
        #expect(config.flushDiskType == .asyncFlush)
        #expect(config.flushIntervalCommitLog == 500)
        #expect(config.flushCommitLogLeastPages == 4)
        #expect(config.flushCommitLogThoroughInterval == 10_000)
        #expect(config.flushIntervalConsumeQueue == 1000)
        #expect(config.flushConsumeQueueLeastPages == 2)
        #expect(config.flushConsumeQueueThoroughInterval == 60_000)
        // Below the client's 3 s send timeout (STYLE §5); Java's is 5000.
        #expect(config.syncFlushTimeout == 2500)
        #expect(config.syncFlushTimeout < 3000)
        #expect(config.maxHashSlotNum == 5_000_000)
        #expect(config.maxIndexNum == 20_000_000)
        #expect(config.messageIndexEnable)
        #expect(!config.messageIndexSafe)
        #expect(config.fileReservedTime == 72)
        #expect(config.deleteWhen == "04")
        #expect(config.diskMaxUsedSpaceRatio == 75)
        #expect(config.diskSpaceWarningLevelRatio == 90)
        #expect(config.diskSpaceCleanForciblyRatio == 85)
        #expect(config.cleanResourceInterval == 10_000)
        #expect(config.deleteCommitLogFilesInterval == 100)
        #expect(config.deleteConsumeQueueFilesInterval == 100)
        #expect(config.deleteFileBatchMax == 10)
        #expect(config.cleanFileForciblyEnable)
        #expect(config.brokerRole == .asyncMaster)
        #expect(config.maxTransferBytesOnMessageInMemory == 262_144)
        #expect(config.maxTransferCountOnMessageInMemory == 32)
        #expect(config.maxTransferBytesOnMessageInDisk == 65_536)
        #expect(config.maxTransferCountOnMessageInDisk == 8)
        #expect(config.accessMessageInMemoryMaxRatio == 40)
        #expect(config.maxMsgsNumBatch == 64)
        #expect(config.checkCRCOnRecover)
    }

    @Test func fromBrokerProperties() {
        var config = MessageStoreConfig()
        let result = config.apply(JavaProperties([
            ("storePathRootDir", "/r"),
            ("storePathCommitLog", "/cl"),
            ("mappedFileSizeCommitLog", "65536"),
            ("mappedFileSizeConsumeQueue", "6001"),
            ("flushDiskType", "SYNC_FLUSH"),
            ("syncFlushTimeout", "5000"),
            ("brokerRole", "SLAVE"),
            ("messageIndexEnable", "FALSE"),
            ("maxHashSlotNum", "1000"),
            ("maxIndexNum", " 4000 "),
            ("diskMaxUsedSpaceRatio", "99"),
            ("deleteWhen", "04;05"),
            ("fileReservedTime", "48"),
            ("diskSpaceWarningLevelRatio", "93"),
            ("diskSpaceCleanForciblyRatio", "80"),
            ("deleteFileBatchMax", "3"),
            ("someUnknownKey", "x"),
        ]))
        #expect(config.storePathRootDir == "/r")
        #expect(config.storePathCommitLog == "/cl")
        #expect(config.mappedFileSizeCommitLog == 65536)
        // Rounded up to whole 20-byte units, as Java's getter does.
        #expect(config.mappedFileSizeConsumeQueue == 6020)
        #expect(config.flushDiskType == .syncFlush)
        // The key is honoured when set.
        #expect(config.syncFlushTimeout == 5000)
        #expect(config.brokerRole == .slave)
        #expect(!config.messageIndexEnable)
        #expect(config.maxHashSlotNum == 1000)
        #expect(config.maxIndexNum == 4000)
        #expect(config.diskMaxUsedSpaceRatio == 95)
        #expect(config.deleteWhen == "04;05")
        #expect(config.fileReservedTime == 48)
        #expect(config.diskSpaceWarningLevelRatio == 93)
        #expect(config.diskSpaceCleanForciblyRatio == 80)
        #expect(config.deleteFileBatchMax == 3)
        #expect(result == ConfigApplication(unknownKeys: ["someUnknownKey"], invalidKeys: []))
    }

    @Test func oldSpellingAndBadValues() {
        var old = MessageStoreConfig()
        _ = old.apply(JavaProperties([("mapedFileSizeCommitLog", "1024"), ("mapedFileSizeConsumeQueue", "200")]))
        #expect(MessageStoreConfig.legacyKeysPresent(in: JavaProperties([("mapedFileSizeCommitLog", "1")])) == ["mapedFileSizeCommitLog"])
        #expect(old.mappedFileSizeCommitLog == 1024)
        #expect(old.mappedFileSizeConsumeQueue == 200)
        var both = MessageStoreConfig()
        _ = both.apply(JavaProperties([("mappedFileSizeCommitLog", "2048"), ("mapedFileSizeCommitLog", "1024")]))
        #expect(both.mappedFileSizeCommitLog == 2048)
        // Values that do not parse keep the default and are reported (Java ignores them silently).
        var bad = MessageStoreConfig()
        let result = bad.apply(JavaProperties([("flushDiskType", "SOMETIMES"), ("maxMessageSize", "4M"), ("syncFlushTimeout", "")]))
        #expect(bad.flushDiskType == .asyncFlush)
        #expect(bad.maxMessageSize == 4_194_304)
        #expect(bad.syncFlushTimeout == 2500)
        #expect(Set(result.invalidKeys) == ["flushDiskType", "maxMessageSize", "syncFlushTimeout"])
    }

    @Test func delayLevels() {
        let table = MessageStoreConfig(storePathRootDir: "/r").delayLevelTable
        #expect(table.count == 18)
        #expect(table[1] == 1000)
        #expect(table[3] == 10_000)
        #expect(table[5] == 60_000)
        #expect(table[18] == 7_200_000)
        var custom = MessageStoreConfig(storePathRootDir: "/r")
        custom.messageDelayLevel = "1s 2d bad 3h"
        #expect(custom.delayLevelTable == [1: 1000, 2: 172_800_000, 4: 10_800_000])
    }
}
