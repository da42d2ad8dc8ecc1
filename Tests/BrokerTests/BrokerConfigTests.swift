import Broker
import FixtureSupport
import Foundation
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
