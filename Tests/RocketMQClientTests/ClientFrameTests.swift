import FixtureSupport
import NIOCore
import RemotingCodec
@testable import RocketMQClient
import RocketMQModel
import Testing

/// The Swift client's frames against the Java client's captured ones (Fixtures/02, 03).
struct ClientFrameTests {
    static let instance = ClientInstance(configuration: ClientConfiguration(nameServers: ["127.0.0.1:9876"], clientIP: "192.0.2.2"))

    @Test func sendMessageV2IsByteForByteJavas() throws {
        let java = try #require(Fixtures.frame("02-sync-producer-json", "0009-c2s-broker-SEND_MESSAGE_V2.bin"))
        let javaCommand = try java.command()
        let producer = Producer(configuration: ProducerConfiguration(group: "PG_FIXTURE_SYNC"), instance: Self.instance)
        var message = Message(topic: "FixtureTopicJson2", body: "Hello fixture 0")
        // The variable values (UNIQ_KEY, born time) and Java's HashMap order of the properties.
        message.properties = MessageProperties([
            ("color", "red"), ("KEYS", "key-0 k0"), ("UNIQ_KEY", "C000020261815FFD2B27807B6B040000"), ("WAIT", "true"),
            ("TAGS", "TagA"), ("seq", "0"),
        ])
        #expect(message.tags == "TagA" && message.keys == ["key-0", "k0"] && message.waitStoreMsgOK)
        let prepared = try producer.prepareForWire(message)
        var request = producer.makeRequest(prepared, queue: MessageQueue(topic: "FixtureTopicJson2", brokerName: "broker-a", queueId: 1),
                                           bornTimestamp: 1_795_646_771_973)
        request.opaque = javaCommand.opaque
        #expect(Array(RemotingFrameEncoder.encode(request).readableBytesView) == java.bytes)
    }

    @Test func sendResponseBecomesJavasSendResult() throws {
        let java = try #require(Fixtures.frame("02-sync-producer-json", "0011-s2c-broker-response.bin"))
        let queue = MessageQueue(topic: "FixtureTopicJson2", brokerName: "broker-a", queueId: 1)
        let result = try Producer.sendResult(try java.command(), queue: queue, uniqueKey: "C000020261815FFD2B27807B6B040000", address: "a")
        #expect(result.status == .sendOK)
        #expect(result.offsetMsgId == "7F00000100002A9F0000000000003D67")
        #expect(result.messageQueue == queue && result.queueOffset == 0)
        #expect(result.regionId == "DefaultRegion" && result.traceOn)
    }

    @Test func pullMessageCarriesJavasFields() throws {
        let java = try java("03-push-consumer-json", "0026-c2s-broker-PULL_MESSAGE.bin")
        let subscription = SubscriptionData.build(topic: "FixtureTopicJson2", expression: "*", type: .tag, subVersion: 1_795_646_781_430)
        let ours = PullAPI.makeRequest(
            group: "CG_FIXTURE_JSON2", queue: MessageQueue(topic: "FixtureTopicJson2", brokerName: "broker-a", queueId: 0),
            subscription: subscription, offset: 0, maxCount: 32, sysFlag: [.suspend], commitOffset: 0,
            suspendTimeout: .seconds(15), serializeType: .json)
        #expect(ours.code == java.code && ours.language == java.language && ours.version == java.version)
        #expect(ours.flag == java.flag && ours.serializeType == java.serializeType && ours.remark == java.remark)
        #expect(Self.fields(ours) == Self.fields(java))
        #expect(ours.body == nil && java.body == nil)
    }

    @Test func offsetRequestsCarryJavasFields() throws {
        let java = try java("03-push-consumer-json", "0017-c2s-broker-QUERY_CONSUMER_OFFSET.bin")
        let header = QueryConsumerOffsetRequestHeader(consumerGroup: "CG_FIXTURE_JSON2", topic: "FixtureTopicJson2", queueId: 0,
                                                      bname: "broker-a")
        let ours = Self.instance.request(.queryConsumerOffset, header: header)
        #expect(ours.code == java.code && Self.fields(ours) == Self.fields(java))
    }

    @Test func heartbeatBodyIsJavas() throws {
        let java = try java("03-push-consumer-json", "0011-c2s-broker-HEART_BEAT.bin")
        let javaBody = try HeartbeatData(body: java.body)
        let consumer = try #require(javaBody.consumerDataSet.first)
        let subscriptions = consumer.subscriptionDataSet.map {
            SubscriptionData.build(topic: $0.topic, expression: "*", type: .tag, subVersion: $0.subVersion)
        }
        let ours = HeartbeatData(
            clientID: javaBody.clientID, producerDataSet: ["CLIENT_INNER_PRODUCER"],
            consumerDataSet: [ConsumerData(groupName: "CG_FIXTURE_JSON2", consumeType: .consumePassively, messageModel: .clustering,
                                           consumeFromWhere: .consumeFromFirstOffset, subscriptionDataSet: subscriptions)])
        #expect(Array(ours.encoded().readableBytesView) == Array((java.body ?? ByteBuffer()).readableBytesView))
    }

    @Test func tagExpressionsAreSplitAsJavaDoes() {
        let data = SubscriptionData.build(topic: "T", expression: " TagA || TagB ||TagA", type: .tag, subVersion: 1)
        #expect(data.tagsSet == ["TagA", "TagB"])
        #expect(data.codeSet == [JavaHash.hashCode("TagA"), JavaHash.hashCode("TagB")])
        #expect(SubscriptionData.build(topic: "T", expression: "", type: .tag, subVersion: 1).subString == "*")
    }

    @Test func averageAllocationMatchesJava() {
        let queues = (0..<8).map { MessageQueue(topic: "T", brokerName: "b", queueId: Int32($0)) }
        let members = ["c1", "c2", "c3"]
        let split = members.map { AllocateMessageQueueAveragely.allocate(queues, consumers: members, me: $0).map(\.queueId) }
        #expect(split == [[0, 1, 2], [3, 4, 5], [6, 7]])
        #expect(AllocateMessageQueueAveragely.allocate(Array(queues.prefix(2)), consumers: members, me: "c3").isEmpty)
    }

    @Test func processQueueCommitsTheOldestUnfinishedBatch() {
        let queue = ProcessQueue(queue: MessageQueue(topic: "T", brokerName: "b", queueId: 0))
        let first = queue.add(firstOffset: 0, count: 2, nextOffset: 2)
        let second = queue.add(firstOffset: 2, count: 2, nextOffset: 4)
        #expect(queue.remove(batch: second, count: 2) == 0)
        #expect(queue.remove(batch: first, count: 1) == 0)
        #expect(queue.remove(batch: first, count: 1) == 4)
        #expect(queue.advance(to: 6) == 6)
    }

    private func java(_ scenario: String, _ file: String) throws -> RemotingCommand {
        try #require(Fixtures.frame(scenario, file)).command()
    }

    static func fields(_ command: RemotingCommand) -> [String: String] {
        var result: [String: String] = [:]
        for field in command.extFields ?? ExtFields() { result[field.name] = field.value }
        return result
    }
}
