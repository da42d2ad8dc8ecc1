@testable import Broker
import Foundation
import Logging
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// CONSUMER_SEND_MSG_BACK into the retry topic and the DLQ, and the delay service that brings retried and
/// delayed messages back to their real topic.
@Suite struct SendBackAndScheduleTests {
    static func sendBack(offset: Int64, group: String = "CG", delayLevel: Int32 = 0, maxReconsumeTimes: Int32? = nil) -> RemotingCommand {
        let header = ConsumerSendMsgBackRequestHeader(
            offset: offset, group: group, delayLevel: delayLevel, originMsgId: nil, originTopic: "T", unitMode: false,
            maxReconsumeTimes: maxReconsumeTimes)
        return .request(code: .consumerSendMsgBack, extFields: header.extFields)
    }

    /// Stores one message on topic `T` and returns it as stored.
    static func storeOne(_ harness: SendMessageProcessorTests.Harness) async throws -> StoredMessage {
        let sent = try await harness.send(SendMessageProcessorTests.send(topic: "T", properties: "TAGS\u{1}A\u{2}UNIQ_KEY\u{1}U1\u{2}"))
        #expect(sent.responseCode == .success)
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        return try #require(harness.store.lookMessage(byPhysicalOffset: 0))
    }

    /// The newest message of a topic's queue 0, as stored.
    static func last(_ harness: SendMessageProcessorTests.Harness, topic: String, queueId: Int32 = 0) async throws -> StoredMessage {
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        let max = harness.store.getMaxOffsetInQueue(topic: topic, queueId: queueId)
        let entry = try #require(harness.store.consumeQueueEntries(topic: topic, queueId: queueId, from: max - 1, maxCount: 1).first)
        return try #require(harness.store.lookMessage(byPhysicalOffset: entry.physicalOffset))
    }

    @Test func failedMessagesGoToRetryWithGrowingDelayThenToTheDLQ() async throws {
        let harness = try await Harness.make()
        defer { harness.close() }
        let original = try await Self.storeOne(harness)

        // First failure: %RETRY%CG through SCHEDULE_TOPIC_XXXX level 3 (queue 2), reconsume times 1.
        #expect(try await harness.send(Self.sendBack(offset: original.physicalOffset)).responseCode == .success)
        let parked = try await Self.last(harness, topic: TopicValidator.scheduleTopic, queueId: 2)
        let properties = parked.properties
        #expect(properties[MessageConst.realTopic] == "%RETRY%CG")
        #expect(properties[MessageConst.retryTopic] == "T")
        #expect(properties[MessageConst.originMessageId] == original.offsetMsgId)
        #expect(properties[MessageConst.delayTimeLevel] == "3")
        #expect(properties.uniqueKey == "U1")
        #expect(parked.reconsumeTimes == 1)
        #expect(parked.body == original.body)
        #expect(harness.metadata.withState { $0.topics["%RETRY%CG"]?.perm } == PermName.readWrite.rawValue)

        // The retried copy failing again at the limit (maxReconsumeTimes 1) goes to the DLQ, undelayed.
        #expect(try await harness.send(Self.sendBack(offset: parked.physicalOffset, maxReconsumeTimes: 1)).responseCode == .success)
        let dead = try await Self.last(harness, topic: "%DLQ%CG")
        #expect(dead.properties[MessageConst.delayTimeLevel] == "0")
        #expect(dead.properties[MessageConst.originMessageId] == original.offsetMsgId)
        #expect(dead.reconsumeTimes == 2)
        #expect(harness.metadata.withState { $0.topics["%DLQ%CG"] } == TopicConfig(topicName: "%DLQ%CG", readQueueNums: 1, writeQueueNums: 1, perm: 6))

        // A negative delay level asks for the DLQ at once.
        #expect(try await harness.send(Self.sendBack(offset: original.physicalOffset, delayLevel: -1)).responseCode == .success)
        #expect(try await Self.last(harness, topic: "%DLQ%CG").reconsumeTimes == 1)
    }

    @Test func sendBackErrorsAreJavas() async throws {
        let harness = try await Harness.make { $0.autoCreateSubscriptionGroup = false }
        defer { harness.close() }
        let original = try await Self.storeOne(harness)
        let unknown = try await harness.send(Self.sendBack(offset: original.physicalOffset, group: "NoSuchGroup"))
        #expect(unknown.responseCode == .subscriptionGroupNotExist)
        #expect(unknown.remark == "subscription group not exist, NoSuchGroup \nSee http://rocketmq.apache.org/docs/faq/ for further details.")
        // A built-in group exists without auto-creation.
        let badOffset = try await harness.send(Self.sendBack(offset: 999_999, group: MixAll.toolsConsumerGroup))
        #expect(badOffset.responseCode == .systemError)
        #expect(badOffset.remark == "look message by offset failed, 999999")
        #expect(throws: HeaderError.self) {
            try harness.processor.process(.request(code: .consumerSendMsgBack, extFields: ["group": "G"]), context: RequestContext(connection: harness.connection))
        }
    }

    @Test func delayedMessagesAreDeliveredWhenDueAndNotBefore() async throws {
        let harness = try await Harness.make(delays: "1s 2s")
        defer { harness.close() }
        let sent = try await harness.send(SendMessageProcessorTests.send(topic: "T", queueId: 1, properties: "TAGS\u{1}A\u{2}DELAY\u{1}2\u{2}KEYS\u{1}k\u{2}"))
        #expect(sent.responseCode == .success)
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        let parked = try #require(harness.store.consumeQueueEntries(topic: TopicValidator.scheduleTopic, queueId: 1, from: 0, maxCount: 1).first)

        let clock = TestClock(now: parked.tagsCode - 500)
        let service = ScheduleMessageService(
            store: harness.store, delayLevels: [1: 1000, 2: 2000], offsets: nil, clock: { clock.now }, logger: harness.logger)
        // Half a second early: nothing moves, and the service waits exactly until the delivery time.
        #expect(await service.deliverDue(level: 2) == 500)
        #expect(harness.store.getMaxOffsetInQueue(topic: "T", queueId: 1) == 0)
        #expect(service.offset(level: 2) == 0)
        // Due: delivered to T/1 with Java's properties, and the level's offset moves on.
        clock.now = parked.tagsCode
        #expect(await service.deliverDue(level: 2) == 100)
        let delivered = try await Self.last(harness, topic: "T", queueId: 1)
        #expect(delivered.properties[MessageConst.realTopic] == "T")
        #expect(delivered.properties[MessageConst.realQueueId] == "1")
        #expect(delivered.properties.keys == "k")
        #expect(service.offset(level: 2) == 1)
        #expect(service.offsetTable.offsetTable.map(\.level) == [2])
        // Nothing more: the level is looked at again 100 ms later.
        #expect(await service.deliverDue(level: 2) == 100)
        #expect(harness.store.getMaxOffsetInQueue(topic: "T", queueId: 1) == 1)
    }

    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64
        init(now: Int64) { value = now }
        var now: Int64 {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    enum Harness {
        static func make(delays: String? = nil, configure: (inout BrokerConfig) -> Void = { _ in }) async throws -> SendMessageProcessorTests.Harness {
            try await SendMessageProcessorTests.Harness(delays: delays, configure: configure)
        }
    }
}
