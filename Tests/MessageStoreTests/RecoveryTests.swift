import Foundation
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

/// Crash and recover (STYLE §4 "Store"): keep the abort file, cut the tail mid-record, break a CRC, reopen — the
/// whole prefix survives, consume queues and index are cut back or rebuilt.
@Suite struct RecoveryTests {
    /// Writes `messages` to a new store in `root` and stops it cleanly.
    static func writeStore(
        root: String, config: MessageStoreConfig, _ messages: [BrokerInnerMessage]
    ) async throws -> [AppendMessageResult] {
        let store = try openStore(config)
        var results: [AppendMessageResult] = []
        for message in messages {
            results.append(try await put(store, message))
        }
        if let last = results.last { await store.waitForDispatch(upTo: last.nextOffset) }
        store.shutdown()
        return results
    }

    /// Keeps the first `keep` bytes of `[offset, end)` of the commit log and zeroes the rest, as a process killed
    /// while copying that entry leaves it.
    static func cut(root: String, fileSize: Int, offset: Int64, end: Int64, keep: Int) throws {
        let fileStart = offset - offset % Int64(fileSize)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/commitlog/" + String(format: "%020lld", fileStart)))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset - fileStart) + UInt64(keep))
        handle.write(Data(count: Int(end - offset) - keep))
    }

    static func markAbort(_ root: String) {
        _ = FileManager.default.createFile(atPath: root + "/abort", contents: Data())
    }

    static func zeroCheckpoint(_ root: String) throws {
        try Data(count: 4096).write(to: URL(fileURLWithPath: root + "/checkpoint"))
    }

    static func messages(count: Int, lastKey: String = "last-key") -> [BrokerInnerMessage] {
        (0..<count).map { i in
            makeMessage(
                topic: "TopicA", queueId: Int32(i % 2), body: "body-\(i)-" + String(repeating: "z", count: i * 3),
                tags: i % 2 == 0 ? "TagA" : "TagB", keys: i == count - 1 ? "\(lastKey) shared" : "key-\(i) shared",
                uniqueKey: "U-\(i)")
        }
    }

    /// Cut the last message at every byte position, with the abort file (SIGKILL) and, for a sample, without it.
    ///
    /// Our appends write TOTALSIZE last, so a process killed during the copy leaves a zero size and any part of the
    /// rest: `keep` bytes after the size survive, the rest is zero. (Java writes the entry in one copy; a cut in
    /// the topic or properties of a Java entry passes its checks in Java and here alike — the body CRC does not
    /// cover them.)
    @Test func cutLastMessageAtEveryByte() async throws {
        try await withTemporaryDirectory { temp in
            let pristine = temp + "/pristine"
            let config = smallConfig(root: pristine)
            let results = try await Self.writeStore(root: pristine, config: config, Self.messages(count: 12))
            let last = results.last!
            let size = Int(last.wroteBytes)
            let work = temp + "/work"
            var workConfig = config
            workConfig.storePathRootDir = work
            for keep in 0...size {
                try copyTree(from: pristine, to: work)
                let abnormal = keep % 5 != 3
                if abnormal { Self.markAbort(work) }
                let survived = keep == size
                if !survived {
                    try Self.cut(root: work, fileSize: config.mappedFileSizeCommitLog, offset: last.wroteOffset, end: last.nextOffset, keep: max(4, keep))
                    try Self.cut(root: work, fileSize: config.mappedFileSizeCommitLog, offset: last.wroteOffset, end: last.wroteOffset + 4, keep: 0)
                }
                let store = try LocalFileMessageStore(config: workConfig, logger: testLogger)
                #expect(store.lastExitOK == !abnormal)
                #expect(store.maxPhysicalOffset == (survived ? last.nextOffset : last.wroteOffset), "keep \(keep)")
                // Bytes after the end (the magic onwards) are seen and cleared.
                #expect(store.recovery.tornTail == (keep > 4 && !survived), "keep \(keep)")
                #expect(store.recovery.truncatedConsumeQueues == (survived ? 0 : 1), "keep \(keep)")
                #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 1) == (survived ? 6 : 5))
                #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 0) == 6)
                let lastHits = store.queryMessage(topic: "TopicA", key: "last-key", maxNum: 32, begin: 0, end: .max)
                #expect(lastHits.messageCount == (survived ? 1 : 0), "keep \(keep)")
                #expect(store.queryMessage(topic: "TopicA", key: "U-11", maxNum: 32, begin: 0, end: .max).messageCount == (survived ? 1 : 0))
                #expect(store.queryMessage(topic: "TopicA", key: "shared", maxNum: 32, begin: 0, end: .max).messageCount == (survived ? 12 : 11))
                let queue1 = try readAll(store, topic: "TopicA", queueId: 1).map(\.physicalOffset)
                #expect(queue1 == results.enumerated().filter { $0.offset % 2 == 1 && ($0.offset < 11 || survived) }.map(\.element.wroteOffset))
                if keep % 25 == 1 || keep == size - 1 || keep == 0 {
                    // The store goes on where the log now ends.
                    try store.start()
                    let again = try await put(store, makeMessage(topic: "TopicA", queueId: 1, keys: "again"))
                    #expect(again.wroteOffset == last.wroteOffset)
                    #expect(again.queueOffset == 5)
                    await store.waitForDispatch(upTo: again.nextOffset)
                    #expect(store.queryMessage(topic: "TopicA", key: "again", maxNum: 32, begin: 0, end: .max).messagePhysicalOffsets == [again.wroteOffset])
                    store.shutdown()
                    let reopened = try LocalFileMessageStore(config: workConfig, logger: testLogger)
                    #expect(reopened.lastExitOK)
                    #expect(reopened.maxPhysicalOffset == again.nextOffset)
                    #expect(try readAll(reopened, topic: "TopicA", queueId: 1).last?.physicalOffset == again.wroteOffset)
                    reopened.shutdown()
                } else {
                    store.shutdown()
                }
            }
        }
    }

    /// A Java-style cut (a prefix of the entry, TOTALSIZE included) anywhere up to the end of the body fails the
    /// length, position or CRC checks.
    @Test func javaStylePrefixCut() async throws {
        try await withTemporaryDirectory { temp in
            let pristine = temp + "/pristine"
            let config = smallConfig(root: pristine)
            let results = try await Self.writeStore(root: pristine, config: config, Self.messages(count: 4))
            let last = results.last!
            let stored = try #require(openStoreReadOnly(config).lookMessage(byPhysicalOffset: last.wroteOffset))
            let bodyEnd = Int(last.wroteBytes) - 2 - stored.rawProperties.readableBytes - 1 - stored.topic.utf8.count
            let work = temp + "/work"
            var workConfig = config
            workConfig.storePathRootDir = work
            for keep in 0..<bodyEnd {
                try copyTree(from: pristine, to: work)
                Self.markAbort(work)
                try Self.cut(root: work, fileSize: config.mappedFileSizeCommitLog, offset: last.wroteOffset, end: last.nextOffset, keep: keep)
                let store = try LocalFileMessageStore(config: workConfig, logger: testLogger)
                #expect(store.maxPhysicalOffset == last.wroteOffset, "keep \(keep)")
                #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 1) == 1)
                store.shutdown()
            }
        }
    }

    /// The last message is the first of a new segment: cut at every byte it stays an empty, reusable segment.
    /// With the segment gone (a crash while rolling), the log ends at the previous file's filler.
    @Test func cutAtSegmentBoundary() async throws {
        try await withTemporaryDirectory { temp in
            let fileSize = 4096
            let pristine = temp + "/pristine"
            let config = smallConfig(root: pristine, commitLogFileSize: fileSize)
            // Fill until a message starts the third file.
            let store = try openStore(config)
            var results: [AppendMessageResult] = []
            while results.last.map({ $0.wroteOffset != Int64(2 * fileSize) }) ?? true {
                results.append(try await put(store, makeMessage(body: String(repeating: "s", count: 200), keys: "seg-\(results.count)")))
            }
            await store.waitForDispatch(upTo: results.last!.nextOffset)
            store.shutdown()
            let last = results.last!
            let previous = results[results.count - 2]
            let work = temp + "/work"
            var workConfig = config
            workConfig.storePathRootDir = work
            for keep in stride(from: 0, to: Int(last.wroteBytes), by: 17) {
                try copyTree(from: pristine, to: work)
                Self.markAbort(work)
                try Self.cut(root: work, fileSize: fileSize, offset: last.wroteOffset, end: last.nextOffset, keep: max(4, keep))
                try Self.cut(root: work, fileSize: fileSize, offset: last.wroteOffset, end: last.wroteOffset + 4, keep: 0)
                let reopened = try openStore(workConfig)
                #expect(reopened.maxPhysicalOffset == Int64(2 * fileSize))
                #expect(reopened.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == Int64(results.count - 1))
                let again = try await put(reopened, makeMessage(body: "x"))
                #expect(again.wroteOffset == Int64(2 * fileSize))
                #expect(again.queueOffset == Int64(results.count - 1))
                reopened.shutdown()
            }
            // The third file never made it to disk.
            for tornFiller in [false, true] {
                try copyTree(from: pristine, to: work)
                Self.markAbort(work)
                try FileManager.default.removeItem(atPath: work + "/commitlog/" + String(format: "%020d", 2 * fileSize))
                if tornFiller {
                    try Self.cut(root: work, fileSize: fileSize, offset: previous.nextOffset, end: Int64(2 * fileSize), keep: 0)
                }
                let reopened = try openStore(workConfig)
                #expect(reopened.maxPhysicalOffset == previous.nextOffset)
                #expect(reopened.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == Int64(results.count - 1))
                // A message too big for the rest of the file rolls to a new third file.
                let again = try await put(reopened, makeMessage(body: String(repeating: "y", count: 300)))
                #expect(again.wroteOffset == Int64(2 * fileSize))
                reopened.shutdown()
            }
        }
    }

    /// Consume queues and index hold entries for messages the commit log lost: they are cut back, queries and
    /// pulls no longer see those messages, and new messages take their queue offsets.
    @Test(arguments: [true, false])
    func consumeQueueAndIndexAheadOfCommitLog(abnormal: Bool) async throws {
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            let config = smallConfig(root: root)
            let results = try await Self.writeStore(root: root, config: config, Self.messages(count: 20))
            let firstLost = results[15]
            try Self.cut(root: root, fileSize: config.mappedFileSizeCommitLog, offset: firstLost.wroteOffset, end: results.last!.nextOffset, keep: 7)
            if abnormal { Self.markAbort(root) }
            let store = try openStore(config)
            defer { store.shutdown() }
            #expect(store.maxPhysicalOffset == firstLost.wroteOffset)
            #expect(store.recovery.tornTail)
            #expect(store.recovery.truncatedConsumeQueues == 2)
            #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 0) == 8)
            #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 1) == 7)
            #expect(try readAll(store, topic: "TopicA", queueId: 0).count == 8)
            #expect(try readAll(store, topic: "TopicA", queueId: 1).count == 7)
            let shared = store.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max)
            #expect(shared.messagePhysicalOffsets == results[0..<15].map(\.wroteOffset))
            for i in 15..<19 {
                #expect(store.queryMessage(topic: "TopicA", key: "key-\(i)", maxNum: 32, begin: 0, end: .max).messageCount == 0)
            }
            let index = try #require(store.indexService.indexFiles.last)
            #expect(index.endPhyOffset == results[14].wroteOffset)
            #expect(index.endTimestamp == results[14].storeTimestamp)
            #expect(index.indexCount == 15 * 3 + 1)
            // New messages continue where the log ends.
            let again = try await put(store, makeMessage(topic: "TopicA", queueId: 1, keys: "shared"))
            #expect(again.wroteOffset == firstLost.wroteOffset)
            #expect(again.queueOffset == 7)
            await store.waitForDispatch(upTo: again.nextOffset)
            #expect(store.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messagePhysicalOffsets
                == results[0..<15].map(\.wroteOffset) + [again.wroteOffset])
        }
    }

    /// Units lost from a consume queue, or a lost index, are rebuilt from the commit log after an abnormal stop
    /// (from the checkpoint on); a deleted consumequeue directory is rebuilt even after a clean stop.
    @Test func consumeQueueAndIndexBehindAreRebuilt() async throws {
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            let config = smallConfig(root: root)
            let results = try await Self.writeStore(root: root, config: config, Self.messages(count: 20))
            let expected0 = results.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.wroteOffset)

            // The last 3 units of queue 0 lost, and the index gone; the checkpoint vouches for nothing.
            let unitFile = root + "/consumequeue/TopicA/0/00000000000000000000"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: unitFile))
            try handle.seek(toOffset: 7 * 20)
            handle.write(Data(count: 3 * 20))
            try handle.close()
            try FileManager.default.removeItem(atPath: root + "/index")
            Self.markAbort(root)
            try Self.zeroCheckpoint(root)
            let store = try LocalFileMessageStore(config: config, logger: testLogger)
            #expect(store.recovery.dispatchedFrom == 0)
            #expect(try readAll(store, topic: "TopicA", queueId: 0).map(\.physicalOffset) == expected0)
            #expect(store.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messagePhysicalOffsets
                == results.map(\.wroteOffset))
            store.shutdown()

            // The whole consumequeue directory deleted, clean stop.
            try FileManager.default.removeItem(atPath: root + "/consumequeue")
            let rebuilt = try LocalFileMessageStore(config: config, logger: testLogger)
            defer { rebuilt.shutdown() }
            #expect(rebuilt.lastExitOK)
            #expect(try readAll(rebuilt, topic: "TopicA", queueId: 0).map(\.physicalOffset) == expected0)
            #expect(try readAll(rebuilt, topic: "TopicA", queueId: 1).count == 10)
            // The index was complete: nothing added twice.
            #expect(rebuilt.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messageCount == 20)
        }
    }

    /// A broken body CRC ends the log there (Java `checkCRCOnRecover`): the prefix survives.
    @Test(arguments: [true, false])
    func brokenCRC(checkCRC: Bool) async throws {
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            var config = smallConfig(root: root)
            config.checkCRCOnRecover = checkCRC
            let results = try await Self.writeStore(root: root, config: config, Self.messages(count: 20))
            // Flip the last body byte of message 7.
            let victim = results[7]
            let stored = try #require(try openStoreReadOnly(config).lookMessage(byPhysicalOffset: victim.wroteOffset))
            let bodyEnd = Int(victim.wroteOffset) + Int(victim.wroteBytes) - 2 - stored.rawProperties.readableBytes - 1 - stored.topic.utf8.count - 1
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: root + "/commitlog/00000000000000000000"))
            try handle.seek(toOffset: UInt64(bodyEnd))
            let byte = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: UInt64(bodyEnd))
            handle.write(Data([byte ^ 0xFF]))
            try handle.close()
            Self.markAbort(root)
            let store = try LocalFileMessageStore(config: config, logger: testLogger)
            defer { store.shutdown() }
            if checkCRC {
                #expect(store.maxPhysicalOffset == victim.wroteOffset)
                #expect(try readAll(store, topic: "TopicA", queueId: 1).count == 3)
                #expect(store.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messageCount == 7)
            } else {
                #expect(store.maxPhysicalOffset == results.last!.nextOffset)
                #expect(store.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messageCount == 20)
            }
        }
    }

    /// Entries the checkpoint vouches for (stored 3 s or more before its timestamps) are not CRC-checked again,
    /// which keeps recovery of a large log fast: damage there is served as is rather than cutting the log, as
    /// Java would.
    @Test func checkpointVouchedEntriesSkipTheCRC() async throws {
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            let config = smallConfig(root: root)
            let results = try await Self.writeStore(root: root, config: config, Self.messages(count: 20))
            let victim = results[7]
            let stored = try #require(try openStoreReadOnly(config).lookMessage(byPhysicalOffset: victim.wroteOffset))
            let bodyEnd = Int(victim.wroteOffset) + Int(victim.wroteBytes) - 2 - stored.rawProperties.readableBytes - 1 - stored.topic.utf8.count - 1
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: root + "/commitlog/00000000000000000000"))
            try handle.seek(toOffset: UInt64(bodyEnd))
            let byte = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: UInt64(bodyEnd))
            handle.write(Data([byte ^ 0xFF]))
            try handle.close()
            // physicMsgTimestamp and logicsMsgTimestamp 10 s after the last message: everything is vouched for.
            var checkpoint = Data(count: 4096)
            let vouched = (results.last!.storeTimestamp + 10_000).bigEndian
            withUnsafeBytes(of: vouched) { bytes in
                checkpoint.replaceSubrange(0..<8, with: bytes)
                checkpoint.replaceSubrange(8..<16, with: bytes)
            }
            try checkpoint.write(to: URL(fileURLWithPath: root + "/checkpoint"))
            Self.markAbort(root)
            let store = try LocalFileMessageStore(config: config, logger: testLogger)
            defer { store.shutdown() }
            #expect(!store.lastExitOK)
            #expect(store.maxPhysicalOffset == results.last!.nextOffset)
            #expect(store.getMaxOffsetInQueue(topic: "TopicA", queueId: 1) == 10)
            #expect(store.lookMessage(byPhysicalOffset: victim.wroteOffset)?.isBodyCRCValid == false)
        }
    }

    /// A copy of a running store's directory is what a SIGKILL leaves (the page cache, the abort file, a
    /// pre-created next file): it opens with every acknowledged message.
    @Test func snapshotOfARunningStore() async throws {
        try await withTemporaryDirectory { temp in
            let root = temp + "/store"
            let config = smallConfig(root: root, commitLogFileSize: 8192, flushDiskType: .syncFlush)
            let store = try openStore(config)
            var results: [AppendMessageResult] = []
            for message in Self.messages(count: 60) {
                results.append(try await put(store, message))
            }
            await store.waitForDispatch(upTo: results.last!.nextOffset)
            let snapshot = temp + "/snapshot"
            try copyTree(from: root, to: snapshot)
            store.shutdown()
            #expect(FileManager.default.fileExists(atPath: snapshot + "/abort"))
            var snapshotConfig = config
            snapshotConfig.storePathRootDir = snapshot
            let recovered = try openStore(snapshotConfig)
            defer { recovered.shutdown() }
            #expect(!recovered.lastExitOK)
            #expect(recovered.maxPhysicalOffset == results.last!.nextOffset)
            #expect(try readAll(recovered, topic: "TopicA", queueId: 0).count == 30)
            #expect(try readAll(recovered, topic: "TopicA", queueId: 1).count == 30)
            #expect(recovered.queryMessage(topic: "TopicA", key: "shared", maxNum: 64, begin: 0, end: .max).messageCount == 60)
            // A next file the running store had made ahead of time was not taken into the log.
            #expect(recovered.commitLog.queue.lastMappedFile?.fileFromOffset == results.last!.wroteOffset - results.last!.wroteOffset % 8192)
        }
    }
}

/// Opens a store without starting it and closes it again right away (reading only).
func openStoreReadOnly(_ config: MessageStoreConfig) throws -> LocalFileMessageStore {
    let store = try LocalFileMessageStore(config: config, logger: testLogger)
    store.shutdown()
    return store
}
