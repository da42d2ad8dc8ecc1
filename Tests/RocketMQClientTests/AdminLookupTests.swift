import ClusterSupport
import Foundation
import NIOCore
import RemotingCodec
@testable import RocketMQClient
import RocketMQModel
import Testing

/// The admin look-ups a gateway needs: does a topic exist, and how far behind is a group.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AdminLookupTests {
    @Test func topicExistsAndConsumeStatsShowTheLag() async throws {
        try await TestCluster.with { namesrv in
            let client = ClientEndToEndTests.client(namesrv)
            let producer = try await ClientEndToEndTests.producer(namesrv)
            for index in 0..<8 {
                _ = try await producer.send(Message(topic: "LagTopic", body: "m\(index)"), shardingKey: "k\(index % 2)")
            }
            let instance = producer.instance
            #expect(try await instance.topicExists("LagTopic"))
            #expect(try await !instance.topicExists("NoSuchTopic"))

            // Consume everything, commit, and compare: the group's offsets reach the broker's max offsets.
            let inbox = Inbox<ReceivedMessage>()
            let consumer = PushConsumer(configuration: ClientEndToEndTests.consumerConfiguration("CG_LAG"), client: client)
            try consumer.subscribe(topic: "LagTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(message) }
                return .consumeSuccess
            })
            #expect(await inbox.wait(for: 8).count == 8)
            await consumer.shutdown()  // persists the offsets
            let stats = try await instance.consumeStats(group: "CG_LAG", topic: "LagTopic")
            #expect(!stats.offsetTable.isEmpty)
            #expect(stats.offsetTable.allSatisfy { $0.queue.topic == "LagTopic" })
            #expect(stats.offsetTable.reduce(0) { $0 + $1.offsets.brokerOffset } == 8)
            #expect(stats.offsetTable.allSatisfy { $0.offsets.consumerOffset == $0.offsets.brokerOffset })

            // Two more, with no consumer running: a lag of two.
            _ = try await producer.send(Message(topic: "LagTopic", body: "late 1"))
            _ = try await producer.send(Message(topic: "LagTopic", body: "late 2"))
            // The consume queues are built asynchronously from the commit log (reput): poll, bounded.
            var lag: Int64 = 0
            for _ in 0..<100 {
                let later = try await instance.consumeStats(group: "CG_LAG", topic: "LagTopic")
                lag = later.offsetTable.reduce(0) { $0 + $1.offsets.brokerOffset - $1.offsets.consumerOffset }
                if lag >= 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(lag == 2)
            await producer.shutdown()
        }
    }
}
