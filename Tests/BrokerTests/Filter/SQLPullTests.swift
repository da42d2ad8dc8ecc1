import Broker
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// SQL92 subscriptions end to end in the broker: CHECK_CLIENT_CONFIG, heartbeat registration, filtered pulls
/// and Java's error codes.
@Suite struct SQLPullTests {
    typealias Broker = PullMessageProcessorTests.Broker

    static func checkClientConfig(_ expression: String, type: String = "SQL92") -> RemotingCommand {
        let body = CheckClientRequestBody(clientId: "c", group: "G", subscriptionData: SubscriptionData(
            topic: "T", subString: expression, subVersion: 1, expressionType: type, tagsSet: [], codeSet: []))
        return .request(code: .checkClientConfig, body: body.encoded())
    }

    static func respond(_ broker: Broker, _ request: RemotingCommand) throws -> RemotingCommand {
        guard case .response(let response) = try broker.clients.process(request, context: RequestContext(connection: broker.harness.connection)) else {
            throw BodyError("no response")
        }
        return response
    }

    static func heartbeat(_ expression: String, version: Int64) -> RemotingCommand {
        let consumer = ConsumerData(
            groupName: "G", consumeType: .consumePassively, messageModel: .clustering, consumeFromWhere: .consumeFromFirstOffset,
            subscriptionDataSet: [SubscriptionData(topic: "T", subString: expression, subVersion: version, expressionType: "SQL92", tagsSet: [], codeSet: [])])
        return .request(code: .heartBeat, body: HeartbeatData(clientID: "c", producerDataSet: [], consumerDataSet: [consumer]).encoded())
    }

    static func pull(subVersion: Int64, expression: String? = nil) -> RemotingCommand {
        var header = PullMessageRequestHeader(
            consumerGroup: "G", topic: "T", queueId: 0, queueOffset: 0, maxMsgNums: 32,
            sysFlag: expression == nil ? 0 : PullSysFlag.subscription, commitOffset: 0, suspendTimeoutMillis: 0,
            subscription: expression, subVersion: subVersion)
        header.expressionType = "SQL92"
        return .request(code: .pullMessage, extFields: header.extFields)
    }

    static func colors(_ response: RemotingCommand) throws -> [String] {
        try StoredMessage.decodeAll(response.body ?? ByteBuffer()).map { $0.properties["a"] ?? "" }
    }

    @Test func checkClientConfigAnswersAsJava() async throws {
        let off = try await Broker()
        defer { off.harness.close() }
        #expect(try Self.respond(off, Self.checkClientConfig("TagA", type: "TAG")).responseCode == .success)
        let disabled = try Self.respond(off, Self.checkClientConfig("a > 1"))
        #expect(disabled.responseCode == .systemError)
        #expect(disabled.remark == "The broker does not support consumer to filter message by SQL92")

        let on = try await Broker { $0.enablePropertyFilter = true }
        defer { on.harness.close() }
        #expect(try Self.respond(on, Self.checkClientConfig("a > 1 AND b IN ('x', 'y')")).responseCode == .success)
        let bad = try Self.respond(on, Self.checkClientConfig("a >"))
        #expect(bad.responseCode == .subscriptionParseFailed)
        #expect(bad.remark?.hasPrefix("org.apache.rocketmq.filter.parser.ParseException") == true)
    }

    @Test func pullsKeepOnlyMatchingMessages() async throws {
        let broker = try await Broker { $0.enablePropertyFilter = true }
        defer { broker.harness.close() }
        for a in 1...4 {
            _ = try await broker.harness.send(SendMessageProcessorTests.send(topic: "T", properties: "TAGS\u{1}x\u{2}a\u{1}\(a)\u{2}"))
        }
        await broker.harness.store.waitForDispatch(upTo: broker.harness.store.maxPhysicalOffset)
        #expect(try Self.respond(broker, Self.heartbeat("a >= 3", version: 5)).responseCode == .success)

        let registered = try await broker.process(Self.pull(subVersion: 5))
        #expect(registered.responseCode == .success)
        #expect(try Self.colors(registered) == ["3", "4"])
        // The request's own expression wins when it carries one.
        let own = try await broker.process(Self.pull(subVersion: 5, expression: "a = 2 OR a = 4"))
        #expect(try Self.colors(own) == ["2", "4"])
        let noMatch = try await broker.process(Self.pull(subVersion: 5, expression: "a > 10"))
        #expect(noMatch.responseCode == .pullRetryImmediately)
        let unparsable = try await broker.process(Self.pull(subVersion: 5, expression: "a >"))
        #expect(unparsable.responseCode == .subscriptionParseFailed)
        #expect(unparsable.remark == "parse the consumer's subscription failed")
        // The heartbeat's filter is older than the pull's subscription.
        #expect(try await broker.process(Self.pull(subVersion: 6)).responseCode == .subscriptionNotLatest)
        // A heartbeat with an expression that does not compile leaves no filter.
        _ = try Self.respond(broker, Self.heartbeat("a >", version: 7))
        let missing = try await broker.process(Self.pull(subVersion: 7))
        #expect(missing.responseCode == .filterDataNotExist)
        #expect(missing.remark == "The broker's consumer filter data is not exist!Your expression may be wrong!")
        // A group whose last member leaves keeps no filter (Java's unRegister).
        _ = try Self.respond(broker, Self.heartbeat("a >= 3", version: 8))
        #expect(broker.harness.metadata.withState { $0.filters.filter(group: "G", topic: "T") } != nil)
        let unregister = UnregisterClientRequestHeader(clientID: "c", consumerGroup: "G")
        #expect(try Self.respond(broker, .request(code: .unregisterClient, extFields: unregister.extFields)).responseCode == .success)
        #expect(broker.harness.metadata.withState { $0.filters.filter(group: "G", topic: "T") } == nil)
    }

    @Test func sqlPullsNeedEnablePropertyFilter() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        _ = try await broker.harness.send(SendMessageProcessorTests.send(topic: "T", properties: "a\u{1}1\u{2}"))
        let refused = try await broker.process(Self.pull(subVersion: 1, expression: "a = 1"))
        #expect(refused.responseCode == .systemError)
        #expect(refused.remark == "The broker does not support consumer to filter message by SQL92")
    }
}
