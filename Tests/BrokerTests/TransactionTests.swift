import ClusterSupport
import Foundation
import Logging
import MessageStore
import NIOCore
import NIOEmbedded
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle
import Testing

@testable import Broker

/// Half messages, END_TRANSACTION commit / rollback / unknown, Java's error remarks, and the check-back that
/// asks the producer about a transaction left unknown.
@Suite struct TransactionTests {
    static func half(_ key: String, queueId: Int32 = 2, group: String = "PG") -> RemotingCommand {
        SendMessageProcessorTests.send(
            topic: "TxTopic", queueId: queueId,
            properties: "TRAN_MSG\u{1}true\u{2}PGROUP\u{1}\(group)\u{2}UNIQ_KEY\u{1}\(key)\u{2}TAGS\u{1}T\u{2}KEYS\u{1}\(key)\u{2}",
            bornTimestamp: SystemClock.currentTimeMillis())
    }

    static func end(_ sent: RemotingCommand, _ type: MessageSysFlag.TransactionType, key: String, group: String = "PG",
                    offset: Int64? = nil, tranStateTableOffset: Int64? = nil, fromCheck: Bool = false) throws -> RemotingCommand {
        let fields = try #require(sent.extFields)
        let physical = try #require(fields["msgId"].flatMap { MessageId.decodeOffsetMsgId($0) }).physicalOffset
        let header = EndTransactionRequestHeader(
            producerGroup: group, tranStateTableOffset: tranStateTableOffset ?? Int64(fields["queueOffset"] ?? "") ?? -1,
            commitLogOffset: offset ?? physical, commitOrRollback: type.rawValue, fromTransactionCheck: fromCheck, msgId: key)
        return .request(code: .endTransaction, oneway: true, extFields: header.extFields)
    }

    struct Broker {
        let harness: SendMessageProcessorTests.Harness
        let transactions: TransactionalMessageService
        let processor: EndTransactionProcessor

        init() async throws {
            harness = try await SendMessageProcessorTests.Harness()
            var storeConfig = MessageStoreConfig(storePathRootDir: harness.directory)
            storeConfig.brokerRole = .asyncMaster
            transactions = TransactionalMessageService(store: harness.store, metadata: harness.metadata, storeConfig: storeConfig, logger: harness.logger)
            processor = EndTransactionProcessor(transactions: transactions, store: harness.store, storeConfig: storeConfig, logger: harness.logger)
        }

        func end(_ request: RemotingCommand) async throws -> RemotingCommand? {
            switch try processor.process(request, context: RequestContext(connection: harness.connection)) {
            case .response(let response): return response
            case .future(let future): return try await future.get()
            case .none: return nil
            }
        }

        func messages(_ topic: String, queueId: Int32) async -> [StoredMessage] {
            await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
            return harness.store.consumeQueueEntries(topic: topic, queueId: queueId, from: 0, maxCount: 100)
                .compactMap { harness.store.lookMessage(byPhysicalOffset: $0.physicalOffset) }
        }
    }

    @Test func commitShowsTheMessageOnceRollbackAndUnknownDoNot() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        let commit = try await broker.harness.send(Self.half("K1"))
        // Java names the producer's queue and the half queue's offset.
        #expect(commit.extFields?["queueId"] == "2")
        #expect(commit.extFields?["queueOffset"] == "0")
        let rollback = try await broker.harness.send(Self.half("K2"))
        let unknown = try await broker.harness.send(Self.half("K3"))
        #expect(await broker.messages("TxTopic", queueId: 2).isEmpty)

        #expect(try await broker.end(Self.end(commit, .commit, key: "K1"))?.responseCode == .success)
        #expect(try await broker.end(Self.end(rollback, .rollback, key: "K2"))?.responseCode == .success)
        #expect(try await broker.end(Self.end(unknown, .notType, key: "K3")) == nil)

        let visible = await broker.messages("TxTopic", queueId: 2)
        #expect(visible.map(\.properties.uniqueKey) == ["K1"])
        let committed = try #require(visible.first)
        #expect(committed.sysFlag.transactionType == .commit)
        #expect(committed.properties[MessageConst.realTopic] == "TxTopic")
        #expect(committed.properties[MessageConst.transactionPrepared] == "true")
        #expect(committed.preparedTransactionOffset == MessageId.decodeOffsetMsgId(commit.extFields?["msgId"] ?? "")?.physicalOffset)
        // One op record per ended half message, naming its half-queue offset.
        let ops = await broker.messages(TopicValidator.transactionOpHalfTopic, queueId: 0)
        #expect(ops.map { String(buffer: $0.body) } == ["0", "1"])
        #expect(ops.allSatisfy { $0.tags == "d" })
    }

    @Test func endTransactionErrorsAreJavas() async throws {
        let broker = try await Broker()
        defer { broker.harness.close() }
        let sent = try await broker.harness.send(Self.half("K1"))
        let wrongGroup = try await broker.end(Self.end(sent, .commit, key: "K1", group: "Other"))
        #expect(wrongGroup?.responseCode == .systemError)
        #expect(wrongGroup?.remark == "The producer group wrong")
        let wrongQueueOffset = try await broker.end(Self.end(sent, .commit, key: "K1", tranStateTableOffset: 7))
        #expect(wrongQueueOffset?.remark == "The transaction state table offset wrong")
        let unknownOffset = try await broker.end(Self.end(sent, .rollback, key: "K1", offset: 1_000_000))
        #expect(unknownOffset?.responseCode == .systemError)
        #expect(unknownOffset?.remark == "Find prepared transaction message failed")
        #expect(await broker.messages(TopicValidator.transactionOpHalfTopic, queueId: 0).isEmpty)
        #expect(throws: HeaderError.self) {
            try broker.processor.process(.request(code: .endTransaction, extFields: ["producerGroup": "PG"]),
                                         context: RequestContext(connection: broker.harness.connection))
        }
    }

    /// Answers CHECK_TRANSACTION_STATE with a oneway commit, as a Java transaction producer does.
    final class CommittingProducer: RequestProcessor, Sendable {
        let checks = AsyncStream<CheckTransactionStateRequestHeader>.makeStream()
        func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
            let check = try request.decodeHeader(CheckTransactionStateRequestHeader.self)
            let message = try #require(try StoredMessage.decodeAll(request.body ?? ByteBuffer()).first)
            let end = EndTransactionRequestHeader(
                producerGroup: "PG", tranStateTableOffset: check.tranStateTableOffset, commitLogOffset: check.commitLogOffset,
                commitOrRollback: MessageSysFlag.TransactionType.commit.rawValue, fromTransactionCheck: true,
                msgId: message.properties.uniqueKey ?? "", transactionId: check.transactionId)
            context.connection.sendOneway(.request(code: .endTransaction, extFields: end.extFields))
            checks.continuation.yield(check)
            return .none
        }
    }

    @Test func anUnknownTransactionIsCheckedAndCommittedOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tx-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePort.broker()
        let broker = try BrokerController(startup: try BrokerStartup(properties: JavaProperties([
            ("listenPort", String(port)), ("storePathRootDir", directory), ("mappedFileSizeCommitLog", "1048576"),
            ("mappedFileSizeConsumeQueue", "6000"), ("transactionCheckInterval", "1000"), ("transactionTimeOut", "0"),
        ])), logger: BrokerControllerTests.logger)
        try await BrokerControllerTests.running(broker) {
            _ = try await broker.ready()
            let producer = CommittingProducer()
            var processors = RequestProcessorTable()
            processors.register(producer, for: [.checkTransactionState])
            let connection = try await RemotingClient.connect(host: "127.0.0.1", port: port, processors: processors, logger: BrokerControllerTests.logger)
            defer { connection.close() }
            let heartbeat = HeartbeatData(clientID: "127.0.0.1@tx", producerDataSet: ["PG"], consumerDataSet: [])
            #expect(try await connection.send(.request(code: .heartBeat, body: heartbeat.encoded())).responseCode == .success)
            let sent = try await connection.send(Self.half("K9", queueId: 1))
            connection.sendOneway(try Self.end(sent, .notType, key: "K9"))

            let check = try #require(await BrokerControllerTests.first(of: producer.checks.stream, within: .seconds(10)))
            #expect(check.msgId == "K9")
            // The check names the copy put back in the half queue, which the commit ends.
            #expect(check.tranStateTableOffset == 1)
            let deadline = ContinuousClock.now + .seconds(10)
            var delivered: [StoredMessage] = []
            while delivered.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                await broker.store.waitForDispatch(upTo: broker.store.maxPhysicalOffset)
                delivered = broker.store.consumeQueueEntries(topic: "TxTopic", queueId: 1, from: 0, maxCount: 10)
                    .compactMap { broker.store.lookMessage(byPhysicalOffset: $0.physicalOffset) }
            }
            #expect(delivered.map(\.properties.uniqueKey) == ["K9"])
            #expect(delivered.first?.properties[MessageConst.transactionCheckTimes] == "1")
            // The next pass finds the op record and asks nothing more.
            await broker.transactions.check(transactionTimeout: 0, transactionCheckMax: 15)
            #expect(broker.store.getMaxOffsetInQueue(topic: "TxTopic", queueId: 1) == 1)
            #expect(broker.metadata.withState {
                $0.offsets.offset(group: TransactionalMessageService.checkGroup, topic: TopicValidator.transactionHalfTopic, queueId: 0)
            } == 2)
        }
    }
}
