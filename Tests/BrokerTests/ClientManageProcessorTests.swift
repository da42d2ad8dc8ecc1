import Broker
import FixtureSupport
import NIOCore
import NIOEmbedded
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// Heartbeats, group membership and NOTIFY_CONSUMER_IDS_CHANGED, against captured Java traffic.
@Suite struct ClientManageProcessorTests {
    let metadata = BrokerMetadata(config: BrokerConfig(), clock: { 1_800_000_000_000 })
    let processor: ClientManageProcessor

    init() { processor = ClientManageProcessor(metadata: metadata) }

    static func connection() throws -> (RemotingConnection, EmbeddedChannel) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 50000)).wait()
        return (RemotingConnection(channel: channel), channel)
    }

    func respond(_ request: RemotingCommand, on connection: RemotingConnection) throws -> RemotingCommand {
        guard case .response(let response) = try processor.process(request, context: RequestContext(connection: connection)) else {
            throw BodyError("no response")
        }
        return response
    }

    static func notifications(_ channel: EmbeddedChannel) throws -> [RemotingCommand] {
        var found: [RemotingCommand] = []
        // Requests are flushed at the end of the loop's turn.
        channel.embeddedEventLoop.run()
        while let request = try channel.readOutbound(as: OutboundRequest.self) { found.append(request.command) }
        return found
    }

    @Test func javaConsumerHeartbeatJoinsTheGroup() throws {
        let heartbeat = try #require(Fixtures.frame("03-push-consumer-json", "0011-c2s-broker-HEART_BEAT.bin")).command()
        let (connection, channel) = try Self.connection()
        let response = try respond(heartbeat, on: connection)
        let captured = try #require(Fixtures.frame("03-push-consumer-json", "0015-s2c-broker-response.bin")).command()
        #expect(response.code == captured.code)
        #expect(response.extFields == captured.extFields)
        #expect(response.body == nil)

        // Java notifies the group, the new member included (capture 03, frame 13).
        let notified = try Self.notifications(channel)
        #expect(notified.count == 1)
        #expect(notified.first?.requestCode == .notifyConsumerIdsChanged)
        #expect(notified.first?.isOneway == true)
        #expect(notified.first?.extFields == ["consumerGroup": "CG_FIXTURE_JSON2"])

        // The retry topic and the group now exist.
        let (retry, group) = metadata.withState { ($0.topics["%RETRY%CG_FIXTURE_JSON2"], $0.groups["CG_FIXTURE_JSON2"]) }
        #expect(retry == TopicConfig(topicName: "%RETRY%CG_FIXTURE_JSON2", readQueueNums: 1, writeQueueNums: 1, perm: 6))
        #expect(group == SubscriptionGroupConfig(groupName: "CG_FIXTURE_JSON2"))

        let list = try #require(Fixtures.frame("03-push-consumer-json", "0014-c2s-broker-GET_CONSUMER_LIST_BY_GROUP.bin")).command()
        let listResponse = try respond(list, on: connection)
        let capturedList = try #require(Fixtures.frame("03-push-consumer-json", "0016-s2c-broker-response.bin")).command()
        #expect(listResponse.code == capturedList.code)
        #expect(listResponse.extFields == capturedList.extFields)
        #expect(listResponse.body == capturedList.body)

        // The same heartbeat again changes nothing: no notification.
        _ = try respond(heartbeat, on: connection)
        #expect(try Self.notifications(channel).isEmpty)
    }

    @Test func membersAreNotifiedWhenTheGroupChanges() throws {
        let heartbeat = try #require(Fixtures.frame("03-push-consumer-json", "0011-c2s-broker-HEART_BEAT.bin")).command()
        let (first, firstChannel) = try Self.connection()
        let (second, secondChannel) = try Self.connection()
        _ = try respond(heartbeat, on: first)
        _ = try Self.notifications(firstChannel)
        var other = try HeartbeatData(body: heartbeat.body)
        other.clientID = "10.0.0.9@2"
        var secondBeat = heartbeat
        secondBeat.body = other.encoded()
        _ = try respond(secondBeat, on: second)
        #expect(try Self.notifications(firstChannel).count == 1)
        #expect(try Self.notifications(secondChannel).count == 1)
        let ids = metadata.withState { $0.clients.consumerGroups["CG_FIXTURE_JSON2"]?.clientIds }
        #expect(ids == ["192.0.2.2@25146#4635217907519", "10.0.0.9@2"])

        let unregister = RemotingCommand.request(code: .unregisterClient, extFields: UnregisterClientRequestHeader(
            clientID: "10.0.0.9@2", producerGroup: "", consumerGroup: "CG_FIXTURE_JSON2").extFields)
        let answer = try respond(unregister, on: second)
        #expect(answer.responseCode == .success)
        #expect(answer.extFields == ExtFields())
        #expect(try Self.notifications(firstChannel).count == 1)

        processor.connectionClosed(first)
        let list = RemotingCommand.request(code: .getConsumerListByGroup, extFields: ["consumerGroup": "CG_FIXTURE_JSON2"])
        let empty = try respond(list, on: second)
        #expect(empty.responseCode == .systemError)
        #expect(empty.remark == "no consumer for this group, CG_FIXTURE_JSON2")
    }

    @Test func cppHeartbeatGetsTagsRebuiltAndProducersRegister() throws {
        let frames = Fixtures.frames.filter { $0.scenario == "10-python-cpp-client" && $0.codeName == "HEART_BEAT" }
        let (connection, _) = try Self.connection()
        for frame in frames { #expect(try respond(try frame.command(), on: connection).responseCode == .success) }
        let state = metadata.withState { $0 }
        let consumer = try #require(state.clients.consumerGroups["CID_PY_FIXTURE"])
        #expect(consumer.channels.first?.value.language == .cpp)
        #expect(consumer.subscriptionTable.values.allSatisfy { $0.expressionType == "TAG" })
        #expect(state.clients.producerGroups["PID_PY_FIXTURE"] != nil)

        let tagged = HeartbeatData(clientID: "c", producerDataSet: [], consumerDataSet: [ConsumerData(
            groupName: "G", consumeType: .consumePassively, messageModel: .clustering, consumeFromWhere: .consumeFromLastOffset,
            subscriptionDataSet: [SubscriptionData(topic: "T", subString: "TagA || TagB", subVersion: 1, tagsSet: [], codeSet: [])])])
        _ = try respond(.request(code: .heartBeat, body: tagged.encoded()), on: connection)
        let subscription = metadata.withState { $0.clients.consumerGroups["G"]?.subscriptionTable["T"] }
        #expect(subscription?.tagsSet == ["TagA", "TagB"])
        #expect(subscription?.codeSet == [2_598_919, 2_598_920])
    }

    @Test func badInputIsASystemErrorAndRegistersNothing() throws {
        let (connection, _) = try Self.connection()
        #expect(throws: BodyError.self) { try respond(.request(code: .heartBeat), on: connection) }
        #expect(throws: BodyError.self) { try respond(.request(code: .heartBeat, body: ByteBuffer(string: "{\"x\":1}")), on: connection) }
        #expect(throws: HeaderError.missingField("consumerGroup")) { try respond(.request(code: .getConsumerListByGroup, extFields: [:]), on: connection) }
        #expect(throws: HeaderError.missingField("clientID")) { try respond(.request(code: .unregisterClient, extFields: [:]), on: connection) }
        #expect(metadata.withState { $0.clients.consumerGroups.isEmpty && $0.clients.producerGroups.isEmpty })
    }
}
