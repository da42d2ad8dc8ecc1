import Foundation
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

/// The store directories written by Apache RocketMQ 4.9.8 (`Fixtures/store-4.9.8`, see its README): a clean stop
/// and a SIGKILL. They open, every message reads back with the same offsets, keys, tags and bodies, the consume
/// queues and the index file are the same bytes, queries by key find every message, and every acknowledged send
/// survives the SIGKILL.
@Suite struct JavaFixtureStoreTests {
    static let storeDirectory = fixturesRoot.appendingPathComponent("store-4.9.8")

    static func config(root: String) -> MessageStoreConfig {
        var config = MessageStoreConfig()
        let result = config.apply(JavaProperties([
            ("storePathRootDir", root), ("mappedFileSizeCommitLog", "65536"), ("mappedFileSizeConsumeQueue", "6000"),
            ("maxHashSlotNum", "1000"), ("maxIndexNum", "4000"), ("flushDiskType", "SYNC_FLUSH"), ("brokerRole", "ASYNC_MASTER"),
            // A loaded CI machine has taken longer than the default 5 s for one fdatasync.
            ("syncFlushTimeout", "30000"),
        ]))
        precondition(result == ConfigApplication())
        return config
    }

    /// Every entry of the pristine fixture's commit log, decoded independently of the store.
    static func entries(_ name: String) throws -> [StoredMessage] {
        var messages: [StoredMessage] = []
        for file in ["00000000000000000000", "00000000000000065536"] {
            let data = try Data(contentsOf: Self.storeDirectory.appendingPathComponent("\(name)/commitlog/\(file)"))
            var buffer = ByteBuffer(bytes: data)
            while buffer.readableBytes >= 8, buffer.getInteger(at: buffer.readerIndex, as: Int32.self) != 0 {
                guard let message = try? StoredMessage.decode(from: &buffer, verifyBodyCRC: true) else { break }
                messages.append(message)
            }
        }
        return messages
    }

    /// Acknowledged sends: seq → (UNIQ_KEY, queue offset).
    static func sent(_ logs: [String]) throws -> [Int: (uniqueKey: String, queueOffset: Int64)] {
        var sent: [Int: (String, Int64)] = [:]
        for log in logs {
            let text = try String(contentsOf: Self.storeDirectory.appendingPathComponent(log), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["status"] as? Int == 0)
                sent[try #require(object["i"] as? Int)] = (
                    try #require(object["msg_id"] as? String), Int64(try #require(object["offset"] as? Int))
                )
            }
        }
        return sent
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(arguments: [("clean-shutdown", 302, true), ("after-sigkill", 352, false)])
    func opensAndServesEveryMessage(name: String, count: Int, clean: Bool) async throws {
        let expected = try Self.entries(name)
        #expect(expected.count == count)
        let logs = clean ? ["clean-shutdown-sent.jsonl"] : ["clean-shutdown-sent.jsonl", "after-sigkill-sent.jsonl"]
        let sent = try Self.sent(logs)
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            try copyTree(from: Self.storeDirectory.appendingPathComponent(name).path, to: root)
            let consumeQueueFiles = ["StoreFixtureTopic/0", "StoreFixtureTopic/1", "StoreFixtureTopic/2", "StoreFixtureTopic/3",
                                     "SCHEDULE_TOPIC_XXXX/17"].map { "consumequeue/\($0)/00000000000000000000" }
            let indexName = try #require(try FileManager.default.contentsOfDirectory(atPath: root + "/index").first)
            var originals: [String: [UInt8]] = [:]
            for file in consumeQueueFiles + ["index/\(indexName)"] {
                originals[file] = try Self.bytes(root + "/" + file)
            }

            let store = try openStore(Self.config(root: root))
            #expect(store.lastExitOK == clean)
            #expect(!store.recovery.tornTail)
            #expect(store.recovery.truncatedConsumeQueues == 0)
            let last = try #require(expected.last)
            #expect(store.maxPhysicalOffset == last.physicalOffset + Int64(last.storeSize))
            #expect(store.minPhysicalOffset == 0)
            #expect(store.dispatchBehindBytes == 0)
            if !clean {
                // The SIGKILL store re-dispatched from what its checkpoint vouches for: the whole clean run was stored
                // within 3 s of the checkpoint's time, so from the first file, as Java would.
                #expect(store.recovery.dispatchedFrom == 0)
            }

            // Consume queues and index: recovery and re-dispatch leave Java's bytes as they were.
            for (file, original) in originals {
                #expect(try Self.bytes(root + "/" + file) == original, "\(file) changed")
            }

            // Every message by physical offset, byte for byte.
            for message in expected {
                let entry = try #require(store.selectOneMessage(byPhysicalOffset: message.physicalOffset))
                #expect(entry == (try message.encoded()))
            }

            // Every queue read from 0, in queue order, with the stored offsets.
            var seen = Set<Int>()
            for queueId in Int32(0)..<4 {
                let inQueue = expected.filter { $0.topic == "StoreFixtureTopic" && $0.queueId == queueId }
                #expect(store.getMaxOffsetInQueue(topic: "StoreFixtureTopic", queueId: queueId) == Int64(inQueue.count))
                #expect(store.getMinOffsetInQueue(topic: "StoreFixtureTopic", queueId: queueId) == 0)
                var offset: Int64 = 0
                var pulled: [StoredMessage] = []
                while offset < Int64(inQueue.count) {
                    let result = store.getMessage(
                        group: "StoreFixtureGroup", topic: "StoreFixtureTopic", queueId: queueId, offset: offset, maxMsgNums: 32)
                    #expect(result.status == .found)
                    #expect(result.maxOffset == Int64(inQueue.count))
                    pulled += try decode(result)
                    #expect(result.nextBeginOffset > offset)
                    offset = result.nextBeginOffset
                }
                #expect(pulled.count == inQueue.count)
                #expect(pulled.map(\.physicalOffset) == inQueue.map(\.physicalOffset))
                #expect(pulled.map(\.queueOffset) == inQueue.map(\.queueOffset))
                for (index, message) in pulled.enumerated() {
                    #expect(message.queueOffset == Int64(index))
                    let properties = message.properties
                    let seq = try #require(properties["seq"].flatMap { Int($0) })
                    #expect(properties.keys == "key-\(seq)")
                    #expect(properties.tags == (seq % 2 == 0 ? "TagA" : "TagB"))
                    #expect(String(buffer: message.body).hasPrefix("{\"i\": \(seq), \"pad\": \"xxx"))
                    let record = try #require(sent[seq])
                    #expect(properties.uniqueKey == record.uniqueKey)
                    #expect(message.queueOffset == record.queueOffset)
                    seen.insert(seq)
                }
                // Tag filter: TagA only.
                let tagA = store.getMessage(
                    group: "G", topic: "StoreFixtureTopic", queueId: queueId, offset: 0, maxMsgNums: 1000,
                    filter: TagsCodeFilter(codes: [JavaHash.hashCode("TagA")]))
                #expect(try decode(tagA).allSatisfy { $0.tags == "TagA" })
            }
            // Every acknowledged send is there (after the SIGKILL too).
            #expect(seen == Set(sent.keys))

            // The two delayed messages are parked in SCHEDULE_TOPIC_XXXX queue 17, due 2 h after storing.
            let delayed = store.getMessage(group: "G", topic: TopicValidator.scheduleTopic, queueId: 17, offset: 0, maxMsgNums: 32)
            let parked = try decode(delayed)
            #expect(parked.count == 2)
            for (index, message) in parked.enumerated() {
                #expect(message.properties[MessageConst.realTopic] == "StoreFixtureDelayed")
                let queue = try #require(store.consumeQueues.find(topic: TopicValidator.scheduleTopic, queueId: 17))
                #expect(queue.unit(at: Int64(index))?.tagsCode == message.storeTimestamp + 7_200_000)
            }

            // Query by key and by UNIQ_KEY find each message.
            for message in expected {
                let properties = message.properties
                let key = try #require(properties.keys)
                let byKey = try decode(store.queryMessage(topic: message.topic, key: key, maxNum: 32, begin: 0, end: .max))
                #expect(byKey.filter { $0.properties.keys == key }.map(\.physicalOffset) == [message.physicalOffset], "\(key)")
                let uniqueKey = try #require(properties.uniqueKey)
                let byId = try decode(store.queryMessage(topic: message.topic, key: uniqueKey, maxNum: 32, begin: 0, end: .max))
                #expect(byId.filter { $0.properties.uniqueKey == uniqueKey }.map(\.physicalOffset) == [message.physicalOffset])
            }

            // The store goes on: the next message continues queue 0 and the commit log.
            let next = try await put(store, makeMessage(topic: "StoreFixtureTopic", queueId: 0, keys: "after-open"))
            #expect(next.wroteOffset == store.maxPhysicalOffset - Int64(next.wroteBytes))
            #expect(next.wroteOffset == last.physicalOffset + Int64(last.storeSize))
            let queue0 = expected.filter { $0.topic == "StoreFixtureTopic" && $0.queueId == 0 }.count
            #expect(next.queueOffset == Int64(queue0))
            store.shutdown()

            // Clean reopen: everything still there, checkpoint at the last message.
            let reopened = try openStore(Self.config(root: root))
            defer { reopened.shutdown() }
            #expect(reopened.lastExitOK)
            #expect(reopened.getMaxOffsetInQueue(topic: "StoreFixtureTopic", queueId: 0) == Int64(queue0 + 1))
            let found = try decode(reopened.queryMessage(topic: "StoreFixtureTopic", key: "after-open", maxNum: 32, begin: 0, end: .max))
            #expect(found.count == 1)
            #expect(found.first?.physicalOffset == next.wroteOffset)
            let checkpoint = try Self.bytes(root + "/checkpoint")
            let physic = checkpoint[0..<8].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            #expect(physic == next.storeTimestamp)
        }
    }
}
