import NIOCore
import NIOEmbedded
import NIOConcurrencyHelpers
import NameServer
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// Every name-server code, called directly on the processor (no sockets).
@Suite struct NameServerProcessorTests {
    final class Clock: Sendable {
        let now = NIOLockedValueBox<Int64>(1_800_000_000_000)
        func advance(seconds: Int64) { now.withLockedValue { $0 += seconds * 1000 } }
        var read: @Sendable () -> Int64 { { [now] in now.withLockedValue { $0 } } }
    }

    let clock = Clock()
    let processor: NameServerProcessor
    let brokerChannel = EmbeddedChannel()
    let broker: RemotingConnection
    let client = RemotingConnection(channel: EmbeddedChannel())

    init() throws {
        try brokerChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 10911)).wait()
        var config = NamesrvConfig()
        config.orderMessageEnable = true
        processor = NameServerProcessor(config: config, clock: clock.read)
        broker = RemotingConnection(channel: brokerChannel)
    }

    static let topics = [
        TopicConfig(topicName: "TopicA", readQueueNums: 4, writeQueueNums: 4, perm: 6),
        TopicConfig(topicName: "TBW102", readQueueNums: 8, writeQueueNums: 8, perm: 7),
    ]

    func call(_ code: RequestCode, _ fields: ExtFields? = nil, body: ByteBuffer? = nil, version: Int32 = MQVersion.v4_9_8,
              from connection: RemotingConnection? = nil) throws -> RemotingCommand {
        var request = RemotingCommand.request(code: code, opaque: 7, extFields: fields, body: body)
        request.version = version
        guard case .response(let response) = try processor.process(request, context: RequestContext(connection: connection ?? client))
        else { throw BodyError("no response") }
        return response
    }

    /// Calls like the connection handler does: thrown header/body errors become SYSTEM_ERROR.
    func callReportingErrors(_ code: RequestCode, _ fields: ExtFields?, body: ByteBuffer? = nil) -> RemotingCommand {
        do {
            return try call(code, fields, body: body)
        } catch let error as HeaderError {
            return RemotingCommand.request(code: code).makeErrorResponse(error)
        } catch {
            return RemotingCommand.request(code: code).makeResponse(code: .systemError, remark: "\(error)")
        }
    }

    @discardableResult
    func register(brokerName: String = "broker-a", addr: String = "127.0.0.1:10911", brokerId: Int64 = 0,
                  cluster: String = "DefaultCluster", topics: [TopicConfig] = topics, counter: Int64 = 1,
                  compressed: Bool = false, on connection: RemotingConnection? = nil) throws -> RemotingCommand {
        let body = RegisterBrokerBody(topicConfigSerializeWrapper: TopicConfigSerializeWrapper(
            topicConfigTable: topics, dataVersion: DataVersion(timestamp: 1, counter: counter)))
        let bytes = compressed ? try body.compressed() : body.encoded()
        let header = RegisterBrokerRequestHeader(
            brokerName: brokerName, brokerAddr: addr, clusterName: cluster,
            haServerAddr: addr.replacingOccurrences(of: "10911", with: "10912").replacingOccurrences(of: "11911", with: "11912"),
            brokerId: brokerId, compressed: compressed, bodyCrc32: CRC32.masked(bytes))
        return try call(.registerBroker, header.extFields, body: bytes, from: connection ?? broker)
    }

    func route(_ topic: String, version: Int32 = MQVersion.v4_9_8) throws -> TopicRouteData? {
        let response = try call(.getRouteInfoByTopic, ["topic": topic], version: version)
        return response.code == 0 ? try TopicRouteData(body: response.body) : nil
    }

    @Test func registrationMakesRoutes() throws {
        let response = try register()
        #expect(response.responseCode == .success)
        #expect(response.extFields == ExtFields())
        #expect(response.body == nil)
        let route = try #require(try route("TopicA"))
        #expect(route.queueDatas == [QueueData(brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: 6)])
        #expect(route.brokerDatas == [BrokerData(cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: [0: "127.0.0.1:10911"])])
    }

    @Test func compressedRegistrationIsRead() throws {
        #expect(try register(compressed: true).responseCode == .success)
        #expect(try route("TBW102")?.queueDatas.first?.perm == 7)
    }

    @Test func slaveIsListedBesideItsMasterAndToldWhereToReplicate() throws {
        try register()
        let slaveConnection = RemotingConnection(channel: EmbeddedChannel())
        let response = try register(addr: "127.0.0.1:11911", brokerId: 1, on: slaveConnection)
        #expect(response.extFields == ["haServerAddr": "127.0.0.1:10912", "masterAddr": "127.0.0.1:10911"])
        #expect(try route("TopicA")?.brokerDatas.first?.brokerAddrs == [0: "127.0.0.1:10911", 1: "127.0.0.1:11911"])
        // The slave's own topic table never creates queue data.
        try register(addr: "127.0.0.1:11911", brokerId: 1, topics: [TopicConfig(topicName: "OnlyOnSlave")], counter: 9, on: slaveConnection)
        #expect(try route("OnlyOnSlave") == nil)
    }

    @Test func unknownTopicIsTopicNotExistWithJavasRemark() throws {
        let response = try call(.getRouteInfoByTopic, ["topic": "Nope"])
        #expect(response.responseCode == .topicNotExist)
        #expect(response.remark == "No topic route info in name server for the topic: Nope\nSee http://rocketmq.apache.org/docs/faq/ for further details.")
        #expect(response.extFields == nil)
        #expect(response.body == nil)
    }

    @Test func routeKeyQuotingFollowsTheRequestVersion() throws {
        try register()
        let old = try call(.getRouteInfoByTopic, ["topic": "TopicA"], version: 63)
        #expect(String(buffer: old.body!).contains(#""brokerAddrs":{0:"127.0.0.1:10911"}"#))
        let new = try call(.getRouteInfoByTopic, ["topic": "TopicA"], version: MQVersion.v4_9_4)
        #expect(String(buffer: new.body!).contains(#""brokerAddrs":{"0":"127.0.0.1:10911"}"#))
        let standard = try call(.getRouteInfoByTopic, ["topic": "TopicA", "acceptStandardJsonOnly": "true"], version: 63)
        #expect(String(buffer: standard.body!).contains(#"{"0":"#))
    }

    @Test func unchangedDataVersionKeepsQueueDataAndWipeSticks() throws {
        try register()
        let wipe = try call(.wipeWritePermOfBroker, ["brokerName": "broker-a"])
        #expect(wipe.extFields == ["wipeTopicCount": "2"])
        #expect(try route("TopicA")?.queueDatas.first?.perm == 4)
        try register(counter: 1)
        #expect(try route("TopicA")?.queueDatas.first?.perm == 4)
        try register(counter: 2)
        #expect(try route("TopicA")?.queueDatas.first?.perm == 6)
        try call(.wipeWritePermOfBroker, ["brokerName": "broker-a"])
        let add = try call(.addWritePermOfBroker, ["brokerName": "broker-a"])
        #expect(add.extFields == ["addTopicCount": "2"])
        #expect(try route("TBW102")?.queueDatas.first?.perm == 6)
        #expect(try call(.wipeWritePermOfBroker, ["brokerName": "nobody"]).extFields == ["wipeTopicCount": "0"])
    }

    @Test func unregisterRemovesTheBrokerAndItsTopics() throws {
        try register()
        let response = try call(.unregisterBroker, [
            "brokerName": "broker-a", "brokerAddr": "127.0.0.1:10911", "clusterName": "DefaultCluster", "brokerId": "0",
        ])
        #expect(response.responseCode == .success)
        #expect(try route("TopicA") == nil)
        #expect(try ClusterInfo(body: try call(.getBrokerClusterInfo).body) == ClusterInfo(brokerAddrTable: [:], clusterAddrTable: [:]))
    }

    @Test func closingTheBrokerConnectionForgetsItAtOnce() throws {
        try register()
        processor.connectionClosed(client)
        #expect(try route("TopicA") != nil)
        processor.connectionClosed(broker)
        #expect(try route("TopicA") == nil)
    }

    @Test func silentBrokersExpireAfter120Seconds() throws {
        try register()
        clock.advance(seconds: 119)
        processor.scanNotActiveBrokers()
        #expect(try route("TopicA") != nil)
        #expect(brokerChannel.isActive)
        clock.advance(seconds: 2)
        processor.scanNotActiveBrokers()
        #expect(try route("TopicA") == nil)
        #expect(!brokerChannel.isActive)
    }

    @Test func queryDataVersionReportsChangesAndCountsAsAHeartbeat() throws {
        try register(counter: 5)
        let fields: ExtFields = ["brokerName": "broker-a", "brokerAddr": "127.0.0.1:10911", "clusterName": "DefaultCluster", "brokerId": "0"]
        let same = try call(.queryDataVersion, fields, body: DataVersion(timestamp: 1, counter: 5).encoded())
        #expect(same.extFields == ["changed": "false"])
        #expect(try DataVersion(body: same.body) == DataVersion(timestamp: 1, counter: 5))
        let changed = try call(.queryDataVersion, fields, body: DataVersion(timestamp: 2, counter: 6).encoded())
        #expect(changed.extFields == ["changed": "true"])
        clock.advance(seconds: 100)
        _ = try call(.queryDataVersion, fields, body: DataVersion(timestamp: 1, counter: 5).encoded())
        clock.advance(seconds: 100)
        processor.scanNotActiveBrokers()
        #expect(try route("TopicA") != nil)
    }

    @Test func clusterInfoAndTopicLists() throws {
        try register()
        try register(brokerName: "broker-b", addr: "127.0.0.2:10911", cluster: "Other",
                     topics: [TopicConfig(topicName: "TopicB"), TopicConfig(topicName: "Unit", topicSysFlag: 1),
                              TopicConfig(topicName: "UnitSub", topicSysFlag: 2), TopicConfig(topicName: "Both", topicSysFlag: 3)],
                     on: RemotingConnection(channel: EmbeddedChannel()))
        let info = try ClusterInfo(body: try call(.getBrokerClusterInfo).body)
        #expect(info.clusterAddrTable == ["DefaultCluster": ["broker-a"], "Other": ["broker-b"]])
        #expect(String(buffer: try call(.getBrokerClusterInfo).body!).contains(#"{0:"127.0.0.1:10911"}"#))
        func list(_ code: RequestCode, _ fields: ExtFields? = nil) throws -> Set<String> {
            Set(try TopicList(body: try call(code, fields).body).topicList)
        }
        #expect(try list(.getAllTopicListFromNameServer) == ["TopicA", "TBW102", "TopicB", "Unit", "UnitSub", "Both"])
        #expect(try list(.getTopicsByCluster, ["cluster": "DefaultCluster"]) == ["TopicA", "TBW102"])
        #expect(try list(.getTopicsByCluster, ["cluster": "NoSuchCluster"]) == [])
        #expect(try list(.getUnitTopicList) == ["Unit", "Both"])
        #expect(try list(.getHasUnitSubTopicList) == ["UnitSub", "Both"])
        #expect(try list(.getHasUnitSubUnunitTopicList) == ["UnitSub"])
        let system = try TopicList(body: try call(.getSystemTopicListFromNS).body)
        #expect(Set(system.topicList) == ["DefaultCluster", "broker-a", "Other", "broker-b"])
        #expect(system.brokerAddr != nil)
    }

    @Test func deleteTopicEverywhereOrPerCluster() throws {
        try register()
        try register(brokerName: "broker-b", addr: "127.0.0.2:10911", cluster: "Other", on: RemotingConnection(channel: EmbeddedChannel()))
        #expect(try call(.deleteTopicInNamesrv, ["topic": "TopicA", "clusterName": "Other"]).responseCode == .success)
        #expect(try route("TopicA")?.queueDatas.map(\.brokerName) == ["broker-a"])
        _ = try call(.deleteTopicInNamesrv, ["topic": "TopicA"])
        #expect(try route("TopicA") == nil)
        #expect(try route("TBW102")?.queueDatas.count == 2)
    }

    @Test func kvConfigRoundTripAndOrderTopicConf() throws {
        #expect(try call(.putKVConfig, ["namespace": "ORDER_TOPIC_CONFIG", "key": "TopicA", "value": "broker-a:4"]).responseCode == .success)
        let value = try call(.getKVConfig, ["namespace": "ORDER_TOPIC_CONFIG", "key": "TopicA"])
        #expect(value.extFields == ["value": "broker-a:4"])
        let missing = try call(.getKVConfig, ["namespace": "ORDER_TOPIC_CONFIG", "key": "Nope"])
        #expect(missing.responseCode == .queryNotFound)
        #expect(missing.remark == "No config item, Namespace: ORDER_TOPIC_CONFIG Key: Nope")
        let list = try call(.getKVListByNamespace, ["namespace": "ORDER_TOPIC_CONFIG"])
        #expect(try KVTable(body: list.body).table == ["TopicA": "broker-a:4"])
        let noNamespace = try call(.getKVListByNamespace, ["namespace": "None"])
        #expect(noNamespace.responseCode == .queryNotFound)
        #expect(noNamespace.remark == "No config item, Namespace: None")
        // Brokers get the ordered-topic table back; routes carry the layout.
        let registered = try register()
        #expect(try KVTable(body: registered.body).table == ["TopicA": "broker-a:4"])
        #expect(try route("TopicA")?.orderTopicConf == "broker-a:4")
        #expect(try call(.deleteKVConfig, ["namespace": "ORDER_TOPIC_CONFIG", "key": "TopicA"]).responseCode == .success)
        #expect(try call(.getKVConfig, ["namespace": "ORDER_TOPIC_CONFIG", "key": "TopicA"]).responseCode == .queryNotFound)
        #expect(try call(.deleteKVConfig, ["namespace": "unknown", "key": "x"]).responseCode == .success)
    }

    @Test func namesrvConfigUpdateAndBlackList() throws {
        let refused = try call(.updateNamesrvConfig, body: ByteBuffer(string: "kvConfigPath=/tmp/evil\n"))
        #expect(refused.responseCode == .noPermission)
        #expect(refused.remark == "Can not update config in black list.")
        #expect(try call(.updateNamesrvConfig, body: ByteBuffer(string: "orderMessageEnable=false\ncustomKey = 42\n")).responseCode == .success)
        let text = String(buffer: try call(.getNamesrvConfig).body!)
        #expect(text.contains("orderMessageEnable=false\n"))
        #expect(text.contains("customKey=42\n"))
        #expect(!text.contains("/tmp/evil"))
        #expect(try call(.updateNamesrvConfig).responseCode == .success)
    }

    @Test func crcMismatchIsRefusedAndChangesNothing() throws {
        let body = RegisterBrokerBody(topicConfigSerializeWrapper: TopicConfigSerializeWrapper(
            topicConfigTable: Self.topics, dataVersion: DataVersion(timestamp: 1, counter: 1))).encoded()
        var header = RegisterBrokerRequestHeader(
            brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster",
            haServerAddr: "127.0.0.1:10912", brokerId: 0, bodyCrc32: CRC32.masked(body) ^ 1)
        let response = try call(.registerBroker, header.extFields, body: body, from: broker)
        #expect(response.responseCode == .systemError)
        #expect(response.remark == "crc32 not match")
        #expect(processor.snapshot.routes.brokerAddrTable.isEmpty)
        header.bodyCrc32 = 0
        #expect(try call(.registerBroker, header.extFields, body: body, from: broker).responseCode == .success)
    }

    static let requiredFields: [(RequestCode, ExtFields, String)] = [
        (.registerBroker, ["brokerAddr": "a", "clusterName": "c", "haServerAddr": "h", "brokerId": "0"], "brokerName"),
        (.registerBroker, ["brokerName": "b", "brokerAddr": "a", "clusterName": "c", "haServerAddr": "h"], "brokerId"),
        (.unregisterBroker, ["brokerName": "b", "brokerAddr": "a", "clusterName": "c"], "brokerId"),
        (.queryDataVersion, ["brokerName": "b", "clusterName": "c", "brokerId": "0"], "brokerAddr"),
        (.getRouteInfoByTopic, [:], "topic"),
        (.wipeWritePermOfBroker, [:], "brokerName"),
        (.addWritePermOfBroker, [:], "brokerName"),
        (.deleteTopicInNamesrv, ["clusterName": "c"], "topic"),
        (.putKVConfig, ["namespace": "n", "key": "k"], "value"),
        (.getKVConfig, ["key": "k"], "namespace"),
        (.deleteKVConfig, ["namespace": "n"], "key"),
        (.getKVListByNamespace, [:], "namespace"),
        (.getTopicsByCluster, [:], "cluster"),
    ]

    @Test(arguments: requiredFields.indices)
    func missingRequiredFieldsAreSystemErrorsAndChangeNothing(_ index: Int) throws {
        try register()
        let before = processor.snapshot
        let (code, fields, missing) = Self.requiredFields[index]
        let response = callReportingErrors(code, fields, body: DataVersion(timestamp: 0, counter: 0).encoded())
        #expect(response.responseCode == .systemError)
        #expect(response.remark == "the custom field <\(missing)> is null")
        let after = processor.snapshot
        #expect(after.routes.topicQueueTable == before.routes.topicQueueTable)
        #expect(after.routes.brokerAddrTable == before.routes.brokerAddrTable)
        #expect(after.kvConfig == before.kvConfig)
    }

    @Test(arguments: ["{", "[1,2]", #"{"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"perm":6}}}}"#, "\u{FF}"])
    func badRegisterBodiesAreSystemErrorsAndChangeNothing(_ body: String) throws {
        let header = RegisterBrokerRequestHeader(
            brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster",
            haServerAddr: "127.0.0.1:10912", brokerId: 0)
        let response = callReportingErrors(.registerBroker, header.extFields, body: ByteBuffer(string: body))
        #expect(response.responseCode == .systemError)
        #expect(processor.snapshot.routes.brokerAddrTable.isEmpty)
        var compressed = header
        compressed.compressed = true
        #expect(callReportingErrors(.registerBroker, compressed.extFields, body: ByteBuffer(string: body)).responseCode == .systemError)
        #expect(processor.snapshot.routes.topicQueueTable.isEmpty)
    }

    @Test func queryDataVersionWithoutABodyIsASystemError() {
        let fields: ExtFields = ["brokerName": "b", "brokerAddr": "a", "clusterName": "c", "brokerId": "0"]
        #expect(callReportingErrors(.queryDataVersion, fields, body: nil).responseCode == .systemError)
    }

    @Test func codesOtherThanTheNameServersAreNotSupported() throws {
        let response = try call(.pullMessage, [:])
        #expect(response.responseCode == .requestCodeNotSupported)
        #expect(response.remark == " request type 11 not supported")
    }
}
