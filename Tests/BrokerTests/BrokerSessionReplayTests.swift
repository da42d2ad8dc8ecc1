import ClusterSupport
import Broker
import FixtureSupport
import Foundation
import Logging
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// Whole captured client sessions replayed against a broker on loopback, one connection per captured TCP
/// stream, in capture order: each request is sent once every response captured before it has arrived, so
/// a held long-poll pull waits for the send that answered it in the capture. Every answer is compared
/// with Java's: code, remark, header fields (all but those naming this broker's offsets and hosts) and
/// the pulled messages.
@Suite(.serialized) struct BrokerSessionReplayTests {
    /// Header fields whose values depend on where and when the broker runs.
    static let variableFields: Set<String> = ["msgId", "offsetMsgId"]
    /// Queues that already held messages on the captured broker and start empty on ours: BenchmarkTest (2994
    /// per queue) and SCHEDULE_TOPIC_XXXX's level-3 queue, whose offset a delayed send answers.
    /// In 08 the check names the commit-log offset of the half message's copy, which is where each broker
    /// stored it.
    static let variableFieldsByScenario: [String: Set<String>] = [
        "12-bench-producer-rocketmq": ["queueOffset"], "07-delay-level": ["queueOffset"], "08-transaction": ["commitLogOffset"],
    ]

    /// Java runs heartbeats and pulls on different thread pools, so a pull sent right after a heartbeat that
    /// raised the subscription's version can be checked before that heartbeat is applied and get
    /// SUBSCRIPTION_NOT_LATEST. We serve a connection's requests in order, so such a pull would find the new
    /// version (and, on an empty queue, be held 15 s): these pulls are not replayed.
    static func isJavaHeartbeatRace(_ request: FixtureFrame, answer: RemotingCommand?) -> Bool {
        guard answer?.responseCode == .subscriptionNotLatest, let answeredAt = request.meta["response_seq"]?.intValue else { return false }
        return Fixtures.frames.contains { frame in
            frame.scenario == request.scenario && frame.codeName == "HEART_BEAT" && frame.seq < request.seq
                && frame.meta["stream"] == request.meta["stream"] && (frame.meta["response_seq"]?.intValue ?? 0) > answeredAt
        }
    }

    /// The replay's producer side of CHECK_TRANSACTION_STATE: every check our broker sends on a replay
    /// connection, with that connection, for the replay to answer as the captured producer did.
    final class TransactionChecks: RequestProcessor, Sendable {
        let stream = AsyncStream<(check: RemotingCommand, connection: RemotingConnection)>.makeStream()

        func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
            stream.continuation.yield((request, context.connection))
            return .none
        }
    }

    struct Exchange: Sendable {
        let request: FixtureFrame
        let captured: RemotingCommand
        let ours: RemotingCommand

        /// Java answers a held pull from its wake-up thread, which writes the response in its default
        /// serialize type (JSON); we answer in the request's type, as for every other response.
        var isJavaHeldPullAnswer: Bool {
            request.codeName == "PULL_MESSAGE" && captured.serializeType == .json && request.serialize == "ROCKETMQ"
        }
    }

    /// `dispatched` waits until the store has dispatched what it holds; it runs after each scenario and
    /// before each pull (dispatch is asynchronous, and in the captures the consumer came well after the sends).
    /// `transform` may rewrite a request before it is sent (renamed topics, offsets of this broker).
    ///
    /// With `checks`, the captured producer's END_TRANSACTION answering a check (`fromTransactionCheck`) waits
    /// for our broker's CHECK_TRANSACTION_STATE and answers it as Java's client does (the check's offsets and
    /// transaction id, the message's UNIQ_KEY, the captured decision); the check is compared with Java's as
    /// an exchange of its own.
    static func replay(
        _ scenarios: [String], broker port: Int, checks: TransactionChecks? = nil,
        transform: (FixtureFrame, RemotingCommand) throws -> RemotingCommand = { $1 },
        dispatched: () async -> Void
    ) async throws -> [Exchange] {
        var exchanges: [Exchange] = []
        var processors = RequestProcessorTable()
        if let checks { processors.register(checks, for: [.checkTransactionState]) }
        // Java's commit-log offsets → ours, learnt from send answers (their offset message ids; END_TRANSACTION
        // names one) and pulled messages (CONSUMER_SEND_MSG_BACK names one).
        var physicalOffsets: [Int64: Int64] = [:]
        func learnOffsets(_ exchange: Exchange) {
            if exchange.request.codeName.hasPrefix("SEND_MESSAGE"),
               let java = exchange.captured.extFields?["msgId"].flatMap({ MessageId.decodeOffsetMsgId($0) }),
               let ours = exchange.ours.extFields?["msgId"].flatMap({ MessageId.decodeOffsetMsgId($0) }) {
                physicalOffsets[java.physicalOffset] = ours.physicalOffset
            }
            guard exchange.request.codeName == "PULL_MESSAGE",
                  let java = try? StoredMessage.decodeAll(exchange.captured.body ?? ByteBuffer()),
                  let ours = try? StoredMessage.decodeAll(exchange.ours.body ?? ByteBuffer()) else { return }
            for message in java {
                if let mine = ours.first(where: { $0.properties.uniqueKey == message.properties.uniqueKey }) {
                    physicalOffsets[message.physicalOffset] = mine.physicalOffset
                }
            }
        }
        for scenario in scenarios {
            let frames = Fixtures.frames.filter { $0.scenario == scenario }
            let requests = frames.filter { $0.isRequest && $0.meta["direction"]?.stringValue == "client->broker" }
            var connections: [Int: RemotingConnection] = [:]
            defer { for connection in connections.values { connection.close() } }
            var pending: [(responseSeq: Int, request: FixtureFrame, response: EventLoopFuture<RemotingCommand>)] = []
            func settle(before seq: Int) async throws {
                for entry in pending where entry.responseSeq < seq {
                    let captured = try #require(frames.first { $0.seq == entry.responseSeq }).command()
                    let exchange = Exchange(request: entry.request, captured: captured, ours: try await entry.response.get())
                    learnOffsets(exchange)
                    exchanges.append(exchange)
                }
                pending.removeAll { $0.responseSeq < seq }
            }
            for frame in requests {
                try await settle(before: frame.seq)
                let responseSeq = frame.meta["response_seq"]?.intValue
                // Pulls still held when the capture ended were never answered: nothing to compare.
                if responseSeq == nil && frame.meta["oneway"]?.boolValue != true { continue }
                let answer = try responseSeq.flatMap { seq in frames.first { $0.seq == seq } }?.command()
                if Self.isJavaHeartbeatRace(frame, answer: answer) { continue }
                let stream = frame.meta["stream"]?.intValue ?? 0
                let connection: RemotingConnection
                if let open = connections[stream] {
                    connection = open
                } else {
                    connection = try await RemotingClient.connect(
                        host: "127.0.0.1", port: port, processors: processors, logger: BrokerControllerTests.logger)
                    connections[stream] = connection
                }
                if frame.codeName == "PULL_MESSAGE" { await dispatched() }
                var command = try transform(frame, try frame.command())
                if frame.codeName == "CONSUMER_SEND_MSG_BACK", let java = command.extFields?["offset"].flatMap({ Int64($0) }) {
                    command.extFields?["offset"] = String(try #require(physicalOffsets[java], "\(frame): offset \(java) never pulled"))
                }
                if frame.codeName == "END_TRANSACTION" && command.extFields?["fromTransactionCheck"] == "true" {
                    let checks = try #require(checks, "\(frame): answers a check, and the replay has no producer side")
                    let javaCheck = try #require(frames.last { $0.codeName == "CHECK_TRANSACTION_STATE" && $0.seq < frame.seq })
                    let (check, checkedOn) = try #require(
                        await BrokerControllerTests.first(of: checks.stream.stream, within: .seconds(20)), "\(frame): our broker sent no check")
                    exchanges.append(Exchange(request: javaCheck, captured: try javaCheck.command(), ours: check))
                    // Java's TransactionMQProducer: the check's offsets and transaction id, the message's UNIQ_KEY.
                    let header = try check.decodeHeader(CheckTransactionStateRequestHeader.self)
                    let message = try #require(try StoredMessage.decodeAll(check.body ?? ByteBuffer()).first)
                    command.extFields?["commitLogOffset"] = String(header.commitLogOffset)
                    command.extFields?["tranStateTableOffset"] = String(header.tranStateTableOffset)
                    command.extFields?["transactionId"] = header.transactionId
                    command.extFields?["msgId"] = message.properties.uniqueKey ?? message.offsetMsgId
                    checkedOn.sendOneway(command)
                    continue
                }
                if frame.codeName == "END_TRANSACTION", let java = command.extFields?["commitLogOffset"].flatMap({ Int64($0) }) {
                    command.extFields?["commitLogOffset"] = String(try #require(physicalOffsets[java], "\(frame): offset \(java) never sent"))
                }
                if let responseSeq {
                    pending.append((responseSeq, frame, connection.sendRequest(command, timeout: .seconds(20))))
                } else {
                    connection.sendOneway(command)
                }
            }
            try await settle(before: Int.max)
            await dispatched()
        }
        return exchanges
    }

    static func compare(_ exchange: Exchange) throws {
        let (captured, ours) = (exchange.captured, exchange.ours)
        let context = "\(exchange.request)"
        #expect(ours.code == captured.code, "\(context)")
        #expect(ours.remark == captured.remark, "\(context)")
        #expect(ours.serializeType == (exchange.isJavaHeldPullAnswer ? .rocketmq : captured.serializeType), "\(context)")
        let ourFields = ours.extFields ?? ExtFields()
        let javaFields = captured.extFields ?? ExtFields()
        #expect(Set(ourFields.map(\.name)) == Set(javaFields.map(\.name)), "\(context)")
        let variable = variableFields.union(variableFieldsByScenario[exchange.request.scenario] ?? [])
        for field in javaFields where !variable.contains(field.name) {
            #expect(ourFields[field.name] == field.value, "\(context): \(field.name)")
        }
        if exchange.request.codeName == "LOCK_BATCH_MQ" {
            // A Java HashSet: same queues, any order.
            #expect(Set(try LockBatchResponseBody(body: ours.body).lockOKMQSet) == Set(try LockBatchResponseBody(body: captured.body).lockOKMQSet), "\(context)")
        }
        if exchange.request.codeName == "CHECK_TRANSACTION_STATE" {
            // The message checked: Java's but where it is stored.
            let java = try #require(try StoredMessage.decodeAll(captured.body ?? ByteBuffer()).first)
            let mine = try #require(try StoredMessage.decodeAll(ours.body ?? ByteBuffer()).first)
            #expect(ours.extFields?["msgId"] == captured.extFields?["msgId"], "\(context)")
            #expect(mine.topic == java.topic, "\(context)")
            #expect(mine.queueId == java.queueId && mine.queueOffset == java.queueOffset, "\(context)")
            #expect(mine.sysFlag == java.sysFlag, "\(context)")
            #expect(Array(mine.body.readableBytesView) == Array(java.body.readableBytesView), "\(context)")
            // Java writes the copy's properties from a HashMap, in its hash order: the same pairs, another order.
            func pairs(_ message: StoredMessage) -> [String] { message.properties.map { "\($0.name)=\($0.value)" }.sorted() }
            #expect(pairs(mine) == pairs(java), "\(context)")
        }
        if exchange.request.codeName == "PULL_MESSAGE", captured.responseCode == .success {
            let java = try StoredMessage.decodeAll(captured.body ?? ByteBuffer())
            let mine = try StoredMessage.decodeAll(ours.body ?? ByteBuffer())
            #expect(mine.map(\.queueOffset) == java.map(\.queueOffset), "\(context)")
            #expect(mine.map(\.properties.uniqueKey) == java.map(\.properties.uniqueKey), "\(context)")
            #expect(mine.map(\.sysFlag) == java.map(\.sysFlag), "\(context)")
            #expect(mine.map { Array($0.body.readableBytesView) } == java.map { Array($0.body.readableBytesView) }, "\(context)")
        }
    }

    /// Delay levels of 1 s, so that delayed and retried messages come back in a second instead of 10.
    static let shortDelays = String(repeating: "1s ", count: 18).trimmingCharacters(in: .whitespaces)

    @Test(arguments: [
        ["06-orderly-consumer"],
        ["06b-retry-sendback"],
        ["07-delay-level"],
        ["02-sync-producer-json", "03-push-consumer-json"],
        ["02b-sync-producer-rocketmq", "03b-push-consumer-rocketmq"],
        ["04-big-body-and-batch"],
        ["05-async-and-oneway"],
        ["12-bench-producer-rocketmq"],
    ])
    func capturedSessionsGetJavasAnswers(_ scenarios: [String]) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePort.broker()
        let broker = try BrokerController(startup: try BrokerStartup(properties: JavaProperties([
            ("listenPort", String(port)), ("storePathRootDir", directory), ("mappedFileSizeCommitLog", "1048576"),
            ("mappedFileSizeConsumeQueue", "6000"), ("brokerIP1", "127.0.0.1"), ("messageDelayLevel", Self.shortDelays),
        ])), logger: BrokerControllerTests.logger)
        let exchanges = try await BrokerControllerTests.running(broker) {
            _ = try await broker.ready()
            return try await Self.replay(scenarios, broker: port) {
                await broker.store.waitForDispatch(upTo: broker.store.maxPhysicalOffset)
            }
        }
        #expect(exchanges.count >= 5)
        for exchange in exchanges { try Self.compare(exchange) }
    }

    /// Capture 08: three half messages ended by commit, rollback and "unknown"; the broker checks the unknown
    /// one, and the producer's answer commits it; the consumer then pulls the two committed messages. Our
    /// broker's check (every 500 ms for halves older than 1 s here; Java's capture used 5 s and its default 6 s)
    /// is answered on the replay connection and compared with Java's.
    @Test func capturedTransactionSessionWithCheckGetsJavasAnswers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePort.broker()
        let broker = try BrokerController(startup: try BrokerStartup(properties: JavaProperties([
            ("listenPort", String(port)), ("storePathRootDir", directory), ("mappedFileSizeCommitLog", "1048576"),
            ("mappedFileSizeConsumeQueue", "6000"), ("brokerIP1", "127.0.0.1"), ("transactionCheckInterval", "500"),
            ("transactionTimeOut", "1000"),
        ])), logger: BrokerControllerTests.logger)
        let checks = TransactionChecks()
        let exchanges = try await BrokerControllerTests.running(broker) {
            _ = try await broker.ready()
            return try await Self.replay(["08-transaction"], broker: port, checks: checks) {
                await broker.store.waitForDispatch(upTo: broker.store.maxPhysicalOffset)
            }
        }
        #expect(exchanges.filter { $0.request.codeName == "CHECK_TRANSACTION_STATE" }.count == 1)
        #expect(exchanges.filter { $0.request.codeName == "SEND_MESSAGE_V2" }.count == 3)
        // The two committed messages (commit, then unknown committed by the check), never the rolled-back one.
        let pulled = try exchanges.filter { $0.request.codeName == "PULL_MESSAGE" && $0.ours.responseCode == .success }
            .flatMap { try StoredMessage.decodeAll($0.ours.body ?? ByteBuffer()) }
        #expect(pulled.compactMap { $0.properties["KEYS"] }.sorted() == ["tx-commit", "tx-unknown"])
        for exchange in exchanges { try Self.compare(exchange) }
    }
}
