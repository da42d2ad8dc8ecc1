import Broker
import FixtureSupport
import Foundation
import MessageStore
import RocketMQModel
import Testing

/// Our users' `2m-2s-sync` broker files load into the broker's config.
@Suite struct BrokerConfigTests {
    static func properties(_ name: String) throws -> JavaProperties {
        JavaProperties(parsing: try String(contentsOf: Fixtures.url("configs", "2m-2s-sync", name), encoding: .utf8))
    }

    /// Keys of these files that belong to the store's config (applied there, not here).
    static let storeKeys: Set<String> = [
        "deleteWhen", "fileReservedTime", "mapedFileSizeCommitLog", "mapedFileSizeConsumeQueue",
        "destroyMapedFileIntervalForcibly", "redeleteHangedFileInterval", "diskMaxUsedSpaceRatio", "storePathRootDir",
        "storePathCommitLog", "maxMessageSize", "flushCommitLogLeastPages", "flushConsumeQueueLeastPages",
        "flushCommitLogThoroughInterval", "flushConsumeQueueThoroughInterval", "brokerRole", "flushDiskType",
    ]

    @Test(arguments: [
        ("broker-a.properties", "broker-a", Int64(0), 10911), ("broker-a-s.properties", "broker-a", Int64(1), 10921),
        ("broker-b.properties", "broker-b", Int64(0), 10931), ("broker-b-s.properties", "broker-b", Int64(1), 10941),
    ])
    func deploymentFilesLoad(_ file: String, _ brokerName: String, _ brokerId: Int64, _ port: Int) throws {
        var config = BrokerConfig()
        let result = config.apply(try Self.properties(file))
        #expect(result.invalidKeys.isEmpty)
        #expect(Set(result.unknownKeys).isSubset(of: Self.storeKeys), "\(Set(result.unknownKeys).subtracting(Self.storeKeys))")
        #expect(config.brokerName == brokerName)
        #expect(config.brokerId == brokerId)
        #expect(config.listenPort == port)
        #expect(config.brokerClusterName == "DefaultCluster")
        #expect(config.nameServerAddresses == ["127.0.0.1:9876", "127.0.0.1:9877"])
        #expect(config.defaultTopicQueueNums == 4)
        #expect(config.checkTransactionMessageEnable == false)
        #expect(config.brokerIP1 == "127.0.0.1")
    }

    @Test func badValuesNameTheirKeyAndPrintingRoundTrips() {
        var config = BrokerConfig()
        let result = config.apply(JavaProperties([("brokerId", "one"), ("autoCreateTopicEnable", "yes"), ("listenPort", " 10999 ")]))
        #expect(result.invalidKeys == ["brokerId", "autoCreateTopicEnable"])
        #expect(config.brokerId == 0)
        #expect(config.listenPort == 10999)
        var copy = BrokerConfig()
        #expect(copy.apply(config.properties) == ConfigApplication())
        #expect(copy == config)
    }
}

/// A whole broker file read as `rocketmq broker -c` reads it (Java `BrokerStartup`).
@Suite struct BrokerStartupTests {
    @Test(arguments: ["broker-a.properties", "broker-a-s.properties", "broker-b.properties", "broker-b-s.properties"])
    func deploymentFilesLoadWithEveryKeyKnown(_ file: String) throws {
        let startup = try BrokerStartup(properties: try BrokerConfigTests.properties(file))
        #expect(startup.unknownKeys.isEmpty)
        #expect(startup.legacyKeys == ["mapedFileSizeCommitLog", "mapedFileSizeConsumeQueue"])
        let store = startup.storeConfig
        #expect(store.mappedFileSizeCommitLog == 1_073_741_824)
        #expect(store.mappedFileSizeConsumeQueue == 50_000_000)
        #expect(store.flushDiskType == .syncFlush)
        #expect(store.brokerRole == (startup.brokerConfig.brokerId == 0 ? .syncMaster : .slave))
        #expect(store.maxMessageSize == 65536)
        #expect(store.diskMaxUsedSpaceRatio == 88)
        #expect(store.fileReservedTime == 120)
        #expect(store.storePathRootDir.hasPrefix("data/broker-"))
        #expect(store.storePathCommitLog.hasSuffix("/commitlog"))
    }

    @Test func namesrvFlagWinsAndRoleRulesAreJavas() throws {
        let master = try BrokerStartup(
            properties: JavaProperties([("brokerId", "3"), ("brokerRole", "SYNC_MASTER"), ("namesrvAddr", "10.0.0.1:9876")]),
            namesrvAddr: "127.0.0.1:9876;127.0.0.1:9877")
        #expect(master.brokerConfig.brokerId == 0)
        #expect(master.brokerConfig.nameServerAddresses == ["127.0.0.1:9876", "127.0.0.1:9877"])
        #expect(throws: BrokerStartup.InvalidConfig.self) {
            try BrokerStartup(properties: JavaProperties([("brokerId", "0"), ("brokerRole", "SLAVE")]))
        }
        #expect(throws: BrokerStartup.InvalidConfig.self) { try BrokerStartup(namesrvAddr: "localhost") }
    }

    @Test func unknownKeysWarnBadValuesFailNamingTheKey() throws {
        let startup = try BrokerStartup(properties: JavaProperties([("brokerName", "b"), ("noSuchKey", "1")]))
        #expect(startup.unknownKeys == ["noSuchKey"])
        do {
            _ = try BrokerStartup(properties: JavaProperties([("flushDiskType", "SOMETIMES"), ("listenPort", "x")]))
            Issue.record("bad values were accepted")
        } catch {
            #expect(error.description == "bad value for listenPort: x; bad value for flushDiskType: SOMETIMES")
        }
    }

    @Test func printedConfigListsBrokerThenStoreKeysAndReadsBack() throws {
        let startup = try BrokerStartup(properties: try BrokerConfigTests.properties("broker-b-s.properties"))
        let printed = JavaProperties(parsing: startup.printedProperties)
        #expect(printed.keys == BrokerConfig.keys.map(\.name) + MessageStoreConfig.keys.map(\.name))
        let again = try BrokerStartup(properties: printed)
        #expect(again.brokerConfig == startup.brokerConfig)
        #expect(again.storeConfig == startup.storeConfig)
        #expect(again.unknownKeys.isEmpty && again.legacyKeys.isEmpty)
    }
}
