import ClusterSupport
import Foundation
import NIOCore
import RemotingCodec
@testable import RocketMQClient
import Synchronization
import Testing

/// An orderly queue changes owner only after the old owner's handler call returned (Java's `consumeLock`
/// in `removeUnnecessaryMessageQueue`), and the new owner starts at the last committed offset.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct OrderlyHandoverTests {
    final class Log: Sendable {
        private let events = Mutex<[String]>([])
        func append(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }
    }

    static func consumer(_ namesrv: String, instance: String) -> PushConsumer {
        var client = ClientEndToEndTests.client(namesrv)
        client.instanceName = instance
        return PushConsumer(configuration: ClientEndToEndTests.consumerConfiguration("CG_HANDOVER"), client: client)
    }

    @Test func aQueueMovesOnlyAfterTheOldOwnersHandlerReturned() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await ClientEndToEndTests.producer(namesrv)
            for index in 0..<6 {  // all to queue 0 (the first send creates the topic, with 4 queues)
                let sent = try await producer.send(Message(topic: "HandoverTopic", body: "m\(index)"), selector: { queues, _ in
                    queues.first { $0.queueId == 0 } ?? queues[0]
                })
                #expect(sent.messageQueue.queueId == 0)
            }
            await producer.shutdown()

            let log = Log()
            let (entered, enteredNow) = AsyncStream<Void>.makeStream()
            let (gate, openGate) = AsyncStream<Void>.makeStream()
            // "member-2" owns every queue alone; "member-1" sorts first, so it gets queues 0 and 1 when it joins.
            let old = Self.consumer(namesrv, instance: "member-2")
            try old.subscribe(topic: "HandoverTopic")
            try await old.start(orderly: { messages in
                for message in messages {
                    let body = String(buffer: message.body)
                    log.append("old-begin \(body)")
                    if body == "m0" {
                        enteredNow.yield()
                        for await _ in gate { break }
                    }
                    log.append("old-end \(body)")
                }
                return .success
            })
            var arrivals = entered.makeAsyncIterator()
            _ = await arrivals.next()  // the old owner is inside its handler with m0

            let received = Inbox<String>()
            let new = Self.consumer(namesrv, instance: "member-1")
            try new.subscribe(topic: "HandoverTopic")
            try await new.start(orderly: { messages in
                for message in messages where message.queue.queueId == 0 {
                    log.append("new \(String(buffer: message.body))")
                    received.append(String(buffer: message.body))
                }
                return .success
            })
            // Both rebalance (as NOTIFY_CONSUMER_IDS_CHANGED makes them): the old owner drops queue 0 but keeps
            // its lock while m0 is in its handler, so the new one's attempts to lock it fail for now.
            await old.rebalance()
            for _ in 0..<10 {
                await new.rebalance()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(received.all.isEmpty, "the new owner consumed \(received.all) while m0 was in the old owner's handler")

            openGate.yield()
            // The old owner stops after m0 and unlocks; the new one gets queue 0 at its next rebalance, from the
            // last committed offset: m0 again (as with Java, a message in a handler at the drop is not committed).
            let deadline = ContinuousClock.now + .seconds(20)
            while received.all.count < 6, ContinuousClock.now < deadline {
                await new.rebalance()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(received.all == ["m0", "m1", "m2", "m3", "m4", "m5"])
            let events = log.all
            #expect(events.prefix(3) == ["old-begin m0", "old-end m0", "new m0"], "\(events)")
            #expect(!events.contains("old-begin m1"), "\(events)")
            await new.shutdown()
            await old.shutdown()
        }
    }
}
