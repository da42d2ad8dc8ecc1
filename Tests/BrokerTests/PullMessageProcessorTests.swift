import Broker
import FixtureSupport
import MessageStore
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// PULL_MESSAGE against a real store: capture 03's pulls, long polling, Java's error codes.
@Suite struct PullMessageProcessorTests {
    typealias Harness = SendMessageProcessorTests.Harness

    struct Broker {
        let harness: Harness
        let holds: PullRequestHoldService
        let pull: PullMessageProcessor
        let clients: ClientManageProcessor

        init(configure: (inout BrokerConfig) -> Void = { _ in }) async throws {
            holds = PullRequestHoldService(timerLoop: MultiThreadedEventLoopGroup.singleton.next())
            harness = try await Harness(holds: holds, configure: configure)
            pull = PullMessageProcessor(metadata: harness.metadata, store: harness.store, holds: holds)
            clients = ClientManageProcessor(metadata: harness.metadata)
        }

        func process(_ request: RemotingCommand) async throws -> RemotingCommand {
            switch try pull.process(request, context: RequestContext(connection: harness.connection)) {
            case .response(let response): return response
            case .future(let future): return try #require(try await future.get())
            case .none: throw BodyError("no response")
            }
        }

        func sendCapture02() async throws {
            for frame in Fixtures.frames where frame.scenario == "02-sync-producer-json" && frame.codeName == "SEND_MESSAGE_V2" {
                _ = try await harness.send(try frame.command())
            }
            await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        }

        /// Every heartbeat of capture 03: later ones carry the newer subVersion its pulls state.
        func heartbeat03() throws {
            for frame in Fixtures.frames where frame.scenario == "03-push-consumer-json" && frame.codeName == "HEART_BEAT" {
                _ = try clients.process(try frame.command(), context: RequestContext(connection: harness.connection))
            }
        }
    }

    static func pullRequest(queueId: Int32, offset: Int64, sysFlag: Int32, suspendMillis: Int64 = 15000, subVersion: Int64 = 0,
                            subscription: String? = nil, topic: String = "FixtureTopicJson2") -> RemotingCommand {
        .request(code: .pullMessage, extFields: PullMessageRequestHeader(
            consumerGroup: "CG_FIXTURE_JSON2", topic: topic, queueId: queueId, queueOffset: offset, maxMsgNums: 32,
            sysFlag: sysFlag, commitOffset: 0, suspendTimeoutMillis: suspendMillis, subscription: subscription,
            subVersion: subVersion).extFields)
    }

    @Test func capturedPullsGetJavasAnswers() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        try await broker.sendCapture02()
        try broker.heartbeat03()
        let pulls = Fixtures.frames.filter { $0.scenario == "03-push-consumer-json" && $0.codeName == "PULL_MESSAGE" }
        let sent = Set(try Fixtures.frames.filter { $0.scenario == "02-sync-producer-json" && $0.codeName == "SEND_MESSAGE_V2" }
            .compactMap { MessageProperties(decoding: try $0.command().extFields?["i"] ?? "").uniqueKey })
        var compared = 0
        for frame in pulls {
            guard let responseSeq = frame.meta["response_seq"]?.intValue,
                  let captured = try Fixtures.frames.first(where: { $0.scenario == frame.scenario && $0.seq == responseSeq })?.command(),
                  captured.responseCode == .success else { continue }
            let capturedMessages = try StoredMessage.decodeAll(captured.body ?? ByteBuffer())
            // Capture 03 also pulled a message another producer sent later; replay what 02 stored.
            guard capturedMessages.allSatisfy({ $0.properties.uniqueKey.map(sent.contains) == true }) else { continue }
            let response = try await broker.process(try frame.command())
            #expect(response.responseCode == .success, "\(frame)")
            #expect(response.remark == "FOUND")
            #expect(response.extFields == captured.extFields, "\(frame)")
            let ours = try StoredMessage.decodeAll(response.body ?? ByteBuffer())
            #expect(ours.map(\.queueOffset) == capturedMessages.map(\.queueOffset))
            #expect(ours.map(\.properties.uniqueKey) == capturedMessages.map(\.properties.uniqueKey))
            #expect(ours.map { Array($0.body.readableBytesView) } == capturedMessages.map { Array($0.body.readableBytesView) })
            compared += 1
        }
        #expect(compared >= 4)
    }

    @Test func longPollIsAnsweredWhenAMessageArrivesOrTimesOut() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        try await broker.sendCapture02()
        try broker.heartbeat03()
        let max = broker.harness.store.getMaxOffsetInQueue(topic: "FixtureTopicJson2", queueId: 1)
        // Without the suspend flag: PULL_NOT_FOUND at once.
        let now = try await broker.process(Self.pullRequest(queueId: 1, offset: max, sysFlag: 0))
        #expect(now.responseCode == .pullNotFound)
        #expect(now.extFields?["nextBeginOffset"] == "\(max)")
        // With it: held until the next message for queue 1.
        let held = try broker.pull.process(Self.pullRequest(queueId: 1, offset: max, sysFlag: PullSysFlag.suspend),
                                           context: RequestContext(connection: broker.harness.connection))
        guard case .future(let future) = held else { Issue.record("not held"); return }
        #expect(broker.holds.count == 1)
        let send = SendMessageRequestHeader(producerGroup: "PG", topic: "FixtureTopicJson2", queueId: 1, bornTimestamp: 1, properties: "TAGS\u{1}TagA")
        _ = try await broker.harness.send(.request(code: .sendMessageV2, extFields: send.v2ExtFields, body: ByteBuffer(string: "late")))
        let woken = try #require(try await future.get())
        #expect(woken.responseCode == .success)
        #expect(try StoredMessage.decodeAll(woken.body ?? ByteBuffer()).first?.body == ByteBuffer(string: "late"))
        #expect(broker.holds.count == 0)
        // A short hold with nothing arriving answers PULL_NOT_FOUND when it ends.
        let expired = try await broker.process(Self.pullRequest(queueId: 1, offset: max + 1, sysFlag: PullSysFlag.suspend, suspendMillis: 50))
        #expect(expired.responseCode == .pullNotFound)
    }

    @Test func javaErrorCodes() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        try await broker.sendCapture02()
        let noGroupInfo = try await broker.process(Self.pullRequest(queueId: 0, offset: 0, sysFlag: 0))
        #expect(noGroupInfo.responseCode == .subscriptionNotExist)
        try broker.heartbeat03()
        let notLatest = try await broker.process(Self.pullRequest(queueId: 0, offset: 0, sysFlag: 0, subVersion: Int64.max))
        #expect(notLatest.responseCode == .subscriptionNotLatest)
        #expect(notLatest.remark == "the consumer's subscription not latest")
        #expect(notLatest.extFields == ExtFields())
        let noTopic = try await broker.process(Self.pullRequest(queueId: 0, offset: 0, sysFlag: 0, topic: "NoSuchTopic"))
        #expect(noTopic.responseCode == .topicNotExist)
        let badQueue = try await broker.process(Self.pullRequest(queueId: 9, offset: 0, sysFlag: 0))
        #expect(badQueue.responseCode == .systemError)
        let moved = try await broker.process(Self.pullRequest(queueId: 0, offset: 1000, sysFlag: 0))
        #expect(moved.responseCode == .pullOffsetMoved)
        // Tag filter from the request's own subscription: nothing matches → PULL_RETRY_IMMEDIATELY.
        let filtered = try await broker.process(Self.pullRequest(queueId: 0, offset: 0, sysFlag: PullSysFlag.subscription, subscription: "NoSuchTag"))
        #expect(filtered.responseCode == .pullRetryImmediately)
        #expect(Int64(filtered.extFields?["nextBeginOffset"] ?? "") ?? 0 > 0)
        // The commit flag stores the consumer's offset.
        var commit = try PullMessageRequestHeader(extFields: Self.pullRequest(queueId: 2, offset: 0, sysFlag: PullSysFlag.commitOffset).extFields!)
        commit.commitOffset = 1
        _ = try await broker.process(.request(code: .pullMessage, extFields: commit.extFields))
        #expect(broker.harness.metadata.withState { $0.offsets.offset(group: "CG_FIXTURE_JSON2", topic: "FixtureTopicJson2", queueId: 2) } == 1)
    }
}
