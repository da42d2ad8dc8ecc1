import ClusterSupport
import Foundation
import NIOCore
import RemotingCodec
@testable import RocketMQClient
import RocketMQModel
import Testing

/// The Swift client against our broker in this process: what one side sends, the other gets intact.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ClientEndToEndTests {
    static func client(_ namesrv: String) -> ClientConfiguration {
        ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1")
    }

    static func producer(_ namesrv: String, group: String = "PG_SWIFT") async throws -> Producer {
        let producer = Producer(configuration: ProducerConfiguration(group: group), client: client(namesrv))
        try await producer.start()
        return producer
    }

    static func consumerConfiguration(_ group: String) -> PushConsumerConfiguration {
        var configuration = PushConsumerConfiguration(group: group)
        configuration.consumeFromWhere = .consumeFromFirstOffset
        configuration.brokerSuspendMaxTime = .seconds(2)
        return configuration
    }

    @Test func sendsAndPushConsumesWithKeysTagsAndProperties() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await Self.producer(namesrv)
            var sent: [String: SendResult] = [:]
            for index in 0..<20 {
                var message = Message(topic: "SwiftTopic", body: "hello \(index)", tags: index % 2 == 0 ? "TagA" : "TagB",
                                      keys: ["key-\(index)", "k\(index)"])
                message[property: "seq"] = String(index)
                let result = try await producer.send(message)
                #expect(result.status == .sendOK)
                sent[result.msgId] = result
            }
            // A large body is compressed on the wire and inflated for the consumer.
            let big = String(repeating: "0123456789", count: 1000)
            let bigResult = try await producer.send(Message(topic: "SwiftTopic", body: big, tags: "TagA"))
            await producer.shutdown()

            let inbox = Inbox<ReceivedMessage>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_SWIFT"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "SwiftTopic", expression: "TagA")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(message) }
                return .consumeSuccess
            })
            let received = await inbox.wait(for: 11)
            await consumer.shutdown()
            #expect(received.count == 11)
            for message in received where message.msgId != bigResult.msgId {
                let result = try #require(sent[message.msgId])
                let index = try #require(Int(message.properties["seq"] ?? ""))
                #expect(String(buffer: message.body) == "hello \(index)")
                #expect(message.tags == "TagA")
                #expect(message.keys == ["key-\(index)", "k\(index)"])
                #expect(message.offsetMsgId == result.offsetMsgId)
                #expect(message.queue.queueId == result.messageQueue.queueId && message.queueOffset == result.queueOffset)
            }
            let bigMessage = try #require(received.first { $0.msgId == bigResult.msgId })
            #expect(String(buffer: bigMessage.body) == big)
        }
    }

    @Test func committedOffsetsResumeWhereTheGroupLeftOff() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await Self.producer(namesrv)
            for index in 0..<8 { _ = try await producer.send(Message(topic: "ResumeTopic", body: "first \(index)")) }
            let first = Inbox<String>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_RESUME"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "ResumeTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { first.append(String(buffer: message.body)) }
                return .consumeSuccess
            })
            #expect(await first.wait(for: 8).count == 8)
            await consumer.shutdown()

            for index in 0..<4 { _ = try await producer.send(Message(topic: "ResumeTopic", body: "second \(index)")) }
            let second = Inbox<String>()
            let again = PushConsumer(configuration: Self.consumerConfiguration("CG_RESUME"), client: Self.client(namesrv))
            try again.subscribe(topic: "ResumeTopic")
            try await again.start(concurrently: { messages in
                for message in messages { second.append(String(buffer: message.body)) }
                return .consumeSuccess
            })
            let resumed = await second.wait(for: 4)
            await again.shutdown()
            await producer.shutdown()
            #expect(Set(resumed) == Set((0..<4).map { "second \($0)" }))
        }
    }

    @Test func reconsumeLaterComesBackThroughTheRetryTopic() async throws {
        try await TestCluster.with(properties: [("messageDelayLevel", "1s 1s 1s 1s 1s 1s")]) { namesrv in
            let producer = try await Self.producer(namesrv)
            let sent = try await producer.send(Message(topic: "RetryTopic", body: "again", tags: "T"))
            await producer.shutdown()
            let deliveries = Inbox<ReceivedMessage>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_RETRY"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "RetryTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { deliveries.append(message) }
                return messages[0].reconsumeTimes == 0 ? .reconsumeLater : .consumeSuccess
            })
            let seen = await deliveries.wait(for: 2, timeout: .seconds(30))
            await consumer.shutdown()
            #expect(seen.count == 2)
            #expect(seen.map(\.msgId) == [sent.msgId, sent.msgId])
            #expect(seen.map(\.reconsumeTimes) == [0, 1])
            // The redelivery shows the original topic, and comes from the group's retry queue.
            #expect(seen[1].topic == "RetryTopic" && seen[1].queue.topic == "%RETRY%CG_RETRY")
            #expect(String(buffer: seen[1].body) == "again")
        }
    }

    @Test func orderedSendsAreConsumedInOrderPerShardingKey() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await Self.producer(namesrv)
            for step in 0..<10 {
                for order in ["order-1", "order-2", "order-3"] {
                    _ = try await producer.send(Message(topic: "OrderTopic", body: "\(order):\(step)"), shardingKey: order)
                }
            }
            await producer.shutdown()
            let inbox = Inbox<String>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_ORDER"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "OrderTopic")
            try await consumer.start(orderly: { messages in
                for message in messages { inbox.append(String(buffer: message.body)) }
                return .success
            })
            let received = await inbox.wait(for: 30)
            await consumer.shutdown()
            for order in ["order-1", "order-2", "order-3"] {
                let steps = received.filter { $0.hasPrefix(order + ":") }.map { Int($0.split(separator: ":")[1])! }
                #expect(steps == Array(0..<10))
            }
        }
    }

    @Test func batchDelayAndOnewaySends() async throws {
        try await TestCluster.with(properties: [("messageDelayLevel", "1s 2s")]) { namesrv in
            let producer = try await Self.producer(namesrv)
            let batch = (0..<5).map { Message(topic: "BatchTopic", body: "b\($0)", tags: "B", keys: ["bk\($0)"]) }
            let result = try await producer.send(batch: batch)
            #expect(result.status == .sendOK)
            #expect(result.msgId.split(separator: ",").count == 5)
            try await producer.sendOneway(Message(topic: "BatchTopic", body: "oneway", tags: "O"))
            var delayed = Message(topic: "BatchTopic", body: "delayed", tags: "D")
            delayed.delayTimeLevel = 1
            let sentAt = SystemClock.currentTimeMillis()
            _ = try await producer.send(delayed)
            await producer.shutdown()

            let inbox = Inbox<ReceivedMessage>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_BATCH"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "BatchTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(message) }
                return .consumeSuccess
            })
            let received = await inbox.wait(for: 7)
            await consumer.shutdown()
            #expect(Set(received.map { String(buffer: $0.body) }) == Set((0..<5).map { "b\($0)" } + ["oneway", "delayed"]))
            let delivered = try #require(received.first { String(buffer: $0.body) == "delayed" })
            #expect(delivered.storeTimestamp - sentAt >= 900)
            #expect(received.first { String(buffer: $0.body) == "b3" }?.keys == ["bk3"])
        }
    }

    @Test func transactionsCommitRollBackAndAnswerChecks() async throws {
        try await TestCluster.with(properties: [
            ("transactionCheckInterval", "1000"), ("transactionTimeOut", "1000"),
        ]) { namesrv in
            let producer = Producer(configuration: ProducerConfiguration(group: "PG_TX"), client: Self.client(namesrv),
                                    transactionChecker: { message in
                                        String(buffer: message.body) == "unknown-then-commit" ? .commitMessage : .rollbackMessage
                                    })
            try await producer.start()
            let committed = try await producer.sendInTransaction(Message(topic: "TxTopic", body: "commit")) { _, _ in .commitMessage }
            #expect(committed.localTransactionState == .commitMessage)
            _ = try await producer.sendInTransaction(Message(topic: "TxTopic", body: "rollback")) { _, _ in .rollbackMessage }
            _ = try await producer.sendInTransaction(Message(topic: "TxTopic", body: "unknown-then-commit")) { _, _ in .unknown }

            let inbox = Inbox<String>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_TX"), client: Self.client(namesrv))
            try consumer.subscribe(topic: "TxTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(String(buffer: message.body)) }
                return .consumeSuccess
            })
            // The third arrives only after the broker asked the checker.
            let received = await inbox.wait(for: 2, timeout: .seconds(40))
            await consumer.shutdown()
            await producer.shutdown()
            #expect(Set(received) == ["commit", "unknown-then-commit"])
        }
    }

    @Test func pullConsumerWithExplicitOffsets() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await Self.producer(namesrv)
            let queue = MessageQueue(topic: "PullTopic", brokerName: "broker-a", queueId: 0)
            _ = try await producer.fetchPublishQueues(topic: "PullTopic")
            for index in 0..<5 {
                _ = try await producer.send(Message(topic: "PullTopic", body: "p\(index)", tags: index == 2 ? "X" : "Y"), to: queue)
            }
            await producer.shutdown()
            let consumer = PullConsumer(group: "CG_PULL", client: Self.client(namesrv))
            try await consumer.start()
            let queues = try await consumer.fetchSubscribeQueues(topic: "PullTopic")
            #expect(queues.contains(queue))
            // Consume queues are built from the commit log asynchronously (Java's reput): wait for all five.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await consumer.instance.maxOffset(queue) < 5, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let all = try await consumer.pull(queue, offset: 0, maxCount: 3)
            #expect(all.status == .found && all.messages.map { String(buffer: $0.body) } == ["p0", "p1", "p2"])
            #expect(all.nextBeginOffset == 3 && all.maxOffset == 5)
            let tagged = try await consumer.pull(queue, expression: "Y", offset: 0)
            #expect(tagged.messages.map { String(buffer: $0.body) } == ["p0", "p1", "p3", "p4"])
            let none = try await consumer.pull(queue, offset: 5)
            #expect(none.status == .noNewMessage)
            // A group with no offset on a queue whose first message is still in memory starts at 0 (Java's broker).
            #expect(try await consumer.committedOffset(queue) == 0)
            try await consumer.commit(queue, offset: 3)
            #expect(try await consumer.committedOffset(queue) == 3)
            await consumer.shutdown()
        }
    }

    @Test func failsOverToTheNextNameServerAndSpeaksRocketMQHeaders() async throws {
        try await TestCluster.with { namesrv in
            // The first name server refuses connections; ROCKETMQ binary headers instead of JSON.
            var client = ClientConfiguration(nameServers: ["127.0.0.1:1", namesrv], clientIP: "127.0.0.1")
            client.serializeType = .rocketmq
            let producer = Producer(configuration: ProducerConfiguration(group: "PG_FAILOVER"), client: client)
            try await producer.start()
            let sent = try await producer.send(Message(topic: "FailoverTopic", body: "over", tags: "F"))
            await producer.shutdown()
            let inbox = Inbox<ReceivedMessage>()
            let consumer = PushConsumer(configuration: Self.consumerConfiguration("CG_FAILOVER"), client: client)
            try consumer.subscribe(topic: "FailoverTopic")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(message) }
                return .consumeSuccess
            })
            let received = await inbox.wait(for: 1)
            await consumer.shutdown()
            #expect(received.map(\.msgId) == [sent.msgId])
        }
    }

    @Test func brokerErrorsAreTyped() async throws {
        try await TestCluster.with { namesrv in
            let producer = try await Self.producer(namesrv)
            await #expect(throws: MQClientError.self) {
                _ = try await producer.send(Message(topic: "SCHEDULE_TOPIC_XXXX", body: "x"))
            }
            await #expect(throws: MQClientError.self) {
                _ = try await producer.send(Message(topic: "Empty", body: ""))
            }
            let consumer = PullConsumer(group: "CG_ERR", client: Self.client(namesrv))
            try await consumer.start()
            await #expect(throws: MQClientError.self) { _ = try await consumer.fetchSubscribeQueues(topic: "NoSuchTopic") }
            await consumer.shutdown()
            await producer.shutdown()
        }
    }
}
