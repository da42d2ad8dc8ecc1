import Broker
import Foundation
import NIOCore
import NIOEmbedded
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// LOCK_BATCH_MQ / UNLOCK_BATCH_MQ: one live client per queue and group, 60 s expiry, renewal.
@Suite struct RebalanceLockTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64 = 1_000_000
        var now: Int64 {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    static let queues = (0..<3).map { MessageQueue(topic: "T", brokerName: "broker-a", queueId: $0) }

    static func lock(_ processor: AdminBrokerProcessor, _ clientId: String, _ queues: [MessageQueue], group: String = "G",
                     on connection: RemotingConnection) throws -> Set<MessageQueue> {
        let body = LockBatchRequestBody(consumerGroup: group, clientId: clientId, mqSet: queues)
        guard case .response(let response) = try processor.process(
            .request(code: .lockBatchMQ, body: body.encoded()), context: RequestContext(connection: connection)) else {
            throw BodyError("no response")
        }
        #expect(response.responseCode == .success)
        return Set(try LockBatchResponseBody(body: response.body).lockOKMQSet)
    }

    static func unlock(_ processor: AdminBrokerProcessor, _ clientId: String, _ queues: [MessageQueue], on connection: RemotingConnection) throws {
        let body = LockBatchRequestBody(consumerGroup: "G", clientId: clientId, mqSet: queues)
        guard case .response(let response) = try processor.process(
            .request(code: .unlockBatchMQ, body: body.encoded()), context: RequestContext(connection: connection)) else {
            throw BodyError("no response")
        }
        #expect(response.responseCode == .success)
        #expect(response.remark == nil)
    }

    @Test func oneLiveOwnerPerQueueUntilExpiryOrUnlock() async throws {
        let clock = Clock()
        let harness = try await AdminHarness(clock: { clock.now })
        defer { harness.close() }
        let (metadata, processor) = (harness.metadata, harness.processor)
        let channel = NIOAsyncTestingChannel()
        let connection = RemotingConnection(channel: channel)
        let queues = Self.queues

        #expect(try Self.lock(processor, "A", [queues[0], queues[1]], on: connection) == [queues[0], queues[1]])
        // B gets only the free queue; another group is independent.
        #expect(try Self.lock(processor, "B", queues, on: connection) == [queues[2]])
        #expect(try Self.lock(processor, "B", queues, group: "OtherGroup", on: connection) == Set(queues))
        // A renews at 50 s; at 100 s its lock is 50 s old, still live.
        clock.now += 50_000
        #expect(try Self.lock(processor, "A", [queues[0]], on: connection) == [queues[0]])
        clock.now += 50_000
        #expect(try Self.lock(processor, "B", [queues[0], queues[1]], on: connection) == [queues[1]])
        // Unlocking someone else's queue does nothing; the owner's unlock frees it.
        try Self.unlock(processor, "B", [queues[0]], on: connection)
        #expect(metadata.withState { $0.locks.owner(group: "G", queue: queues[0], now: clock.now) } == "A")
        try Self.unlock(processor, "A", [queues[0]], on: connection)
        #expect(try Self.lock(processor, "B", [queues[0]], on: connection) == [queues[0]])
        // A body that is not a lock request is Java's SYSTEM_ERROR path (a thrown body error).
        #expect(throws: BodyError.self) {
            try processor.process(.request(code: .lockBatchMQ, body: ByteBuffer(string: "[]")), context: RequestContext(connection: connection))
        }
        try await channel.close()
    }
}
