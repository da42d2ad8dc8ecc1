import Foundation
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

@Suite struct IndexTests {
    @Test func queryByKeysAndUniqueKey() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            let a = try await put(store, makeMessage(topic: "T1", keys: "order-1 customer-9", uniqueKey: "ID-A"))
            let b = try await put(store, makeMessage(topic: "T1", keys: "order-2  customer-9", uniqueKey: "ID-B"))
            let c = try await put(store, makeMessage(topic: "T2", keys: "order-1", uniqueKey: "ID-C"))
            let noKeys = try await put(store, makeMessage(topic: "T1", keys: nil, uniqueKey: nil))
            await store.waitForDispatch(upTo: noKeys.nextOffset)
            func hits(_ topic: String, _ key: String, maxNum: Int = 32, begin: Int64 = 0, end: Int64 = .max) -> [Int64] {
                store.queryMessage(topic: topic, key: key, maxNum: maxNum, begin: begin, end: end).messagePhysicalOffsets
            }
            #expect(hits("T1", "order-1") == [a.wroteOffset])
            #expect(hits("T1", "customer-9") == [a.wroteOffset, b.wroteOffset])
            #expect(hits("T1", "order-2") == [b.wroteOffset])
            #expect(hits("T2", "order-1") == [c.wroteOffset])
            #expect(hits("T1", "ID-B") == [b.wroteOffset])
            #expect(hits("T2", "ID-A") == [])
            #expect(hits("T1", "nothing") == [])
            #expect(hits("T1", "customer-9", maxNum: 1).count == 1)
            // The time window.
            #expect(hits("T1", "order-1", begin: a.storeTimestamp + 5000) == [])
            #expect(hits("T1", "order-1", end: a.storeTimestamp - 5000) == [])
            #expect(hits("T1", "order-1", begin: a.storeTimestamp - 1000, end: a.storeTimestamp + 1000) == [a.wroteOffset])
            let result = store.queryMessage(topic: "T1", key: "customer-9", maxNum: 32, begin: 0, end: .max)
            let uniqueKeys = try decode(result).map { $0.properties.uniqueKey ?? "" }
            #expect(uniqueKeys == ["ID-A", "ID-B"])
            #expect(result.indexLastUpdatePhyOffset == c.wroteOffset)
            #expect(result.indexLastUpdateTimestamp == c.storeTimestamp)
        }
    }

    @Test func maxMsgsNumBatchCapsQueries() async throws {
        try await withTemporaryDirectory { root in
            var config = smallConfig(root: root)
            config.maxMsgsNumBatch = 4
            let store = try openStore(config)
            defer { store.shutdown() }
            var last: AppendMessageResult? = nil
            for _ in 0..<10 { last = try await put(store, makeMessage(keys: "same")) }
            await store.waitForDispatch(upTo: last!.nextOffset)
            let result = store.queryMessage(topic: "TopicTest", key: "same", maxNum: 32, begin: 0, end: .max)
            // Newest first from the index, then in commit-log order.
            #expect(result.messageCount == 4)
            #expect(result.messagePhysicalOffsets == result.messagePhysicalOffsets.sorted())
            #expect(result.messagePhysicalOffsets.last == last!.wroteOffset)
        }
    }

    /// The file layout of §4.10, read back raw.
    @Test func indexFileLayout() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root, maxHashSlotNum: 100, maxIndexNum: 400))
            var results: [AppendMessageResult] = []
            for i in 0..<50 {
                results.append(try await put(store, makeMessage(keys: "key-\(i)", uniqueKey: "U-\(i)")))
            }
            store.shutdown()
            let names = try FileManager.default.contentsOfDirectory(atPath: root + "/index")
            #expect(names.count == 1)
            let name = try #require(names.first)
            #expect(name.count == 17)
            let allDigits = name.allSatisfy { $0.isNumber }
            #expect(allDigits)
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/index/" + name))
            let expectedSize = 40 + 100 * 4 + 400 * 20
            #expect(data.count == expectedSize)
            var file = ByteBuffer(bytes: data)
            func int32(_ at: Int) -> Int32 { file.getInteger(at: at, as: Int32.self)! }
            func int64(_ at: Int) -> Int64 { file.getInteger(at: at, as: Int64.self)! }
            #expect(int64(0) == results.first!.storeTimestamp)
            #expect(int64(8) == results.last!.storeTimestamp)
            #expect(int64(16) == results.first!.wroteOffset)
            #expect(int64(24) == results.last!.wroteOffset)
            #expect(int32(36) == 101)
            var used = 0
            for slot in 0..<100 {
                let head = int32(40 + slot * 4)
                guard head != 0 else { continue }
                used += 1
                // Every entry of the chain hashes to this slot and is older than the one before.
                var entry = head
                var previous = Int32.max
                while entry != 0 {
                    #expect(entry < previous)
                    let position = 40 + 400 + Int(entry) * 20
                    #expect(int32(position) % 100 == Int32(slot))
                    previous = entry
                    entry = int32(position + 16)
                }
            }
            #expect(Int32(used) == int32(32))
            // Entry 0 is unused; entry 1 is the first message's UNIQ_KEY, entry 2 its KEYS.
            #expect(file.getBytes(at: 440, length: 20) == [UInt8](repeating: 0, count: 20))
            #expect(int32(440 + 20) == TagsCode.indexKeyHash("TopicTest#U-0"))
            #expect(int32(440 + 40) == TagsCode.indexKeyHash("TopicTest#key-0"))
            #expect(int64(440 + 44) == results[0].wroteOffset)
            file.moveReaderIndex(to: 0)
        }
    }

    @Test func indexFilesRoll() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root, maxHashSlotNum: 10, maxIndexNum: 9))
            defer { store.shutdown() }
            var results: [AppendMessageResult] = []
            for i in 0..<20 {
                results.append(try await put(store, makeMessage(keys: "k-\(i % 7)", uniqueKey: "u-\(i)")))
            }
            await store.waitForDispatch(upTo: results.last!.nextOffset)
            // 8 entries per file, 2 per message.
            #expect(store.indexService.indexFiles.count == 5)
            for (i, result) in results.enumerated() {
                #expect(store.queryMessage(topic: "TopicTest", key: "u-\(i)", maxNum: 32, begin: 0, end: .max).messagePhysicalOffsets
                    == [result.wroteOffset])
            }
            let k3 = store.queryMessage(topic: "TopicTest", key: "k-3", maxNum: 32, begin: 0, end: .max).messagePhysicalOffsets
            #expect(k3 == [3, 10, 17].map { results[$0].wroteOffset })
            let files = store.indexService.indexFiles
            for (previous, next) in zip(files, files.dropFirst()) {
                #expect(previous.isWriteFull)
                #expect(next.beginPhyOffset > previous.endPhyOffset || next.beginPhyOffset == previous.endPhyOffset)
            }
        }
    }

    @Test func indexDisabled() async throws {
        try await withTemporaryDirectory { root in
            var config = smallConfig(root: root)
            config.messageIndexEnable = false
            let store = try openStore(config)
            defer { store.shutdown() }
            let result = try await put(store, makeMessage(keys: "k"))
            await store.waitForDispatch(upTo: result.nextOffset)
            #expect(store.queryMessage(topic: "TopicTest", key: "k", maxNum: 32, begin: 0, end: .max).messageCount == 0)
            #expect(store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 1).status == .found)
        }
    }
}
