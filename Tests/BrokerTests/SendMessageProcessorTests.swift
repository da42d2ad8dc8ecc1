import Broker
import FixtureSupport
import Foundation
import Logging
@testable import MessageStore
import NIOCore
import NIOEmbedded
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// SEND_MESSAGE / V2 / BATCH against a real store in a temporary directory (no sockets).
@Suite struct SendMessageProcessorTests {
    final class Harness: Sendable {
        let directory: String
        let store: LocalFileMessageStore
        let metadata: BrokerMetadata
        let processor: SendMessageProcessor
        let connection: RemotingConnection

        let logger: Logger

        init(holds: PullRequestHoldService? = nil, delays: String? = nil, configure: (inout BrokerConfig) -> Void = { _ in }) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("send-\(UUID().uuidString)").path
            var storeConfig = MessageStoreConfig(storePathRootDir: directory)
            storeConfig.mappedFileSizeCommitLog = 1024 * 1024
            storeConfig.mappedFileSizeConsumeQueueSetting = 6000
            storeConfig.maxHashSlotNum = 1000
            storeConfig.maxIndexNum = 4000
            if let delays { storeConfig.messageDelayLevel = delays }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            self.logger = logger
            var arriving: (@Sendable (MessageArrival) -> Void)?
            if let holds {
                arriving = { arrival in holds.messageArrived(topic: arrival.topic, queueId: arrival.queueId, maxOffset: arrival.logicOffset) }
            }
            store = try LocalFileMessageStore(config: storeConfig, logger: logger, messageArriving: arriving)
            try store.start()
            var config = BrokerConfig()
            configure(&config)
            metadata = BrokerMetadata(config: config)
            processor = SendMessageProcessor(metadata: metadata, store: store, logger: logger)
            let channel = NIOAsyncTestingChannel()
            try await channel.connect(to: SocketAddress(ipAddress: "192.0.2.2", port: 50123))
            connection = RemotingConnection(channel: channel)
        }

        func send(_ request: RemotingCommand) async throws -> RemotingCommand {
            switch try processor.process(request, context: RequestContext(connection: connection)) {
            case .response(let response): return response
            case .future(let future): return try #require(try await future.get())
            case .none: throw BodyError("no response")
            }
        }

        func close() {
            store.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test(arguments: ["02-sync-producer-json", "02b-sync-producer-rocketmq"])
    func javaSendsGetJavasAnswers(_ scenario: String) async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let sends = Fixtures.frames.filter { $0.scenario == scenario && $0.codeName == "SEND_MESSAGE_V2" }
        #expect(sends.count == 10)
        for frame in sends {
            let response = try await harness.send(try frame.command())
            let captured = try #require(Fixtures.frames.first { $0.scenario == scenario && $0.seq == frame.meta["response_seq"]?.intValue }).command()
            #expect(response.code == captured.code, "\(frame)")
            #expect(response.remark == captured.remark)
            let ours = try #require(response.extFields)
            let java = try #require(captured.extFields)
            #expect(Set(ours.map(\.name)) == Set(java.map(\.name)))
            // The queue and its offset match: the topic was new in the capture too. The msgId holds
            // the commit-log offset, which differs; its host part does not.
            for name in ["queueId", "queueOffset", "MSG_REGION", "TRACE_ON"] { #expect(ours[name] == java[name], "\(name)") }
            #expect(ours["msgId"]?.count == 32)
            #expect(ours["msgId"]?.prefix(16) == java["msgId"]?.prefix(16))
        }
        // What was stored: CLUSTER added, WAIT dropped, the rest as sent.
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        var stored: [StoredMessage] = []
        for queueId in Int32(0)..<4 {
            let result = harness.store.getMessage(group: "G", topic: "FixtureTopic\(scenario.contains("rocketmq") ? "Bin2" : "Json2")", queueId: queueId, offset: 0, maxMsgNums: 32)
            stored += try StoredMessage.decodeAll(result.body)
        }
        #expect(stored.count == 10)
        for message in stored {
            let properties = message.properties
            #expect(properties[MessageConst.cluster] == "DefaultCluster")
            #expect(properties[MessageConst.waitStoreMsgOK] == nil)
            #expect(properties.tags != nil)
            #expect(properties.uniqueKey?.count == 32)
            #expect(message.bornHost.description == "192.0.2.2:50123")
            #expect(message.storeHost.description == "127.0.0.1:10911")
        }
    }

    @Test func cppSendMessageV1IsStored() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let sends = Fixtures.frames.filter { $0.scenario == "10-python-cpp-client" && $0.codeName == "SEND_MESSAGE" }
        #expect(!sends.isEmpty)
        for frame in sends {
            let response = try await harness.send(try frame.command())
            #expect(response.responseCode == .success)
            #expect(response.extFields?["queueOffset"] != nil)
            #expect(response.serializeType == .json)
        }
    }

    @Test func batchesGetConsecutiveOffsetsAndCommaJoinedIds() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let batch = try #require(Fixtures.frame("04-big-body-and-batch", "0012-c2s-broker-SEND_BATCH_MESSAGE.bin")).command()
        let response = try await harness.send(batch)
        #expect(response.responseCode == .success)
        #expect(response.extFields?["msgId"]?.split(separator: ",").count == 5)
        #expect(response.extFields?["queueOffset"] == "0")
        let again = try await harness.send(batch)
        #expect(again.extFields?["queueOffset"] == "5")
    }

    static func send(topic: String, queueId: Int32 = 0, defaultTopic: String = "TBW102", body: ByteBuffer = ByteBuffer(string: "x"),
                     properties: String? = "TAGS\u{1}T", bornTimestamp: Int64 = 1) -> RemotingCommand {
        let header = SendMessageRequestHeader(producerGroup: "PG", topic: topic, defaultTopic: defaultTopic, queueId: queueId,
                                              bornTimestamp: bornTimestamp, properties: properties)
        return .request(code: .sendMessageV2, extFields: header.v2ExtFields, body: body)
    }

    @Test func badSendsGetJavasCodesAndStoreNothing() async throws {
        let harness = try await Harness { $0.autoCreateTopicEnable = false }
        defer { harness.close() }
        let before = harness.store.maxPhysicalOffset
        let illegalName = try await harness.send(Self.send(topic: "bad topic!"))
        #expect(illegalName.responseCode == .systemError)
        let forbidden = try await harness.send(Self.send(topic: "SCHEDULE_TOPIC_XXXX"))
        #expect(forbidden.responseCode == .noPermission)
        let missing = try await harness.send(Self.send(topic: "NoSuchTopic"))
        #expect(missing.responseCode == .topicNotExist)
        #expect(missing.remark?.hasPrefix("topic[NoSuchTopic] not exist, apply first please!") == true)
        let selfTest = try await harness.send(Self.send(topic: "SELF_TEST_TOPIC"))
        #expect(selfTest.responseCode == .noPermission)
        // The broker-named topic (1 queue) takes sends.
        let badQueue = try await harness.send(Self.send(topic: "broker-a", queueId: 5))
        #expect(badQueue.responseCode == .systemError)
        #expect(badQueue.remark?.hasPrefix("request queueId[5] is illegal") == true)
        let tooBig = try await harness.send(Self.send(topic: "broker-a", body: ByteBuffer(repeating: 1, count: 4 * 1024 * 1024 + 1)))
        #expect(tooBig.responseCode == .messageIllegal)
        let longProperties = try await harness.send(Self.send(topic: "broker-a", properties: "k\u{1}" + String(repeating: "v", count: 40_000)))
        #expect(longProperties.responseCode == .messageIllegal)
        #expect(throws: HeaderError.missingField("b")) {
            try harness.processor.process(.request(code: .sendMessageV2, extFields: ["a": "PG"]), context: RequestContext(connection: harness.connection))
        }
        #expect(harness.store.maxPhysicalOffset == before)
        let ok = try await harness.send(Self.send(topic: "broker-a", queueId: -1))
        #expect(ok.responseCode == .success)
        #expect(ok.extFields?["queueId"] == "0")
    }

    @Test func aStalledCommitLogIsAnsweredSystemBusy() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        // An append that has held the commit log for 2 s (Java's limit is 1 s).
        harness.store.commitLog.beginTimeInLock.store(SystemClock.currentTimeMillis() - 2000, ordering: .relaxed)
        let busy = try await harness.send(Self.send(topic: "broker-a"))
        #expect(busy.responseCode == .systemBusy)
        #expect(busy.remark == "[REJECTREQUEST]system busy, start flow control for a while")
        #expect(harness.store.maxPhysicalOffset == 0)
        harness.store.commitLog.beginTimeInLock.store(0, ordering: .relaxed)
        #expect(try await harness.send(Self.send(topic: "broker-a")).responseCode == .success)
    }

    @Test func exhaustedRetriesGoToTheDeadLetterTopic() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        var header = SendMessageRequestHeader(producerGroup: "PG", topic: "%RETRY%G", queueId: 0, bornTimestamp: 1,
                                              properties: "DELAY\u{1}3", reconsumeTimes: 16, maxReconsumeTimes: 16)
        let dead = try await harness.send(.request(code: .sendMessageV2, extFields: header.v2ExtFields, body: ByteBuffer(string: "x")))
        #expect(dead.responseCode == .success)
        #expect(harness.metadata.withState { $0.topics["%DLQ%G"] } != nil)
        header.reconsumeTimes = 1
        let retry = try await harness.send(.request(code: .sendMessageV2, extFields: header.v2ExtFields, body: ByteBuffer(string: "y")))
        #expect(retry.responseCode == .success)
        // As in Java, a send auto-creates a missing retry topic from TBW102 (min(4, 8) queues);
        // heartbeats normally create it first, with the group's one retry queue.
        #expect(harness.metadata.withState { $0.topics["%RETRY%G"]?.writeQueueNums } == 4)
    }
}
