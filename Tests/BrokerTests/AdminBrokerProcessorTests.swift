@testable import Broker
import FixtureSupport
import Foundation
import Logging
@testable import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// An AdminBrokerProcessor over a real store in a temporary directory, with one client connection whose
/// outbound requests (the broker's calls to the client) the test reads and answers.
final class AdminHarness: Sendable {
    let directory: String
    let store: LocalFileMessageStore
    let metadata: BrokerMetadata
    let schedule: ScheduleMessageService
    let configuration: BrokerConfiguration
    let stats: BrokerStats
    let processor: AdminBrokerProcessor
    let clients: ClientManageProcessor
    let channel: NIOAsyncTestingChannel
    let connection: RemotingConnection
    /// Name-server registrations the metadata asked for.
    let registrations = NIOLockedValueBox(0)
    /// The last topic table persisted.
    let persistedTopics = NIOLockedValueBox<TopicConfigSerializeWrapper?>(nil)
    let persistedGroups = NIOLockedValueBox<SubscriptionGroupWrapper?>(nil)

    static let logger: Logger = {
        var logger = Logger(label: "admin-test")
        logger.logLevel = .critical
        return logger
    }()

    init(
        clock: @escaping @Sendable () -> Int64 = SystemClock.currentTimeMillis, delayOffsets: DelayOffsetSerializeWrapper? = nil,
        registers: Bool = false, configure: (inout BrokerConfig) -> Void = { _ in },
        configureStore: (inout MessageStoreConfig) -> Void = { _ in }
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString)").path
        var storeConfig = MessageStoreConfig(storePathRootDir: directory)
        storeConfig.mappedFileSizeCommitLog = 64 * 1024
        storeConfig.mappedFileSizeConsumeQueueSetting = 600
        storeConfig.maxHashSlotNum = 100
        storeConfig.maxIndexNum = 400
        configureStore(&storeConfig)
        var config = BrokerConfig()
        configure(&config)
        let (registrations, persistedTopics, persistedGroups) = (self.registrations, self.persistedTopics, self.persistedGroups)
        let register: @Sendable () async -> Void = { registrations.withLockedValue { $0 += 1 } }
        metadata = BrokerMetadata(config: config, clock: clock, hooks: .init(
            topicsChanged: { wrapper in persistedTopics.withLockedValue { $0 = wrapper } },
            groupsChanged: { wrapper in persistedGroups.withLockedValue { $0 = wrapper } },
            registerTopics: registers ? register : nil))
        let stats = BrokerStats(clock: clock)
        self.stats = stats
        store = try LocalFileMessageStore(config: storeConfig, logger: Self.logger) { arrival in stats.messagePut(topic: arrival.topic) }
        stats.storeOpened(maxPhysicalOffset: store.maxPhysicalOffset)
        try store.start()
        schedule = ScheduleMessageService(store: store, delayLevels: storeConfig.delayLevelTable, offsets: delayOffsets, logger: Self.logger)
        configuration = BrokerConfiguration(
            metadata: metadata, storeConfig: storeConfig, path: directory + "/config/broker.properties", logger: Self.logger)
        processor = AdminBrokerProcessor(
            metadata: metadata, store: store, schedule: schedule, configuration: configuration, stats: stats, logger: Self.logger)
        clients = ClientManageProcessor(metadata: metadata, logger: Self.logger)
        channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "192.0.2.2", port: 50123))
        connection = RemotingConnection(channel: channel)
    }

    func close() {
        store.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func respond(_ request: RemotingCommand, on connection: RemotingConnection? = nil) async throws -> RemotingCommand {
        switch try processor.process(request, context: RequestContext(connection: connection ?? self.connection)) {
        case .response(let response): return response
        case .future(let future): return try #require(try await future.get())
        case .none: throw BodyError("no response")
        }
    }

    /// A request with the given header fields.
    static func request(_ code: RequestCode, _ fields: ExtFields = ExtFields(), body: ByteBuffer? = nil, language: LanguageCode = .java) -> RemotingCommand {
        var request = RemotingCommand.request(code: code, extFields: fields, body: body)
        request.language = language
        return request
    }

    /// Stores `count` messages in a queue and waits until they are in its consume queue.
    func put(topic: String, queueId: Int32 = 0, count: Int = 1, bodySize: Int = 0) async throws {
        for index in 0..<count {
            let body = bodySize > 0 ? ByteBuffer(repeating: 0x61, count: bodySize) : ByteBuffer(string: "body-\(index)")
            let message = BrokerInnerMessage(
                topic: topic, queueId: queueId, body: body, properties: MessageProperties(),
                bornTimestamp: metadata.clock(), bornHost: MessageHost(ipv4: 192, 0, 2, 2, port: 50123),
                storeHost: MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
            let result = await store.putMessage(message)
            #expect(result.status == .putOK)
        }
        await store.waitForDispatch(upTo: store.maxPhysicalOffset)
    }

    /// A consumer of `group` subscribed to `topics`, on `connection`, through a real HEART_BEAT.
    func heartbeat(group: String, topics: [String], clientId: String = "192.0.2.2@1", version: Int32 = MQVersion.current,
                   on connection: RemotingConnection? = nil) throws {
        let data = HeartbeatData(clientID: clientId, producerDataSet: [], consumerDataSet: [ConsumerData(
            groupName: group, consumeType: .consumePassively, messageModel: .clustering, consumeFromWhere: .consumeFromLastOffset,
            subscriptionDataSet: topics.map { SubscriptionData(topic: $0, subString: "*", subVersion: 1, tagsSet: [], codeSet: []) })])
        var request = RemotingCommand.request(code: .heartBeat, body: data.encoded())
        request.version = version
        _ = try clients.process(request, context: RequestContext(connection: connection ?? self.connection))
    }

    /// The next request the broker sent the client, skipping NOTIFY_CONSUMER_IDS_CHANGED.
    func nextCallToClient() async throws -> OutboundRequest {
        while true {
            let call = try await channel.waitForOutboundWrite(as: OutboundRequest.self)
            if call.command.requestCode != .notifyConsumerIdsChanged { return call }
        }
    }
}

/// Every request code of AdminBrokerProcessor, called directly (no sockets): Java's answers, codes and remarks.
@Suite struct AdminBrokerProcessorTests {
    // MARK: Topics

    @Test func capturedUpdateTopicCreatesRegistersAndAnswersAsJava() async throws {
        let harness = try await AdminHarness(registers: true)
        defer { harness.close() }
        let request = try #require(Fixtures.frame("09-mqadmin-updateTopic", "0001-c2s-broker-UPDATE_AND_CREATE_TOPIC.bin")).command()
        let captured = try #require(Fixtures.frame("09-mqadmin-updateTopic", "0006-s2c-broker-response.bin")).command()
        let response = try await harness.respond(request)
        #expect(response.code == captured.code)
        #expect(response.remark == "not set any response code")
        #expect(response.remark == captured.remark)
        #expect(response.extFields == nil)
        #expect(response.body == nil)
        // What Java registered (the REGISTER_BROKER the capture shows before the answer).
        let registered = try RegisterBrokerBody(body: try #require(Fixtures.frame("09-mqadmin-updateTopic", "0004-c2s-namesrv-REGISTER_BROKER.bin")).command().body)
        let topic = try #require(harness.metadata.withState { $0.topics["FixtureTopicAdmin"] })
        #expect(registered.topicConfigSerializeWrapper.topicConfigTable == [topic])
        #expect(harness.registrations.withLockedValue { $0 } == 1)
        #expect(harness.persistedTopics.withLockedValue { $0 }?.topicConfigTable.contains(topic) == true)
        // Updating it again replaces it (order is never taken from the header, as in Java).
        var update = request
        update.extFields?["writeQueueNums"] = "2"
        update.extFields?["perm"] = "4"
        update.extFields?["order"] = "true"
        #expect(try await harness.respond(update).responseCode == .success)
        let updated = harness.metadata.withState { $0.topics["FixtureTopicAdmin"] }
        #expect(updated == TopicConfig(topicName: "FixtureTopicAdmin", readQueueNums: 4, writeQueueNums: 2, perm: 4))
    }

    static func createTopic(_ topic: String, filterType: String = "SINGLE_TAG", omit: String? = nil) -> RemotingCommand {
        var fields: ExtFields = [
            "topic": topic, "defaultTopic": "TBW102", "readQueueNums": "4", "writeQueueNums": "4", "perm": "6",
            "topicFilterType": filterType, "topicSysFlag": "0", "order": "false",
        ]
        if let omit { fields[omit] = nil }
        return AdminHarness.request(.updateAndCreateTopic, fields)
    }

    @Test(arguments: [
        ("bad topic!", "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"),
        (" ", "The specified topic is blank."),
        (String(repeating: "t", count: 128), "The specified topic is longer than topic max length."),
        ("TBW102", "The topic[TBW102] is conflict with system topic."),
        ("SCHEDULE_TOPIC_XXXX", "The topic[SCHEDULE_TOPIC_XXXX] is conflict with system topic."),
        ("rmq_sys_anything", "The topic[rmq_sys_anything] is conflict with system topic."),
        ("DefaultCluster", "The topic[DefaultCluster] is conflict with system topic."),
        ("broker-a", "The topic[broker-a] is conflict with system topic."),
        ("DefaultCluster_REPLY_TOPIC", "The topic[DefaultCluster_REPLY_TOPIC] is conflict with system topic."),
    ])
    func refusedTopicNamesGetJavasRemarks(_ topic: String, _ remark: String) async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let version = harness.metadata.topicsVersion
        for request in [Self.createTopic(topic), AdminHarness.request(.deleteTopicInBroker, ["topic": topic])] {
            let response = try await harness.respond(request)
            #expect(response.responseCode == .systemError)
            #expect(response.remark == remark)
        }
        #expect(harness.metadata.topicsVersion == version)
    }

    @Test func badCreateTopicHeadersAndSlavesAreRefused() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let badFilter = try await harness.respond(Self.createTopic("T", filterType: "NO_SUCH"))
        #expect(badFilter.responseCode == .systemError)
        #expect(badFilter.remark == "topicFilterType = [NO_SUCH] value invalid")
        #expect(throws: HeaderError.missingField("perm")) { try harness.processor.process(Self.createTopic("T", omit: "perm"), context: RequestContext(connection: harness.connection)) }
        // 4.9.8 takes any permission and queue count.
        var odd = Self.createTopic("Odd")
        odd.extFields?["perm"] = "99"
        #expect(try await harness.respond(odd).responseCode == .success)
        #expect(harness.metadata.withState { $0.topics["Odd"]?.perm } == 99)

        let slave = try await AdminHarness(configureStore: { $0.brokerRole = .slave })
        defer { slave.close() }
        let slaveRemark = "Can't modify topic or subscription group from slave broker, please execute it from master broker."
        for request in [
            Self.createTopic("T"), AdminHarness.request(.deleteTopicInBroker, ["topic": "T"]),
            AdminHarness.request(.updateAndCreateSubscriptionGroup, body: SubscriptionGroupConfig(groupName: "G").encoded()),
            AdminHarness.request(.deleteSubscriptionGroup, ["groupName": "G"]),
        ] {
            let response = try await slave.respond(request)
            #expect(response.responseCode == .systemError)
            #expect(response.remark == slaveRemark)
        }
    }

    @Test func deleteTopicDestroysItsConsumeQueues() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        #expect(try await harness.respond(Self.createTopic("Doomed")).responseCode == .success)
        try await harness.put(topic: "Doomed", queueId: 1, count: 3)
        try await harness.put(topic: "Kept", count: 2)
        harness.metadata.updateTopic(TopicConfig(topicName: "Kept"))
        let queueDirectory = harness.directory + "/consumequeue/Doomed/1"
        #expect(FileManager.default.fileExists(atPath: queueDirectory))
        #expect(harness.store.getMaxOffsetInQueue(topic: "Doomed", queueId: 1) == 3)

        let response = try await harness.respond(AdminHarness.request(.deleteTopicInBroker, ["topic": "Doomed"]))
        #expect(response.responseCode == .success)
        #expect(response.remark == nil)
        #expect(harness.metadata.withState { $0.topics["Doomed"] } == nil)
        #expect(harness.persistedTopics.withLockedValue { $0 }?.topicConfigTable.contains { $0.topicName == "Doomed" } == false)
        #expect(!FileManager.default.fileExists(atPath: queueDirectory))
        #expect(!FileManager.default.fileExists(atPath: harness.directory + "/consumequeue/Doomed"))
        #expect(harness.store.getMaxOffsetInQueue(topic: "Doomed", queueId: 1) == 0)
        #expect(harness.store.getMaxOffsetInQueue(topic: "Kept", queueId: 0) == 2)
        // Deleting an unknown topic succeeds too.
        #expect(try await harness.respond(AdminHarness.request(.deleteTopicInBroker, ["topic": "Never"])).responseCode == .success)
        // A recreated topic starts again at offset 0.
        try await harness.put(topic: "Doomed", queueId: 1, count: 1)
        #expect(harness.store.getMaxOffsetInQueue(topic: "Doomed", queueId: 1) == 1)
    }

    @Test func cleanUnusedTopicAndExpiredConsumeQueues() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        // A queue whose topic is not in the table (messages stored, the topic never created).
        try await harness.put(topic: "Orphan", count: 2)
        try await harness.put(topic: TopicValidator.scheduleTopic, queueId: 2, count: 1)
        let response = try await harness.respond(AdminHarness.request(.cleanUnusedTopic))
        #expect(response.responseCode == .success)
        #expect(response.remark == nil)
        #expect(!FileManager.default.fileExists(atPath: harness.directory + "/consumequeue/Orphan"))
        #expect(harness.store.getMaxOffsetInQueue(topic: TopicValidator.scheduleTopic, queueId: 2) == 1)

        // Old's messages fill the first 64 KiB commit-log file, Live's go on into the second.
        try await harness.put(topic: "Old", count: 10, bodySize: 5000)
        try await harness.put(topic: "Live", count: 10, bodySize: 5000)
        let nothing = try await harness.respond(AdminHarness.request(.cleanExpiredConsumeQueue))
        #expect(nothing.responseCode == .success)
        #expect(harness.store.getMaxOffsetInQueue(topic: "Old", queueId: 0) == 10)
        // Retention removed the first file: Old's queue points only at messages that are gone.
        harness.store.commitLog.queue.deleteFirstMappedFile()
        #expect(harness.store.minPhysicalOffset == 65536)
        let clean = try await harness.respond(AdminHarness.request(.cleanExpiredConsumeQueue))
        #expect(clean.responseCode == .success)
        #expect(clean.remark == nil)
        #expect(harness.store.getMaxOffsetInQueue(topic: "Old", queueId: 0) == 0)
        #expect(!FileManager.default.fileExists(atPath: harness.directory + "/consumequeue/Old/0"))
        #expect(harness.store.getMaxOffsetInQueue(topic: "Live", queueId: 0) == 10)
    }

    @Test func getAllTopicConfigAnswersTheTableWithAnEmptyHeader() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let response = try await harness.respond(AdminHarness.request(.getAllTopicConfig))
        #expect(response.responseCode == .success)
        #expect(response.extFields == ExtFields())
        #expect(try TopicConfigSerializeWrapper(body: response.body) == harness.metadata.withState { $0.topics.wrapper })
        // Java's answer (capture 11) has the same shape: an empty custom header, the table and its version.
        let java = try #require(Fixtures.frame("11-master-slave", "0004-s2c-broker-vip-response.bin")).command()
        #expect(java.extFields == ExtFields())
        #expect(try Self.keys(java.body) == Self.keys(response.body))
    }

    static func keys(_ body: ByteBuffer?) throws -> [String] {
        let json = try JSONValue.parse(Array(try #require(body).readableBytesView))
        return (json.objectValue?.members ?? []).compactMap(\.key.stringValue).sorted()
    }

    @Test func topicStatsGiveEachWriteQueuesOffsetsAndLastStoreTime() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let missing = try await harness.respond(AdminHarness.request(.getTopicStatsInfo, ["topic": "Nope"]))
        #expect(missing.responseCode == .topicNotExist)
        #expect(missing.remark == "topic[Nope] not exist")

        harness.metadata.updateTopic(TopicConfig(topicName: "Stats", readQueueNums: 2, writeQueueNums: 3))
        try await harness.put(topic: "Stats", queueId: 1, count: 2)
        let response = try await harness.respond(AdminHarness.request(.getTopicStatsInfo, ["topic": "Stats"]))
        #expect(response.responseCode == .success)
        let table = try TopicStatsTable(body: response.body).offsetTable
        #expect(table.map(\.queue) == (0..<3).map { MessageQueue(topic: "Stats", brokerName: "broker-a", queueId: $0) })
        #expect(table.map(\.offsets.maxOffset) == [0, 2, 0])
        #expect(table.map(\.offsets.minOffset) == [0, 0, 0])
        #expect(table[1].offsets.lastUpdateTimestamp > 0)
        #expect(table[0].offsets.lastUpdateTimestamp == 0)
    }

    @Test func queryTopicConsumeByWhoJoinsOnlineGroupsAndOffsets() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.withState { $0.offsets.commit(group: "Offline", topic: "T", queueId: 0, offset: 3) }
        try harness.heartbeat(group: "Online", topics: ["T"])
        try harness.heartbeat(group: "Elsewhere", topics: ["U"], clientId: "c2")
        let response = try await harness.respond(AdminHarness.request(.queryTopicConsumeByWho, ["topic": "T"]))
        #expect(response.responseCode == .success)
        #expect(Set(try GroupList(body: response.body).groupList) == ["Online", "Offline"])
    }

    @Test func systemTopicListIncludesTheBrokersOwnTopics() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let response = try await harness.respond(AdminHarness.request(.getSystemTopicListFromBroker))
        let topics = Set(try TopicList(body: response.body).topicList)
        #expect(topics.isSuperset(of: ["TBW102", "SCHEDULE_TOPIC_XXXX", "DefaultCluster", "broker-a", "DefaultCluster_REPLY_TOPIC"]))
    }

    // MARK: Groups and offsets

    @Test func subscriptionGroupsAreCreatedListedAndDeletedWithTheirOffsets() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let config = SubscriptionGroupConfig(groupName: "CG_ADMIN", consumeBroadcastEnable: false, retryQueueNums: 2, retryMaxTimes: 3)
        let created = try await harness.respond(AdminHarness.request(.updateAndCreateSubscriptionGroup, body: config.encoded()))
        #expect(created.responseCode == .success)
        #expect(created.remark == nil)
        #expect(harness.metadata.withState { $0.groups["CG_ADMIN"] } == config)
        #expect(harness.persistedGroups.withLockedValue { $0 }?.subscriptionGroupTable.contains(config) == true)

        let all = try await harness.respond(AdminHarness.request(.getAllSubscriptionGroupConfig))
        #expect(try SubscriptionGroupWrapper(body: all.body) == harness.metadata.withState { $0.groups.wrapper })
        let java = try #require(Fixtures.frame("11-master-slave", "0010-s2c-broker-response.bin")).command()
        #expect(try AdminBrokerProcessorTests.keys(java.body) == AdminBrokerProcessorTests.keys(all.body))
        #expect(all.extFields == java.extFields)

        harness.metadata.withState {
            $0.offsets.commit(group: "CG_ADMIN", topic: "T", queueId: 0, offset: 5)
            $0.offsets.commit(group: "CG_OTHER", topic: "T", queueId: 0, offset: 7)
        }
        let kept = try await harness.respond(AdminHarness.request(.deleteSubscriptionGroup, ["groupName": "CG_ADMIN", "removeOffset": "false"]))
        #expect(kept.responseCode == .success)
        #expect(harness.metadata.withState { $0.groups["CG_ADMIN"] } == nil)
        #expect(harness.metadata.withState { $0.offsets.offset(group: "CG_ADMIN", topic: "T", queueId: 0) } == 5)
        _ = try await harness.respond(AdminHarness.request(.deleteSubscriptionGroup, ["groupName": "CG_ADMIN", "removeOffset": "true"]))
        #expect(harness.metadata.withState { $0.offsets.offset(group: "CG_ADMIN", topic: "T", queueId: 0) } == -1)
        #expect(harness.metadata.withState { $0.offsets.offset(group: "CG_OTHER", topic: "T", queueId: 0) } == 7)

        // No body, or one that is no group: Java's SYSTEM_ERROR path.
        #expect(throws: BodyError.self) {
            try harness.processor.process(AdminHarness.request(.updateAndCreateSubscriptionGroup), context: RequestContext(connection: harness.connection))
        }
        #expect(throws: BodyError.self) {
            try harness.processor.process(
                AdminHarness.request(.updateAndCreateSubscriptionGroup, body: ByteBuffer(string: "{\"retryMaxTimes\":1}")),
                context: RequestContext(connection: harness.connection))
        }
        #expect(throws: HeaderError.missingField("groupName")) {
            try harness.processor.process(AdminHarness.request(.deleteSubscriptionGroup), context: RequestContext(connection: harness.connection))
        }
    }

    @Test func allConsumerAndDelayOffsetsAreJavasFiles() async throws {
        let harness = try await AdminHarness(delayOffsets: DelayOffsetSerializeWrapper(offsetTable: [(3, 2)]))
        defer { harness.close() }
        harness.metadata.withState {
            $0.offsets.commit(group: "CG", topic: "T", queueId: 0, offset: 2)
            $0.offsets.commit(group: "CG", topic: "T", queueId: 3, offset: 4)
        }
        let offsets = try await harness.respond(AdminHarness.request(.getAllConsumerOffset))
        #expect(offsets.responseCode == .success)
        #expect(offsets.extFields == nil)
        #expect(String(buffer: try #require(offsets.body)) == "{\"offsetTable\":{\"T@CG\":{0:2,3:4}}}")
        let delay = try await harness.respond(AdminHarness.request(.getAllDelayOffset))
        let java = try #require(Fixtures.frame("11-master-slave", "0008-s2c-broker-response.bin")).command()
        #expect(delay.body == java.body)
        #expect(delay.extFields == java.extFields)
    }

    @Test func consumeStatsCoverTheGroupsTopicsAndSkipUnsubscribedOnes() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.updateTopic(TopicConfig(topicName: "T", readQueueNums: 2, writeQueueNums: 2))
        harness.metadata.updateTopic(TopicConfig(topicName: "%RETRY%CG", readQueueNums: 1, writeQueueNums: 1))
        try await harness.put(topic: "T", queueId: 0, count: 3)
        harness.metadata.withState {
            $0.offsets.commit(group: "CG", topic: "T", queueId: 0, offset: 2)
            $0.offsets.commit(group: "CG", topic: "%RETRY%CG", queueId: 0, offset: 0)
            $0.offsets.commit(group: "CG", topic: "Gone", queueId: 0, offset: 1)
        }
        let response = try await harness.respond(AdminHarness.request(.getConsumeStats, ["consumerGroup": "CG"]))
        #expect(response.responseCode == .success)
        let stats = try ConsumeStats(body: response.body)
        #expect(stats.offsetTable.map(\.queue) == [
            MessageQueue(topic: "T", brokerName: "broker-a", queueId: 0), MessageQueue(topic: "T", brokerName: "broker-a", queueId: 1),
            MessageQueue(topic: "%RETRY%CG", brokerName: "broker-a", queueId: 0),
        ])
        #expect(stats.offsetTable[0].offsets.brokerOffset == 3)
        #expect(stats.offsetTable[0].offsets.consumerOffset == 2)
        #expect(stats.offsetTable[0].offsets.lastTimestamp > 0)
        #expect(stats.offsetTable[1].offsets == OffsetWrapper(brokerOffset: 0, consumerOffset: 0, lastTimestamp: 0))
        #expect(stats.totalDiff == 1)
        // Java's map keys: MessageQueue objects, unquoted (capture 09-consumerProgress).
        #expect(String(buffer: try #require(response.body)).hasPrefix("{\"consumeTps\":0.0,\"offsetTable\":{{\"brokerName\":\"broker-a\",\"queueId\":0,\"topic\":\"T\"}:"))

        // One topic only.
        let one = try await harness.respond(AdminHarness.request(.getConsumeStats, ["consumerGroup": "CG", "topic": "%RETRY%CG"]))
        #expect(try ConsumeStats(body: one.body).offsetTable.count == 1)
        // Online and subscribed to T only: the retry topic is left out.
        try harness.heartbeat(group: "CG", topics: ["T"])
        let online = try await harness.respond(AdminHarness.request(.getConsumeStats, ["consumerGroup": "CG"]))
        #expect(try ConsumeStats(body: online.body).offsetTable.map(\.queue.topic) == ["T", "T"])
        // A group without offsets: an empty table.
        let none = try await harness.respond(AdminHarness.request(.getConsumeStats, ["consumerGroup": "Nobody"]))
        #expect(try ConsumeStats(body: none.body).offsetTable.isEmpty)

        let broker = try await harness.respond(AdminHarness.request(.getBrokerConsumeStats, ["isOrder": "false"]))
        let list = try ConsumeStatsList(body: broker.body)
        #expect(list.brokerAddr == "127.0.0.1:10911")
        #expect(list.totalDiff == 1)
        #expect(list.consumeStatsList.map(\.group).contains("TOOLS_CONSUMER"))
        harness.metadata.updateSubscriptionGroup(SubscriptionGroupConfig(groupName: "CG"))
        let withGroup = try ConsumeStatsList(body: try await harness.respond(AdminHarness.request(.getBrokerConsumeStats, ["isOrder": "false"])).body)
        #expect(withGroup.consumeStatsList.first { $0.group == "CG" }?.stats.count == 1)
        let ordered = try ConsumeStatsList(body: try await harness.respond(AdminHarness.request(.getBrokerConsumeStats, ["isOrder": "true"])).body)
        #expect(ordered.totalDiff == 0)
    }

    @Test func connectionListsNameTheMembers() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let offline = try await harness.respond(AdminHarness.request(.getConsumerConnectionList, ["consumerGroup": "CG_FIXTURE_JSON"]))
        let captured = try #require(Fixtures.frame("09-mqadmin-queryMsgById", "0012-s2c-broker-response.bin")).command()
        #expect(offline.code == captured.code)
        #expect(offline.remark == captured.remark)
        #expect(offline.extFields == captured.extFields)

        try harness.heartbeat(group: "CG", topics: ["T", "U"])
        let online = try await harness.respond(AdminHarness.request(.getConsumerConnectionList, ["consumerGroup": "CG"]))
        #expect(online.responseCode == .success)
        let connection = try ConsumerConnection(body: online.body)
        #expect(connection.connectionSet == [Connection(clientId: "192.0.2.2@1", clientAddr: "192.0.2.2:50123", language: .java, version: MQVersion.current)])
        #expect(connection.subscriptionTable.map(\.topic) == ["T", "U"])
        #expect(connection.consumeType == .consumePassively)
        #expect(connection.messageModel == .clustering)
        #expect(connection.consumeFromWhere == .consumeFromLastOffset)

        let noProducer = try await harness.respond(AdminHarness.request(.getProducerConnectionList, ["producerGroup": "PG"]))
        #expect(noProducer.responseCode == .systemError)
        #expect(noProducer.remark == "the producer group[PG] not exist")
        _ = try harness.clients.process(
            .request(code: .heartBeat, body: HeartbeatData(clientID: "p1", producerDataSet: ["PG"], consumerDataSet: []).encoded()),
            context: RequestContext(connection: harness.connection))
        let producers = try await harness.respond(AdminHarness.request(.getProducerConnectionList, ["producerGroup": "PG"]))
        #expect(try ProducerConnection(body: producers.body).connectionSet.map(\.clientId) == ["p1"])
    }

    @Test func cloneGroupOffsetCopiesTheTopicsOffsets() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.updateTopic(TopicConfig(topicName: "T"))
        harness.metadata.withState {
            $0.offsets.commit(group: "SRC", topic: "T", queueId: 0, offset: 5)
            $0.offsets.commit(group: "SRC", topic: "T", queueId: 1, offset: 6)
        }
        func offsets(_ group: String) -> [Int64] {
            harness.metadata.withState { state in (0..<2).map { state.offsets.offset(group: group, topic: "T", queueId: $0) } }
        }
        // No topic: Java copies nothing.
        let none = try await harness.respond(AdminHarness.request(.cloneGroupOffset, ["srcGroup": "SRC", "destGroup": "DST", "offline": "false"]))
        #expect(none.responseCode == .success)
        #expect(offsets("DST") == [-1, -1])
        // Online and not subscribed to T: left alone unless offline.
        try harness.heartbeat(group: "SRC", topics: ["U"])
        let header = CloneGroupOffsetRequestHeader(srcGroup: "SRC", destGroup: "DST", topic: "T", offline: false)
        _ = try await harness.respond(AdminHarness.request(.cloneGroupOffset, header.extFields))
        #expect(offsets("DST") == [-1, -1])
        var offline = header
        offline.offline = true
        _ = try await harness.respond(AdminHarness.request(.cloneGroupOffset, offline.extFields))
        #expect(offsets("DST") == [5, 6])
        #expect(throws: HeaderError.missingField("destGroup")) {
            try harness.processor.process(AdminHarness.request(.cloneGroupOffset, ["srcGroup": "SRC"]), context: RequestContext(connection: harness.connection))
        }
    }

    @Test func allProducerInfoListsEveryProducerConnection() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let empty = try await harness.respond(AdminHarness.request(.getAllProducerInfo))
        #expect(empty.responseCode == .success)
        #expect(String(buffer: try #require(empty.body)) == "{\"data\":{}}")
        _ = try harness.clients.process(
            .request(code: .heartBeat, body: HeartbeatData(clientID: "p1", producerDataSet: ["PG"], consumerDataSet: []).encoded()),
            context: RequestContext(connection: harness.connection))
        let response = try await harness.respond(AdminHarness.request(.getAllProducerInfo))
        let table = try ProducerTableInfo(body: response.body)
        #expect(table.data.map(\.group) == ["PG"])
        let producer = try #require(table.data.first?.producers.first)
        #expect(producer.clientId == "p1")
        #expect(producer.remoteIP == "/192.0.2.2:50123")
        #expect(producer.language == .java)
        #expect(producer.lastUpdateTimestamp > 0)
    }

    @Test func brokerStatsDataDoNotExist() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let response = try await harness.respond(AdminHarness.request(.viewBrokerStatsData, ["statsName": "TOPIC_PUT_NUMS", "statsKey": "T"]))
        #expect(response.responseCode == .systemError)
        #expect(response.remark == "The stats <TOPIC_PUT_NUMS> <T> not exist")
    }

    /// A pull on the harness's store with its stats, as the broker wires PullMessageProcessor.
    static func pull(_ harness: AdminHarness, group: String = "CG", topic: String = "T", queueId: Int32 = 0, offset: Int64) async throws -> RemotingCommand {
        let holds = PullRequestHoldService(timerLoop: MultiThreadedEventLoopGroup.singleton.next())
        let processor = PullMessageProcessor(metadata: harness.metadata, store: harness.store, holds: holds, stats: harness.stats)
        let header = PullMessageRequestHeader(
            consumerGroup: group, topic: topic, queueId: queueId, queueOffset: offset, maxMsgNums: 32,
            sysFlag: PullSysFlag.subscription, commitOffset: 0, suspendTimeoutMillis: 0, subscription: "*", subVersion: 0)
        guard case .response(let response) = try processor.process(
            .request(code: .pullMessage, extFields: header.extFields), context: RequestContext(connection: harness.connection)) else {
            throw BodyError("pull held")
        }
        return response
    }

    @Test func pullsAreCountedAsJavasGetStatistics() async throws {
        let clock = SendBackAndScheduleTests.TestClock(now: 1_700_000_000_000)
        let harness = try await AdminHarness(clock: { clock.now })
        defer { harness.close() }
        harness.metadata.updateTopic(TopicConfig(topicName: "T", readQueueNums: 1, writeQueueNums: 1))
        try await harness.put(topic: "T", count: 3)
        clock.now += 12_000
        let found = try await Self.pull(harness, offset: 0)
        #expect(found.responseCode == .success)
        let miss = try await Self.pull(harness, offset: 3)
        #expect(miss.responseCode == .pullNotFound)
        clock.now += 8_000

        // Java StoreStatsService and BrokerStats: one read found 3 messages, one found none, in the last 10 s.
        let table = try KVTable(body: try await harness.respond(AdminHarness.request(.getBrokerRuntimeInfo)).body).table
        #expect(table["msgGetTotalTodayNow"] == "3")
        #expect(table["msgGetTotalTodayMorning"] == "0")
        #expect(table["getTransferedTps"] == "0.3  ")
        #expect(table["getFoundTps"] == "0.1  ")
        #expect(table["getMissTps"] == "0.1  ")
        #expect(table["getTotalTps"] == "0.2 0.0 0.0")

        // Java BrokerStatsManager items, sampled every 10 s from the start: the pull at 12 s is in the 20 s sample.
        let group = try await harness.respond(AdminHarness.request(.viewBrokerStatsData, ["statsName": "GROUP_GET_NUMS", "statsKey": "T@CG"]))
        #expect(group.responseCode == .success)
        let groupData = try BrokerStatsData(body: group.body)
        #expect(groupData.statsMinute == BrokerStatsItem(sum: 3, tps: 0.3, avgpt: 3.0))
        #expect(groupData.statsHour == BrokerStatsItem(sum: 0, tps: 0, avgpt: 0))
        #expect(groupData.statsDay == BrokerStatsItem(sum: 0, tps: 0, avgpt: 0))
        #expect(String(buffer: try #require(group.body))
            == "{\"statsDay\":{\"avgpt\":0.0,\"sum\":0,\"tps\":0.0},\"statsHour\":{\"avgpt\":0.0,\"sum\":0,\"tps\":0.0},"
            + "\"statsMinute\":{\"avgpt\":3.0,\"sum\":3,\"tps\":0.3}}")
        // The puts at the start: samples at 0 s (before them), 10 s and 20 s.
        let put = try BrokerStatsData(body: try await harness.respond(
            AdminHarness.request(.viewBrokerStatsData, ["statsName": "TOPIC_PUT_NUMS", "statsKey": "T"])).body)
        #expect(put.statsMinute == BrokerStatsItem(sum: 3, tps: 0.15, avgpt: 1.0))
        let size = try BrokerStatsData(body: try await harness.respond(
            AdminHarness.request(.viewBrokerStatsData, ["statsName": "GROUP_GET_SIZE", "statsKey": "T@CG"])).body)
        #expect(size.statsMinute.sum == Int64(try #require(found.body).readableBytes))
        // Broker-wide items are keyed by the cluster name; Java adds to their value only.
        let broker = try await harness.respond(AdminHarness.request(.viewBrokerStatsData, ["statsName": "BROKER_GET_NUMS", "statsKey": "DefaultCluster"]))
        #expect(try BrokerStatsData(body: broker.body).statsMinute == BrokerStatsItem(sum: 3, tps: 0.3, avgpt: 0))
        for (name, key) in [("BROKER_GET_NUMS", "OtherCluster"), ("GROUP_GET_NUMS", "T@Nobody"), ("SNDBCK_PUT_NUMS", "T@CG")] {
            let absent = try await harness.respond(AdminHarness.request(.viewBrokerStatsData, ["statsName": name, "statsKey": key]))
            #expect(absent.responseCode == .systemError)
            #expect(absent.remark == "The stats <\(name)> <\(key)> not exist")
        }

        // GET_CONSUME_STATS's consumeTps is Java's tpsGroupGetNums: the minute rate of GROUP_GET_NUMS.
        let consume = try await harness.respond(AdminHarness.request(.getConsumeStats, ["consumerGroup": "CG", "topic": "T"]))
        #expect(try ConsumeStats(body: consume.body).consumeTps == 0.3)
        // Six more samples with no pulls: the minute window no longer holds the pull.
        clock.now += 60_000
        #expect(try ConsumeStats(body: try await harness.respond(
            AdminHarness.request(.getConsumeStats, ["consumerGroup": "CG", "topic": "T"])).body).consumeTps == 0)
    }

    @Test func topicPutItemsCountRunsAndSwitchesOfTopics() {
        let clock = SendBackAndScheduleTests.TestClock(now: 1_000_000)
        let stats = BrokerStats(clock: { clock.now })
        stats.storeOpened(maxPhysicalOffset: 0)
        for topic in ["A", "A", "B", "A", "B", "B", "C"] { stats.messagePut(topic: topic) }
        clock.now += 10_000
        func minuteSum(_ topic: String) -> Int64? {
            stats.itemFigures(name: "TOPIC_PUT_NUMS", key: topic, clusterName: "DefaultCluster")?.minute.sum
        }
        #expect(minuteSum("A") == 3)
        #expect(minuteSum("B") == 3)
        #expect(minuteSum("C") == 1)
        #expect(minuteSum("D") == nil)
        // After reads (which rewrite the table) and a new topic, runs still count where they belong.
        for topic in ["A", "A", "D", "A"] { stats.messagePut(topic: topic) }
        clock.now += 10_000
        #expect(minuteSum("A") == 6)
        #expect(minuteSum("D") == 1)
        #expect(stats.itemFigures(name: "BROKER_PUT_NUMS", key: "DefaultCluster", clusterName: "DefaultCluster")?.minute.sum == 11)
    }

    @Test func statsItemsSampleAsJavasTimers() {
        var item = StatsItem(boot: 0, now: 5_000)
        #expect(item.figures(.minute, now: 9_999) == StatsItem.Figures())
        item.add(value: 4, times: 2, now: 9_999)
        // First sample at 10 s, after Java's zero sample one period earlier.
        #expect(item.figures(.minute, now: 10_000) == StatsItem.Figures(sum: 4, tps: 0.4, avgpt: 2))
        // Long idle: only the last 7 samples count, so the minute shows nothing; the hour's first sample (600 s).
        #expect(item.figures(.minute, now: 1_000_000) == StatsItem.Figures(sum: 0, tps: 0, avgpt: 0))
        #expect(item.figures(.hour, now: 1_000_000) == StatsItem.Figures(sum: 4, tps: 4.0 / 600, avgpt: 2))
        #expect(item.figures(.day, now: 3_600_000) == StatsItem.Figures(sum: 4, tps: 4.0 / 3600, avgpt: 2))
    }

    @Test func aclRequestsGetTheAnswersOfABrokerWithoutACL() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        for (code, fields, answer) in [
            (RequestCode.updateAndCreateAclConfig, ["accessKey": "RocketMQ", "secretKey": "12345678"] as ExtFields, ResponseCode.updateAndCreateAclConfigFailed),
            (.deleteAclConfig, ["accessKey": "RocketMQ"], .deleteAclConfigFailed),
            (.updateGlobalWhiteAddrsConfig, ["globalWhiteAddrs": "10.0.0.*", "aclFileFullPath": "/x/plain_acl.yml"], .updateGlobalWhiteAddrsConfigFailed),
        ] {
            let response = try await harness.respond(AdminHarness.request(code, fields))
            #expect(response.responseCode == answer)
            #expect(response.remark == nil)
        }
        // Java decodes the header first.
        #expect(throws: HeaderError.missingField("accessKey")) {
            try harness.processor.process(AdminHarness.request(.deleteAclConfig), context: RequestContext(connection: harness.connection))
        }
        #expect(throws: HeaderError.missingField("aclFileFullPath")) {
            try harness.processor.process(AdminHarness.request(.updateGlobalWhiteAddrsConfig, ["globalWhiteAddrs": "*"]),
                                          context: RequestContext(connection: harness.connection))
        }
        // Java's version query fails inside and answers nothing; the cluster ACL config (54) is not a 4.9.8 code.
        guard case .none = try harness.processor.process(AdminHarness.request(.getBrokerClusterAclInfo), context: RequestContext(connection: harness.connection)) else {
            Issue.record("GET_BROKER_CLUSTER_ACL_INFO answered")
            return
        }
        #expect(try await harness.respond(AdminHarness.request(.getBrokerClusterAclConfig)).responseCode == .requestCodeNotSupported)
    }

    // MARK: Queue views

    @Test func consumeTimeSpanGivesEachWriteQueuesTimes() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.updateTopic(TopicConfig(topicName: "T", readQueueNums: 2, writeQueueNums: 2))
        try await harness.put(topic: "T", queueId: 0, count: 3)
        harness.metadata.withState { $0.offsets.commit(group: "CG", topic: "T", queueId: 0, offset: 2) }
        let before = harness.metadata.clock()
        let response = try await harness.respond(AdminHarness.request(.queryConsumeTimeSpan, ["topic": "T", "group": "CG"]))
        #expect(response.responseCode == .success)
        #expect(response.remark == nil)
        let spans = try QueryConsumeTimeSpanBody(body: response.body).consumeTimeSpanSet
        #expect(spans.map(\.messageQueue) == [0, 1].map { MessageQueue(topic: "T", brokerName: "broker-a", queueId: $0) })
        let times = (0..<3).map { harness.store.getMessageStoreTimestamp(topic: "T", queueId: 0, consumeQueueOffset: $0) }
        #expect(spans[0].minTimeStamp == times[0])
        #expect(spans[0].maxTimeStamp == times[2])
        #expect(spans[0].consumeTimeStamp == times[1])
        #expect(spans[0].delayTime >= before - times[2])
        // An empty queue the group never consumed: Java's -1 times, and the delay measured from time -1.
        #expect(spans[1].minTimeStamp == -1)
        #expect(spans[1].maxTimeStamp == -1)
        #expect(spans[1].consumeTimeStamp == -1)
        #expect(spans[1].delayTime > before)
        // fastjson also writes the formatted getters.
        let text = String(buffer: try #require(response.body))
        #expect(text.contains("\"minTimeStampStr\":\"\(QueueTimeSpan.formatDate(times[0]))\""))
        #expect(QueueTimeSpan.formatDate(times[0]).count == "2023-11-14#22:13:20:000".count)

        let unknown = try await harness.respond(AdminHarness.request(.queryConsumeTimeSpan, ["topic": "Nope", "group": "CG"]))
        #expect(unknown.responseCode == .topicNotExist)
        #expect(unknown.remark == "topic[Nope] not exist")
        #expect(throws: HeaderError.missingField("group")) {
            try harness.processor.process(AdminHarness.request(.queryConsumeTimeSpan, ["topic": "T"]), context: RequestContext(connection: harness.connection))
        }
    }

    @Test func correctionOffsetIsTheLowestOffsetOutsideTheFilterGroups() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.withState {
            $0.offsets.commit(group: "G1", topic: "T", queueId: 0, offset: 2)
            $0.offsets.commit(group: "G1", topic: "T", queueId: 1, offset: 5)
            $0.offsets.commit(group: "G2", topic: "T", queueId: 0, offset: 1)
            $0.offsets.commit(group: "G2", topic: "Other", queueId: 2, offset: 9)
            $0.offsets.commit(group: "C", topic: "T", queueId: 1, offset: 4)
        }
        let request = AdminHarness.request(.queryCorrectionOffset, ["topic": "T", "compareGroup": "C", "filterGroups": "G2,X"])
        let response = try await harness.respond(request)
        #expect(response.responseCode == .success)
        #expect(String(buffer: try #require(response.body)) == "{\"correctionOffsets\":{0:2,1:4}}")
        // Without filter groups every group counts; the filter groups' offsets are still there (Java drops them).
        let all = try await harness.respond(AdminHarness.request(.queryCorrectionOffset, ["topic": "T", "compareGroup": "C"]))
        #expect(try QueryCorrectionOffsetBody(body: all.body) == QueryCorrectionOffsetBody(correctionOffsets: [(0, 1), (1, 4)]))
        #expect(harness.metadata.withState { $0.offsets.offset(group: "G2", topic: "T", queueId: 0) } == 1)
        #expect(throws: HeaderError.missingField("compareGroup")) {
            try harness.processor.process(AdminHarness.request(.queryCorrectionOffset, ["topic": "T"]), context: RequestContext(connection: harness.connection))
        }
    }

    @Test func consumeQueueUnitsAsMqadminQueryCqShowsThem() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        harness.metadata.updateTopic(TopicConfig(topicName: "T", readQueueNums: 2, writeQueueNums: 2))
        try await harness.put(topic: "T", queueId: 0, count: 3)
        let response = try await harness.respond(AdminHarness.request(.queryConsumeQueue, ["topic": "T", "queueId": "0", "index": "1", "count": "5"]))
        #expect(response.responseCode == .success)
        let body = try QueryConsumeQueueResponseBody(body: response.body)
        #expect(body.maxQueueIndex == 3)
        #expect(body.minQueueIndex == 0)
        #expect(body.subscriptionData == nil)
        #expect(body.filterData == nil)
        let units = harness.store.consumeQueueEntries(topic: "T", queueId: 0, from: 1, maxCount: 5)
        #expect(units.count == 2)
        #expect(body.queueData == units.map { ConsumeQueueData(physicOffset: $0.physicalOffset, physicSize: $0.size, tagsCode: $0.tagsCode) })
        #expect(String(buffer: try #require(response.body)).contains("{\"eval\":false,\"physicOffset\":\(units[0].physicalOffset),"))

        // A named group: offline, then online with a tag subscription (no SQL92 filter data: fastjson's "null").
        let offline = try QueryConsumeQueueResponseBody(body: try await harness.respond(AdminHarness.request(
            .queryConsumeQueue, ["topic": "T", "queueId": "0", "index": "0", "count": "1", "consumerGroup": "CG"])).body)
        #expect(offline.filterData == "CG@T is not online!")
        #expect(offline.queueData?.count == 1)
        try harness.heartbeat(group: "CG", topics: ["T"])
        let online = try QueryConsumeQueueResponseBody(body: try await harness.respond(AdminHarness.request(
            .queryConsumeQueue, ["topic": "T", "queueId": "0", "index": "0", "count": "1", "consumerGroup": "CG"])).body)
        #expect(online.subscriptionData?.topic == "T")
        #expect(online.filterData == "null")

        // Past the end: SUCCESS with Java's remark and no body; a queue the broker does not have: SYSTEM_ERROR.
        let past = try await harness.respond(AdminHarness.request(.queryConsumeQueue, ["topic": "T", "queueId": "0", "index": "3", "count": "1"]))
        #expect(past.responseCode == .success)
        #expect(past.remark == "Index 3 of 0@T is not exist!")
        #expect(past.body == nil)
        let empty = try await harness.respond(AdminHarness.request(.queryConsumeQueue, ["topic": "T", "queueId": "1", "index": "0", "count": "1"]))
        #expect(empty.remark == "Index 0 of 1@T is not exist!")
        let unknown = try await harness.respond(AdminHarness.request(.queryConsumeQueue, ["topic": "Nope", "queueId": "0", "index": "0", "count": "1"]))
        #expect(unknown.responseCode == .systemError)
        #expect(unknown.remark == "0@Nope is not exist!")
    }

    // MARK: Config and runtime info

    @Test func getBrokerConfigListsEverySettingWithItsVersion() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let response = try await harness.respond(AdminHarness.request(.getBrokerConfig))
        #expect(response.responseCode == .success)
        let version = try DataVersion(body: ByteBuffer(string: try #require(response.extFields?["version"])))
        #expect(version.counter == 0)
        let lines = String(buffer: try #require(response.body)).split(separator: "\n")
        let keys = Set(lines.map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        // Java's keys (its 178 include thread pools and Netty settings we do not have); ours are among them but
        // checkTransactionMessageEnable, which 4.9.8 ignores and we honour, and the 5.x retention keys.
        let java = try #require(Fixtures.frame("09-mqadmin-getBrokerConfig", "0004-s2c-broker-response.bin")).command()
        let javaKeys = Set(String(buffer: try #require(java.body)).split(separator: "\n").map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        #expect(keys.subtracting(javaKeys) == BrokerKeys.beyondJava)
        #expect(keys.isSuperset(of: ["brokerName", "brokerClusterName", "brokerPermission", "listenPort", "storePathRootDir",
                                     "flushDiskType", "brokerRole", "messageDelayLevel", "mappedFileSizeCommitLog", "configBlackList"]))
        #expect(lines.contains("brokerName=broker-a"))
        #expect(Set(java.extFields?.map(\.name) ?? []) == ["version"])
    }

    @Test func updateBrokerConfigAppliesPersistsAndRefusesTheBlackList() async throws {
        let harness = try await AdminHarness(registers: true)
        defer { harness.close() }
        for key in ["brokerConfigPath", "rocketmqHome", "configBlackList"] {
            let refused = try await harness.respond(AdminHarness.request(.updateBrokerConfig, body: ByteBuffer(string: "\(key)=/x\n")))
            #expect(refused.responseCode == .noPermission)
            #expect(refused.remark == "Can not update config in black list.")
        }
        #expect(harness.configuration.dataVersion.counter == 0)
        let topicsVersion = harness.metadata.topicsVersion

        let body = "brokerPermission=4\nautoCreateTopicEnable=false\nfileReservedTime=12\nnoSuchKey=1\ndefaultTopicQueueNums=x\n"
        let response = try await harness.respond(AdminHarness.request(.updateBrokerConfig, body: ByteBuffer(string: body)))
        #expect(response.responseCode == .success)
        #expect(response.remark == nil)
        let config = harness.metadata.config
        #expect(config.brokerPermission == 4)
        #expect(config.autoCreateTopicEnable == false)
        #expect(config.defaultTopicQueueNums == 8)
        // brokerPermission: a new topic version, registered before the answer.
        #expect(harness.metadata.topicsVersion.counter == topicsVersion.counter + 1)
        #expect(harness.registrations.withLockedValue { $0 } == 1)

        let shown = String(buffer: try #require(try await harness.respond(AdminHarness.request(.getBrokerConfig)).body))
        #expect(shown.contains("brokerPermission=4\n"))
        #expect(shown.contains("fileReservedTime=12\n"))
        #expect(!shown.contains("noSuchKey"))
        #expect(harness.configuration.dataVersion.counter == 1)
        harness.configuration.flush()
        let persisted = try String(contentsOfFile: harness.directory + "/config/broker.properties", encoding: .utf8)
        #expect(persisted == shown)

        // No body: nothing to do.
        #expect(try await harness.respond(AdminHarness.request(.updateBrokerConfig)).responseCode == .success)
        // A custom black list.
        let strict = try await AdminHarness(configure: { $0.configBlackList = "brokerName;listenPort" })
        defer { strict.close() }
        #expect(try await strict.respond(AdminHarness.request(.updateBrokerConfig, body: ByteBuffer(string: "listenPort=1"))).responseCode == .noPermission)
        #expect(try await strict.respond(AdminHarness.request(.updateBrokerConfig, body: ByteBuffer(string: "rocketmqHome=/x"))).responseCode == .noPermission)
    }

    @Test func runtimeInfoHasJavasKeys() async throws {
        let clock = SendBackAndScheduleTests.TestClock(now: SystemClock.currentTimeMillis())
        let harness = try await AdminHarness(clock: { clock.now }, delayOffsets: DelayOffsetSerializeWrapper(offsetTable: [(3, 0)]))
        defer { harness.close() }
        // Younger than the shortest rate window: Java's empty rates.
        let young = try KVTable(body: try await harness.respond(AdminHarness.request(.getBrokerRuntimeInfo)).body).table
        #expect(young["putTps"] == "  ")
        #expect(young["getTransferedTps"] == "  ")
        #expect(young["getTotalTps"] == "0.0 0.0 0.0")
        #expect(young["putMessageTimesTotal"] == "1")
        clock.now += 5_000
        try await harness.put(topic: "T", count: 3)
        clock.now += 6_000
        let response = try await harness.respond(AdminHarness.request(.getBrokerRuntimeInfo))
        #expect(response.responseCode == .success)
        #expect(response.extFields == nil)
        let table = try KVTable(body: response.body).table
        let java = try KVTable(body: try #require(Fixtures.frame("09-mqadmin-brokerStatus", "0004-s2c-broker-response.bin")).command().body).table
        func normalised(_ keys: some Sequence<String>) -> Set<String> {
            Set(keys.map { $0.hasPrefix("commitLogDiskRatio_") ? "commitLogDiskRatio_<path>" : $0 })
        }
        #expect(normalised(table.keys) == normalised(java.keys))
        #expect(table["commitLogDiskRatio_\(harness.store.config.storePathCommitLog)"] != nil)
        #expect(table["brokerVersionDesc"] == "V4_9_8")
        #expect(table["brokerVersion"] == "409")
        #expect(table["msgPutTotalTodayNow"] == "3")
        #expect(table["putMessageTimesTotal"] == "3")
        #expect(table["putMessageSizeTotal"] == String(harness.store.maxPhysicalOffset))
        #expect(table["commitLogMaxOffset"] == String(harness.store.maxPhysicalOffset))
        #expect(table["commitLogMinOffset"] == "0")
        #expect(table["scheduleMessageOffset_3"] == "0,0")
        #expect(table["remainTransientStoreBufferNumbs"] == "2147483647")
        #expect(table["runtime"] == "[ 0 days, 0 hours, 0 minutes, 11 seconds ]")
        #expect(table["putTps"] == "0.3  ")
        #expect(table["getTransferedTps"] == "0.0  ")
        #expect(table["putMessageDistributeTime"] == "null")
        #expect(table["commitLogDirCapacity"]?.hasPrefix("Total : ") == true)
        #expect(table["earliestMessageTimeStamp"].flatMap { Int64($0) }.map { $0 > 0 } == true)
        // mqadmin clusterList parses these as numbers.
        for key in ["msgPutTotalYesterdayMorning", "msgPutTotalTodayMorning", "msgGetTotalYesterdayMorning", "msgGetTotalTodayMorning",
                    "msgGetTotalTodayNow"] {
            #expect(table[key].flatMap { Int64($0) } != nil, "\(key)")
        }
        for key in ["getTransferedTps", "commitLogDiskRatio"] {
            #expect(table[key]?.split(separator: " ").first.flatMap { Double($0) } != nil, "\(key)")
        }
    }

    @Test func statsCountPutsByDayAndRate() {
        final class Clock: Sendable {
            let now = NIOLockedValueBox<Int64>(1_000_000)
        }
        let clock = Clock()
        // Midnights every 100 s of this clock.
        let stats = BrokerStats(clock: { clock.now.withLockedValue { $0 } }, midnightAfter: { ($0 / 100_000 + 1) * 100_000 })
        stats.messagePut(topic: "T")
        #expect(stats.snapshot.putTotal == 0)
        stats.storeOpened(maxPhysicalOffset: 42)
        #expect(stats.bootPhysicalOffset == 42)
        for _ in 0..<5 { stats.messagePut(topic: "T") }
        clock.now.withLockedValue { $0 += 30_000 }
        for _ in 0..<10 { stats.messagePut(topic: "T") }
        var snapshot = stats.snapshot
        #expect(snapshot.putTotal == 15)
        // 10 s window: the 10 puts happened at the window's start (30 s after boot); 60 s: not old enough.
        #expect(snapshot.putTps[0] == 1.0)
        #expect(snapshot.putTps[1] == nil)
        clock.now.withLockedValue { $0 += 35_000 }
        snapshot = stats.snapshot
        #expect(snapshot.putTps[0] == 0.0)
        // 60 s window (5 s…65 s after boot): the 10 puts at 30 s.
        #expect(snapshot.putTps[1] == 10.0 / 60.0)
        // A midnight passed (at 1_100_000): today's morning total is 15.
        clock.now.withLockedValue { $0 += 40_000 }
        snapshot = stats.snapshot
        #expect(snapshot.todayMorning == 15)
        #expect(snapshot.yesterdayMorning == 0)
        stats.messagePut(topic: "T")
        stats.messagesGot(group: "CG", topic: "T", found: true, count: 4, size: 400)
        clock.now.withLockedValue { $0 += 100_000 }
        snapshot = stats.snapshot
        #expect(snapshot.yesterdayMorning == 15)
        #expect(snapshot.todayMorning == 16)
        #expect(snapshot.getYesterdayMorning == 0)
        #expect(snapshot.getTodayMorning == 4)
        #expect(snapshot.getTotal == 4)
    }

    // MARK: Calls to consumers

    @Test func consumerRunningInfoIsRelayedToTheClient() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let header = GetConsumerRunningInfoRequestHeader(consumerGroup: "CG", clientId: "192.0.2.2@1", jstackEnable: false)
        let offline = try await harness.respond(AdminHarness.request(.getConsumerRunningInfo, header.extFields))
        #expect(offline.responseCode == .systemError)
        #expect(offline.remark == "The Consumer <CG> <192.0.2.2@1> not online")

        try harness.heartbeat(group: "CG", topics: ["T"])
        guard case .future(let future) = try harness.processor.process(
            AdminHarness.request(.getConsumerRunningInfo, header.extFields), context: RequestContext(connection: harness.connection)) else {
            Issue.record("not relayed")
            return
        }
        let call = try await harness.nextCallToClient()
        #expect(call.command.requestCode == .getConsumerRunningInfo)
        #expect(call.command.extFields == header.extFields)
        #expect(call.response != nil)
        call.response?.succeed(RemotingCommand(code: 0, remark: nil, body: ByteBuffer(string: "{\"properties\":{}}")))
        let answer = try #require(try await future.get())
        #expect(answer.responseCode == .success)
        #expect(answer.body.map { String(buffer: $0) } == "{\"properties\":{}}")
        #expect(answer.isResponse)

        // A client too old to answer.
        let (oldChannel, oldConnection) = try await Self.secondConnection()
        _ = oldChannel
        try harness.heartbeat(group: "OLD", topics: ["T"], clientId: "old", version: 40, on: oldConnection)
        let old = try await harness.respond(AdminHarness.request(.getConsumerRunningInfo, ["consumerGroup": "OLD", "clientId": "old"]))
        #expect(old.responseCode == .systemError)
        #expect(old.remark == "The Consumer <old> Version <V3_0_13_SNAPSHOT> too low to finish, please upgrade it to V3_1_8_SNAPSHOT")
    }

    static func secondConnection() async throws -> (NIOAsyncTestingChannel, RemotingConnection) {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "192.0.2.3", port: 50124))
        return (channel, RemotingConnection(channel: channel))
    }

    @Test func consumeMessageDirectlySendsTheStoredMessage() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        try await harness.put(topic: "T", count: 1)
        try harness.heartbeat(group: "CG", topics: ["T"])
        let msgId = MessageId.offsetMsgId(storeHost: MessageHost(ipv4: 127, 0, 0, 1, port: 10911), physicalOffset: 0)
        let header = ConsumeMessageDirectlyResultRequestHeader(consumerGroup: "CG", clientId: "192.0.2.2@1", msgId: msgId)
        guard case .future(let future) = try harness.processor.process(
            AdminHarness.request(.consumeMessageDirectly, header.extFields), context: RequestContext(connection: harness.connection)) else {
            Issue.record("not relayed")
            return
        }
        let call = try await harness.nextCallToClient()
        #expect(call.command.requestCode == .consumeMessageDirectly)
        #expect(call.command.extFields?["brokerName"] == "broker-a")
        var body = try #require(call.command.body)
        #expect(try StoredMessage.decode(from: &body).topic == "T")
        call.response?.succeed(RemotingCommand(code: 0, body: ByteBuffer(string: "{\"consumeResult\":\"CR_SUCCESS\"}")))
        #expect(try await future.get()?.responseCode == .success)
    }

    @Test func resetOffsetTellsEveryMemberAndAnswersTheTable() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let missing = try await harness.respond(AdminHarness.request(
            .invokeBrokerToResetOffset, ResetOffsetRequestHeader(topic: "Nope", group: "CG", timestamp: -1, isForce: true).extFields))
        #expect(missing.responseCode == .systemError)
        #expect(missing.remark == "[reset-offset] reset offset failed, no topic in this broker. topic=Nope")

        harness.metadata.updateTopic(TopicConfig(topicName: "T", readQueueNums: 2, writeQueueNums: 2))
        try await harness.put(topic: "T", queueId: 0, count: 4)
        let reset = ResetOffsetRequestHeader(topic: "T", group: "CG", timestamp: -1, isForce: true)
        let noGroup = try await harness.respond(AdminHarness.request(.invokeBrokerToResetOffset, reset.extFields))
        #expect(noGroup.responseCode == .systemError)
        #expect(noGroup.remark == "THe consumer group <CG> not exist")

        harness.metadata.withState {
            $0.offsets.commit(group: "CG", topic: "T", queueId: 0, offset: 1)
            $0.offsets.commit(group: "CG", topic: "T", queueId: 1, offset: 0)
        }
        let offline = try await harness.respond(AdminHarness.request(.invokeBrokerToResetOffset, reset.extFields))
        #expect(offline.responseCode == .consumerNotOnline)
        #expect(offline.remark == "Consumer not online, so can not reset offset, Group: CG Topic: T Timestamp: -1")

        try harness.heartbeat(group: "CG", topics: ["T"])
        let response = try await harness.respond(AdminHarness.request(.invokeBrokerToResetOffset, reset.extFields))
        #expect(response.responseCode == .success)
        #expect(response.remark == "not set any response code")
        let table = try ResetOffsetBody(body: response.body).offsetTable
        #expect(table.map(\.offset) == [4, 0])
        let call = try await harness.nextCallToClient()
        #expect(call.command.requestCode == .resetConsumerClientOffset)
        #expect(call.command.isOneway)
        #expect(call.response == nil)
        #expect(call.command.extFields == ["topic": "T", "group": "CG", "timestamp": "-1", "isForce": "false"])
        #expect(try ResetOffsetBody(body: call.command.body).offsetTable.map(\.offset) == [4, 0])
        #expect(String(buffer: try #require(call.command.body)).hasPrefix("{\"offsetTable\":{{"))

        // Not forced: a committed offset below the target stays. Asked by a C++ tool: the list form.
        let gentle = ResetOffsetRequestHeader(topic: "T", group: "CG", timestamp: -1, isForce: false)
        let kept = try await harness.respond(AdminHarness.request(.invokeBrokerToResetOffset, gentle.extFields, language: .cpp))
        #expect(try ResetOffsetBody(body: kept.body).offsetTable.map(\.offset) == [1, 0])
        let cppCall = try await harness.nextCallToClient()
        #expect(String(buffer: try #require(cppCall.command.body)).hasPrefix("{\"offsetTable\":[{"))
        #expect(try ResetOffsetBody(body: cppCall.command.body).offsetTable.map(\.offset) == [1, 0])
    }

    @Test func consumerStatusCollectsEachMembersOffsets() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let header = GetConsumerStatusRequestHeader(topic: "T", group: "CG")
        let offline = try await harness.respond(AdminHarness.request(.invokeBrokerToGetConsumerStatus, header.extFields))
        #expect(offline.responseCode == .systemError)
        #expect(offline.remark == "No Any Consumer online in the consumer group: [CG]")

        try harness.heartbeat(group: "CG", topics: ["T"])
        guard case .future(let future) = try harness.processor.process(
            AdminHarness.request(.invokeBrokerToGetConsumerStatus, header.extFields), context: RequestContext(connection: harness.connection)) else {
            Issue.record("no call")
            return
        }
        let call = try await harness.nextCallToClient()
        #expect(call.command.requestCode == .getConsumerStatusFromClient)
        #expect(call.command.extFields == ["topic": "T", "group": "CG"])
        let queue = MessageQueue(topic: "T", brokerName: "broker-a", queueId: 0)
        call.response?.succeed(RemotingCommand(code: 0, body: GetConsumerStatusBody(messageQueueTable: [(queue, 7)]).encoded()))
        let answer = try #require(try await future.get())
        #expect(answer.responseCode == .success)
        #expect(answer.remark == "not set any response code")
        let status = try GetConsumerStatusBody(body: answer.body)
        #expect(status.consumerTable.count == 1)
        #expect(status.consumerTable.first?.clientId == "192.0.2.2@1")
        #expect(status.consumerTable.first?.offsets.first?.offset == 7)
    }

    @Test func locksStillWork() async throws {
        let harness = try await AdminHarness()
        defer { harness.close() }
        let queue = MessageQueue(topic: "T", brokerName: "broker-a", queueId: 0)
        let body = LockBatchRequestBody(consumerGroup: "G", clientId: "A", mqSet: [queue])
        let locked = try await harness.respond(AdminHarness.request(.lockBatchMQ, body: body.encoded()))
        #expect(try LockBatchResponseBody(body: locked.body).lockOKMQSet == [queue])
        #expect(try await harness.respond(AdminHarness.request(.unlockBatchMQ, body: body.encoded())).responseCode == .success)
    }
}

/// Keys our GET_BROKER_CONFIG lists that Java 4.9.8's does not: one it ignores and we honour, and the
/// retention settings 4.9.8 reads from system properties and 5.x from the config.
enum BrokerKeys {
    static let beyondJava: Set<String> = [
        "checkTransactionMessageEnable", "diskSpaceWarningLevelRatio", "diskSpaceCleanForciblyRatio", "deleteFileBatchMax",
    ]
}
