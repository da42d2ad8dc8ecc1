import Foundation
import NIOCore
import RemotingCodec
import RocketMQClient
import RocketMQModel
import Testing

/// The Swift client (RocketMQClient) and the unmodified C++ client (PyPI rocketmq==0.4.4) through
/// `rocketmq dev`: each consumes what the other produced — keys, tags, user properties and bodies
/// (a 100 kB one, compressed on the wire) intact — for normal, ordered, delayed and (Swift only:
/// the PyPI client has no transaction producer) transactional messages. The C++ side is
/// Interop/client_interop_driver.py, which uses broker_common.py's message convention.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ClientInteropTests {
    static func client(_ dev: Sandbox.Dev) -> ClientConfiguration {
        ClientConfiguration(nameServers: [dev.namesrv], clientIP: "127.0.0.1")
    }

    /// broker_common.make_message's convention, with the driver's `swift_body_for` body.
    static func message(topic: String, run: String, seq: Int) -> Message {
        var body = "body \(run)/\(seq) \u{e9}\u{2713} ="
        if seq == 5 { body += String(repeating: "0123456789", count: 10_000) }
        var message = Message(topic: topic, body: body, tags: seq % 2 == 0 ? "TagA" : "TagB", keys: ["KEY-\(run)-\(seq)"])
        message[property: "run"] = run
        message[property: "seq"] = String(seq)
        message[property: "note"] = "user property \u{fc}=1 b"
        return message
    }

    static func producer(_ dev: Sandbox.Dev, group: String,
                         checker: (@Sendable (ReceivedMessage) async -> LocalTransactionState)? = nil) async throws -> Producer {
        let producer = Producer(configuration: ProducerConfiguration(group: group), client: client(dev), transactionChecker: checker)
        try await producer.start()
        return producer
    }

    @Test func cppConsumesWhatSwiftProduced() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let producer = try await Self.producer(dev, group: "PG_SWIFT_INTEROP")
            var sent: [String] = []
            for seq in 0..<8 {
                let result = try await producer.send(Self.message(topic: "SwiftToCpp", run: "s1", seq: seq))
                #expect(result.status == .sendOK)
                sent.append(result.msgId)
            }
            await producer.shutdown()
            let outcome = try await sandbox.driver("client_interop_driver.py", [
                "consume", "--namesrv", dev.namesrv, "--topic", "SwiftToCpp", "--group", "CG_CPP_FROM_SWIFT",
                "--run", "s1", "--count", "8",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            // RECV <consumer> <msgId> <queueId> <queueOffset> <run> <seq>: the ids the Swift producer made.
            let ids = Set(outcome.lines("RECV").map { String($0.split(separator: " ")[1]) })
            #expect(ids == Set(sent))
        }
    }

    @Test func swiftConsumesWhatCppProduced() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let outcome = try await sandbox.driver("client_interop_driver.py", [
                "produce", "--namesrv", dev.namesrv, "--topic", "CppToSwift", "--group", "PG_CPP", "--run", "c1", "--count", "8",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            let received = try await Self.consume(dev, topic: "CppToSwift", group: "CG_SWIFT_FROM_CPP", count: 8)
            try Self.check(received, against: outcome, run: "c1", topic: "CppToSwift")
        }
    }

    @Test func orderedBothWays() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            // Swift → C++: three sharding keys; the C++ orderly consumer sees each queue in send order.
            let producer = try await Self.producer(dev, group: "PG_SWIFT_ORDER")
            for seq in 0..<12 {
                _ = try await producer.send(Self.message(topic: "SwiftOrder", run: "o1", seq: seq), shardingKey: "K\(seq % 3)")
            }
            await producer.shutdown()
            let cpp = try await sandbox.driver("client_interop_driver.py", [
                "consume", "--namesrv", dev.namesrv, "--topic", "SwiftOrder", "--group", "CG_CPP_ORDER", "--run", "o1",
                "--count", "12", "--orderly",
            ], servers: [dev.process])
            try sandbox.expectOK(cpp, servers: [dev.process])
            #expect(cpp.lines("ORDER").count == 3, "\(cpp.output)")

            // C++ → Swift: send_orderly by seq % 3; the Swift orderly consumer sees each queue in offset order.
            let produced = try await sandbox.driver("client_interop_driver.py", [
                "produce", "--namesrv", dev.namesrv, "--topic", "CppOrder", "--group", "PG_CPP_ORDER", "--run", "o2",
                "--count", "12", "--sharding", "3",
            ], servers: [dev.process])
            try sandbox.expectOK(produced, servers: [dev.process])
            let received = try await Self.consume(dev, topic: "CppOrder", group: "CG_SWIFT_ORDER", count: 12, orderly: true)
            try Self.check(received, against: produced, run: "o2", topic: "CppOrder")
            for (_, messages) in Dictionary(grouping: received, by: \.queue.queueId) {
                let offsets = messages.map(\.queueOffset)
                #expect(offsets == offsets.sorted())
                let seqs = messages.compactMap { $0.properties["seq"].flatMap { Int($0) } }
                #expect(Set(seqs.map { $0 % 3 }).count == 1, "one sharding key per queue: \(seqs)")
            }
        }
    }

    @Test func delayedBothWays() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let producer = try await Self.producer(dev, group: "PG_SWIFT_DELAY")
            for seq in 0..<3 {
                var message = Self.message(topic: "SwiftDelay", run: "d1", seq: seq)
                message.delayTimeLevel = 1
                _ = try await producer.send(message)
            }
            await producer.shutdown()
            let cpp = try await sandbox.driver("client_interop_driver.py", [
                "consume", "--namesrv", dev.namesrv, "--topic", "SwiftDelay", "--group", "CG_CPP_DELAY", "--run", "d1",
                "--count", "3", "--delay-ms", "1000",
            ], servers: [dev.process])
            try sandbox.expectOK(cpp, servers: [dev.process])

            let produced = try await sandbox.driver("client_interop_driver.py", [
                "produce", "--namesrv", dev.namesrv, "--topic", "CppDelay", "--group", "PG_CPP_DELAY", "--run", "d2",
                "--count", "3", "--delay-level", "1",
            ], servers: [dev.process])
            try sandbox.expectOK(produced, servers: [dev.process])
            let received = try await Self.consume(dev, topic: "CppDelay", group: "CG_SWIFT_DELAY", count: 3)
            // A delayed message's SENT offset is its offset in SCHEDULE_TOPIC_XXXX, not in CppDelay.
            try Self.check(received, against: produced, run: "d2", topic: "CppDelay", offsets: false)
            for message in received {
                #expect(message.storeTimestamp - message.bornTimestamp >= 900, "stored \(message.storeTimestamp - message.bornTimestamp) ms after birth")
                #expect(message.properties["DELAY"] == "1")
            }
        }
    }

    @Test func cppConsumesSwiftTransactionsThatCommitted() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: ["transactionCheckInterval": "1000", "transactionTimeOut": "1000"])
            let producer = try await Self.producer(dev, group: "PG_SWIFT_TX") { message in
                message.properties["seq"] == "2" ? .commitMessage : .rollbackMessage
            }
            let states: [LocalTransactionState] = [.commitMessage, .rollbackMessage, .unknown]
            for (seq, state) in states.enumerated() {
                let result = try await producer.sendInTransaction(Self.message(topic: "SwiftTx", run: "t1", seq: seq)) { _, _ in state }
                #expect(result.sendResult.status == .sendOK && result.localTransactionState == state)
            }
            // seq 2 is committed only when the broker's check reaches the Swift producer, still running here.
            let cpp = try await sandbox.driver("client_interop_driver.py", [
                "consume", "--namesrv", dev.namesrv, "--topic", "SwiftTx", "--group", "CG_CPP_TX", "--run", "t1",
                "--only-seqs", "0,2", "--settle", "3",
            ], servers: [dev.process])
            await producer.shutdown()
            try sandbox.expectOK(cpp, servers: [dev.process])
        }
    }

    // MARK: helpers

    /// A Swift push consumer until `count` messages arrived (20 s at most).
    static func consume(_ dev: Sandbox.Dev, topic: String, group: String, count: Int, orderly: Bool = false) async throws -> [ReceivedMessage] {
        var configuration = PushConsumerConfiguration(group: group)
        configuration.consumeFromWhere = .consumeFromFirstOffset
        let consumer = PushConsumer(configuration: configuration, client: client(dev))
        try consumer.subscribe(topic: topic)
        let (stream, continuation) = AsyncStream<ReceivedMessage>.makeStream()
        if orderly {
            try await consumer.start(orderly: { messages in
                for message in messages { continuation.yield(message) }
                return .success
            })
        } else {
            try await consumer.start(concurrently: { messages in
                for message in messages { continuation.yield(message) }
                return .consumeSuccess
            })
        }
        let collector = Task {
            var received: [ReceivedMessage] = []
            for await message in stream {
                received.append(message)
                if received.count >= count { break }
            }
            return received
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            continuation.finish()
        }
        let received = await collector.value
        timeout.cancel()
        await consumer.shutdown()
        return received
    }

    /// Each message is the one the C++ producer sent: id, offset, keys, tags, properties, body.
    static func check(_ received: [ReceivedMessage], against outcome: InteropDriver.Outcome, run: String, topic: String,
                      offsets: Bool = true) throws {
        // SENT <msgId> <queueOffset> <run>/<seq> <tags>; BODY <run>/<seq> <crc32> <length>
        var sent: [Int: (id: String, offset: Int64)] = [:]
        for fields in outcome.lines("SENT").map({ $0.split(separator: " ") }) {
            sent[Int(fields[2].split(separator: "/")[1])!] = (String(fields[0]), Int64(fields[1])!)
        }
        var bodies: [Int: (crc: UInt32, length: Int)] = [:]
        for fields in outcome.lines("BODY").map({ $0.split(separator: " ") }) {
            bodies[Int(fields[0].split(separator: "/")[1])!] = (UInt32(fields[1])!, Int(fields[2])!)
        }
        #expect(received.count == sent.count, "\(received.count) received, \(sent.count) sent")
        for message in received {
            let seq = try #require(message.properties["seq"].flatMap { Int($0) })
            #expect(message.topic == topic && message.properties["run"] == run)
            #expect(message.msgId == sent[seq]?.id)
            if offsets { #expect(message.queueOffset == sent[seq]?.offset) }
            #expect(message.keys == ["KEY-\(run)-\(seq)"] && message.tags == (seq % 2 == 0 ? "TagA" : "TagB"))
            #expect(message.properties["note"] == "user property \u{fc}=1 b")
            #expect(CRC32.checksum(message.body) == bodies[seq]?.crc && message.body.readableBytes == bodies[seq]?.length)
            if seq != 5 { #expect(String(buffer: message.body) == "body \(run)/\(seq) \u{e9}\u{2713} =") }
        }
    }
}
