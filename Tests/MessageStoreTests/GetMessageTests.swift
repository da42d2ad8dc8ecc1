import Foundation
import Synchronization
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

@Suite struct GetMessageTests {
    /// A started store with `count` messages in TopicTest queue 0, tags alternating TagA/TagB.
    static func filled(
        root: String, count: Int, commitLogFileSize: Int = 64 * 1024, consumeQueueFileSize: Int = 6000,
        configure: (inout MessageStoreConfig) -> Void = { _ in }
    ) async throws -> (LocalFileMessageStore, [AppendMessageResult]) {
        var config = smallConfig(root: root, commitLogFileSize: commitLogFileSize, consumeQueueFileSize: consumeQueueFileSize)
        configure(&config)
        let store = try openStore(config)
        var results: [AppendMessageResult] = []
        for i in 0..<count {
            results.append(try await put(store, makeMessage(body: "message-\(i)", tags: i % 2 == 0 ? "TagA" : "TagB", keys: "k\(i)")))
        }
        if let last = results.last { await store.waitForDispatch(upTo: last.nextOffset) }
        return (store, results)
    }

    @Test func foundAndOverflow() async throws {
        try await withTemporaryDirectory { root in
            let (store, results) = try await Self.filled(root: root, count: 10)
            defer { store.shutdown() }
            let found = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 2, maxMsgNums: 3)
            #expect(found.status == .found)
            #expect(found.messageCount == 3)
            #expect(found.messageQueueOffsets == [2, 3, 4])
            #expect(found.nextBeginOffset == 5)
            #expect(found.minOffset == 0)
            #expect(found.maxOffset == 10)
            #expect(found.messages.count == 3)
            #expect(found.bufferTotalSize == results[2...4].reduce(0) { $0 + Int($1.wroteBytes) })
            #expect(try decode(found).map { String(buffer: $0.body) } == ["message-2", "message-3", "message-4"])
            #expect(!found.suggestPullingFromSlave)

            let one = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 10, maxMsgNums: 32)
            #expect(one.status == .offsetOverflowOne)
            #expect(one.nextBeginOffset == 10)
            #expect(one.messageCount == 0)
            let badly = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 15, maxMsgNums: 32)
            #expect(badly.status == .offsetOverflowBadly)
            #expect(badly.nextBeginOffset == 10)
        }
    }

    @Test func emptyAndUnknownQueues() async throws {
        try await withTemporaryDirectory { root in
            let (store, _) = try await Self.filled(root: root, count: 1)
            defer { store.shutdown() }
            // Java creates an unknown queue on the spot: it reads as empty.
            let unknown = store.getMessage(group: "G", topic: "NoSuchTopic", queueId: 3, offset: 7, maxMsgNums: 32)
            #expect(unknown.status == .noMessageInQueue)
            #expect(unknown.nextBeginOffset == 0)
            #expect(unknown.maxOffset == 0)
            // A queue that could never exist.
            #expect(store.getMessage(group: "G", topic: "TopicTest", queueId: -1, offset: 0, maxMsgNums: 32).status == .noMatchedLogicQueue)
            #expect(store.getMessage(group: "G", topic: "bad topic/..", queueId: 0, offset: 0, maxMsgNums: 32).status == .noMatchedLogicQueue)
            #expect(store.getMaxOffsetInQueue(topic: "NoSuchTopic", queueId: 3) == 0)
            #expect(store.getMinOffsetInQueue(topic: "NoSuchTopic", queueId: 3) == 0)
            #expect(store.getEarliestMessageTime(topic: "NoSuchTopic", queueId: 3) == -1)
            #expect(store.getOffsetInQueueByTime(topic: "NoSuchTopic", queueId: 3, timestamp: 1) == 0)
            // A queue whose consume queue exists with no unit (everything truncated away) is empty too.
            let queue = store.consumeQueues.findOrCreate(topic: "EmptyTopic", queueId: 0)
            #expect(queue.maxOffsetInQueue == 0)
            let empty = store.getMessage(group: "G", topic: "EmptyTopic", queueId: 0, offset: 5, maxMsgNums: 32)
            #expect(empty.status == .noMessageInQueue)
            #expect(empty.nextBeginOffset == 0)
        }
    }

    @Test func tagFilter() async throws {
        try await withTemporaryDirectory { root in
            let (store, results) = try await Self.filled(root: root, count: 20)
            defer { store.shutdown() }
            let tagB = TagsCodeFilter(codes: [JavaHash.hashCode("TagB")])
            let read = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 4, filter: tagB)
            #expect(read.status == .found)
            #expect(read.messageQueueOffsets == [1, 3, 5, 7])
            #expect(try decode(read).allSatisfy { $0.tags == "TagB" })
            // Scanned up to and including offset 7; the unit at 8 was left for the next pull.
            #expect(read.nextBeginOffset == 8)
            let both = TagsCodeFilter(codes: [JavaHash.hashCode("TagA"), JavaHash.hashCode("TagB")])
            #expect(store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 32, filter: both).messageCount == 20)
            let none = TagsCodeFilter(codes: [JavaHash.hashCode("TagC")])
            let nothing = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 4, maxMsgNums: 32, filter: none)
            #expect(nothing.status == .noMatchedMessage)
            #expect(nothing.messageCount == 0)
            #expect(nothing.nextBeginOffset == 20)
            #expect(results.count == 20)
        }
    }

    @Test func transferLimits() async throws {
        try await withTemporaryDirectory { root in
            let (store, results) = try await Self.filled(root: root, count: 12) { config in
                config.maxTransferCountOnMessageInMemory = 5
                config.maxTransferBytesOnMessageInMemory = 1
            }
            defer { store.shutdown() }
            // The byte limit still lets the first message through, and only it.
            let read = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 32)
            #expect(read.messageCount == 1)
            #expect(read.nextBeginOffset == 1)
            #expect(Int32(read.bufferTotalSize) == results[0].wroteBytes)
            store.shutdown()

            let (counted, _) = try await Self.filled(root: root + "/b", count: 12) { config in
                config.maxTransferCountOnMessageInMemory = 5
            }
            defer { counted.shutdown() }
            let limited = counted.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 32)
            #expect(limited.messageCount == 5)
            #expect(limited.nextBeginOffset == 5)
        }
    }

    @Test func consumeQueueReadsStopAtTheirFile() async throws {
        try await withTemporaryDirectory { root in
            // 10 units per consume-queue file.
            let (store, _) = try await Self.filled(root: root, count: 25, consumeQueueFileSize: 200)
            defer { store.shutdown() }
            let first = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 7, maxMsgNums: 32)
            #expect(first.messageQueueOffsets == [7, 8, 9])
            #expect(first.nextBeginOffset == 10)
            let second = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 10, maxMsgNums: 32)
            #expect(second.messageQueueOffsets == Array(10...19))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/consumequeue/TopicTest/0").sorted()
                == ["00000000000000000000", "00000000000000000200", "00000000000000000400"])
        }
    }

    /// MESSAGE_WAS_REMOVING, then OFFSET_TOO_SMALL once the consume queue's minimum follows the commit log
    /// (what retention does: delete the first commit-log file, then correct the queues).
    @Test func removedCommitLogFile() async throws {
        try await withTemporaryDirectory { root in
            let (store, results) = try await Self.filled(root: root, count: 40, commitLogFileSize: 4096)
            defer { store.shutdown() }
            store.commitLog.queue.deleteFirstMappedFile()
            let gone = results.filter { $0.wroteOffset < 4096 }.count
            #expect(gone > 0 && gone < 40)

            // Units pointing into the deleted file are skipped; the read goes on in the next file (Java).
            let skipping = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 4)
            #expect(skipping.status == .found)
            #expect(skipping.messageQueueOffsets == (gone..<(gone + 4)).map(Int64.init))
            #expect(skipping.nextBeginOffset == Int64(gone + 4))

            let queue = try #require(store.consumeQueues.find(topic: "TopicTest", queueId: 0))
            queue.correctMinOffset(store.minPhysicalOffset)
            #expect(store.getMinOffsetInQueue(topic: "TopicTest", queueId: 0) == Int64(gone))
            let small = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 4)
            #expect(small.status == .offsetTooSmall)
            #expect(small.nextBeginOffset == Int64(gone))
            #expect(small.minOffset == Int64(gone))
            #expect(store.getEarliestMessageTime(topic: "TopicTest", queueId: 0) == results[gone].storeTimestamp)
            #expect(store.getEarliestMessageTime() == results[gone].storeTimestamp)
            #expect(store.getOffsetInQueueByTime(topic: "TopicTest", queueId: 0, timestamp: 0) == Int64(gone))
        }
    }

    @Test func messageWasRemoving() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root, commitLogFileSize: 4096))
            defer { store.shutdown() }
            // Queue 1: three messages in the first file; then enough of queue 0 to fill two more files.
            for _ in 0..<3 { try await put(store, makeMessage(queueId: 1)) }
            var last = try await put(store, makeMessage(queueId: 0))
            while last.wroteOffset < 3 * 4096 { last = try await put(store, makeMessage(queueId: 0, body: String(repeating: "p", count: 300))) }
            await store.waitForDispatch(upTo: last.nextOffset)
            store.commitLog.queue.deleteFirstMappedFile()
            let removing = store.getMessage(group: "G", topic: "TopicTest", queueId: 1, offset: 0, maxMsgNums: 32)
            #expect(removing.status == .messageWasRemoving)
            #expect(removing.messageCount == 0)
            #expect(removing.nextBeginOffset == 3)
        }
    }

    /// OFFSET_FOUND_NULL: the offset is in range but its consume-queue file is gone.
    @Test func missingConsumeQueueFile() async throws {
        try await withTemporaryDirectory { root in
            let (store, _) = try await Self.filled(root: root, count: 25, consumeQueueFileSize: 200)
            defer { store.shutdown() }
            let queue = try #require(store.consumeQueues.find(topic: "TopicTest", queueId: 0))
            queue.queue.deleteFirstMappedFile()
            let null = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 3, maxMsgNums: 4)
            #expect(null.status == .offsetFoundNull)
            #expect(null.nextBeginOffset == 10)
            #expect(store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 10, maxMsgNums: 4).status == .found)
        }
    }

    @Test func offsetsAndTimes() async throws {
        try await withTemporaryDirectory { root in
            let (store, results) = try await Self.filled(root: root, count: 5)
            defer { store.shutdown() }
            #expect(store.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == 5)
            #expect(store.getMinOffsetInQueue(topic: "TopicTest", queueId: 0) == 0)
            #expect(store.getCommitLogOffsetInQueue(topic: "TopicTest", queueId: 0, consumeQueueOffset: 3) == results[3].wroteOffset)
            #expect(store.getMessageStoreTimestamp(topic: "TopicTest", queueId: 0, consumeQueueOffset: 4) == results[4].storeTimestamp)
            #expect(store.getMessageStoreTimestamp(topic: "TopicTest", queueId: 0, consumeQueueOffset: 5) == -1)
            #expect(store.getEarliestMessageTime(topic: "TopicTest", queueId: 0) == results[0].storeTimestamp)
            #expect(store.topics == ["TopicTest"])
        }
    }

    @Test func arrivalListenerHearsEachMessage() async throws {
        try await withTemporaryDirectory { root in
            let heard = ArrivalLog()
            let store = try LocalFileMessageStore(config: smallConfig(root: root), logger: testLogger) { heard.add($0) }
            try store.start()
            defer { store.shutdown() }
            let first = try await put(store, makeMessage(queueId: 2, tags: "TagA"))
            let second = try await put(store, makeMessage(queueId: 2, tags: nil))
            await store.waitForDispatch(upTo: second.nextOffset)
            #expect(heard.arrivals == [
                MessageArrival(topic: "TopicTest", queueId: 2, logicOffset: 1, tagsCode: 2_598_919, storeTimestamp: first.storeTimestamp, msgSize: first.wroteBytes),
                MessageArrival(topic: "TopicTest", queueId: 2, logicOffset: 2, tagsCode: 0, storeTimestamp: second.storeTimestamp, msgSize: second.wroteBytes),
            ])
        }
    }
}

final class ArrivalLog: Sendable {
    private let log = LockedValue<[MessageArrival]>([])
    func add(_ arrival: MessageArrival) { self.log.withLock { $0.append(arrival) } }
    var arrivals: [MessageArrival] { self.log.withLock { $0 } }
}
