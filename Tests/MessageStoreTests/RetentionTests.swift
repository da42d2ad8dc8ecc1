import Foundation
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

/// Retention and the disk check (Java `CleanCommitLogService`, `CleanConsumeQueueService`, `isSpaceFull`), with a
/// clock the test moves and a disk probe it sets; passes run when the test calls them.
@Suite struct RetentionTests {
    static let hour: Int64 = 3_600_000
    static let fileSize = 4096

    /// 4 KiB commit-log files (about 8 messages each), consume-queue files of 10 units, index files of 23 entries.
    static func config(root: String) -> MessageStoreConfig {
        var config = smallConfig(
            root: root, commitLogFileSize: Self.fileSize, consumeQueueFileSize: 200, maxHashSlotNum: 64, maxIndexNum: 24)
        config.deleteCommitLogFilesInterval = 0
        config.deleteConsumeQueueFilesInterval = 0
        return config
    }

    /// Puts messages over two queues, keyed `k-<i>` and `U-<i>`, until two (one per queue) are in commit-log file
    /// `untilFile`.
    static func fill(
        _ store: LocalFileMessageStore, untilFile: Int, from first: Int = 0
    ) async throws -> [AppendMessageResult] {
        var results: [AppendMessageResult] = []
        var i = first
        while results.suffix(2).count < 2 || results.suffix(2).contains(where: { $0.wroteOffset < Int64(untilFile * Self.fileSize) }) {
            let message = makeMessage(
                queueId: Int32(i % 2), body: "m\(i)-" + String(repeating: "x", count: 300), keys: "k-\(i)",
                uniqueKey: "U-\(i)")
            results.append(try await put(store, message))
            i += 1
        }
        await store.waitForDispatch(upTo: results.last!.nextOffset)
        return results
    }

    static func files(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// What a store must show once the commit log starts at `minOffset`: queue minimums on the first message still
    /// there, OFFSET_TOO_SMALL below, reads and key queries only of what is left.
    static func checkTrimmed(
        _ store: LocalFileMessageStore, results: [AppendMessageResult], minOffset: Int64
    ) throws {
        #expect(store.minPhysicalOffset == minOffset)
        let firstKept = try #require(results.firstIndex { $0.wroteOffset >= minOffset })
        #expect(store.getEarliestMessageTime() == results[firstKept].storeTimestamp)
        for queueId in Int32(0)..<2 {
            let queue = results.enumerated().filter { $0.offset % 2 == Int(queueId) }.map(\.element)
            let kept = try #require(queue.first { $0.wroteOffset >= minOffset })
            #expect(store.getMinOffsetInQueue(topic: "TopicTest", queueId: queueId) == kept.queueOffset)
            let small = store.getMessage(group: "G", topic: "TopicTest", queueId: queueId, offset: 0, maxMsgNums: 4)
            #expect(small.status == .offsetTooSmall)
            #expect(small.nextBeginOffset == kept.queueOffset)
            let found = store.getMessage(
                group: "G", topic: "TopicTest", queueId: queueId, offset: kept.queueOffset, maxMsgNums: 1)
            #expect(found.status == .found)
            #expect(found.messagePhysicalOffsets == [kept.wroteOffset])
            let read = try readAll(store, queueId: queueId)
            #expect(read.map(\.physicalOffset) == queue.filter { $0.wroteOffset >= minOffset }.map(\.wroteOffset))
        }
        let gone = firstKept - 1
        #expect(store.queryMessage(topic: "TopicTest", key: "k-\(gone)", maxNum: 32, begin: 0, end: .max).messageCount == 0)
        #expect(store.queryMessage(topic: "TopicTest", key: "U-\(gone)", maxNum: 32, begin: 0, end: .max).messageCount == 0)
        #expect(store.queryMessage(topic: "TopicTest", key: "k-\(firstKept)", maxNum: 32, begin: 0, end: .max)
            .messagePhysicalOffsets == [results[firstKept].wroteOffset])
    }

    /// Files older than `fileReservedTime` go only at a `deleteWhen` hour, at most `deleteFileBatchMax` per pass,
    /// never the last one; consume-queue and index files below the new first offset follow. The result survives a
    /// clean and an abnormal restart.
    @Test func expiredFilesGoAtTheDeleteHour() async throws {
        try await withTemporaryDirectory { root in
            let start = SystemClock.currentTimeMillis()
            let clock = FakeEnvironment(now: start)
            let deleteHour = RetentionEnvironment.hourOfDay(millis: start + 71 * Self.hour)
            try #require(RetentionEnvironment.hourOfDay(millis: start + 73 * Self.hour) != deleteHour)
            try #require(RetentionEnvironment.hourOfDay(millis: start + 95 * Self.hour) == deleteHour)
            var config = Self.config(root: root)
            config.deleteWhen = "\((deleteHour + 12) % 24);\(deleteHour)"
            let store = try openStore(config, environment: clock.environment)
            let results = try await Self.fill(store, untilFile: 14)
            let indexFiles = store.indexService.indexFiles.count
            #expect(indexFiles > 5)
            #expect(try Self.files(root + "/consumequeue/TopicTest/0").count > 3)

            // The delete hour, but nothing has expired yet.
            clock.now = start + 71 * Self.hour
            var pass = store.retention.cleanFilesPeriodically()
            #expect(pass.timeUp && !pass.spaceFull)
            #expect(pass.commitLogFilesDeleted == 0)
            // Expired, but not the delete hour.
            clock.now = start + 73 * Self.hour
            pass = store.retention.cleanFilesPeriodically()
            #expect(!pass.timeUp && pass.commitLogFilesDeleted == 0)
            #expect(store.minPhysicalOffset == 0)

            // Both: ten files go (the batch limit), then the rest but the file being written.
            clock.now = start + 95 * Self.hour
            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.timeUp && !pass.cleanAtOnce)
            #expect(pass.commitLogFilesDeleted == 10)
            #expect(pass.consumeQueueFilesDeleted > 0)
            #expect(pass.indexFilesDeleted > 0)
            try Self.checkTrimmed(store, results: results, minOffset: 10 * Int64(Self.fileSize))
            #expect(try Self.files(root + "/commitlog").first == FileSystem.offsetFileName(10 * Int64(Self.fileSize)))
            for queueId in 0..<2 {
                // Every consume-queue file left holds a message still in the log.
                let queue = try #require(store.consumeQueues.find(topic: "TopicTest", queueId: Int32(queueId)))
                let first = try #require(queue.queue.firstMappedFile)
                #expect(first.loadInt64(at: first.fileSize - ConsumeQueue.unitSize) >= store.minPhysicalOffset)
                #expect(try Self.files(queue.directory).first == first.fileName)
            }
            #expect(store.indexService.indexFiles.allSatisfy { $0.endPhyOffset >= store.minPhysicalOffset })
            #expect(try Self.files(root + "/index").count == store.indexService.indexFiles.count)

            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.commitLogFilesDeleted == 4)
            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.commitLogFilesDeleted == 0)
            #expect(store.commitLog.queue.mappedFiles.count == 1)
            let minOffset = 14 * Int64(Self.fileSize)
            try Self.checkTrimmed(store, results: results, minOffset: minOffset)

            // Writing goes on in the file that was kept.
            let more = try await Self.fill(store, untilFile: 15, from: results.count)
            let all = results + more
            try Self.checkTrimmed(store, results: all, minOffset: minOffset)
            store.shutdown()

            let reopened = try LocalFileMessageStore(config: config, logger: testLogger, environment: halfFullDisk)
            #expect(reopened.lastExitOK)
            try Self.checkTrimmed(reopened, results: all, minOffset: minOffset)
            reopened.shutdown()
            RecoveryTests.markAbort(root)
            let recovered = try LocalFileMessageStore(config: config, logger: testLogger, environment: halfFullDisk)
            #expect(!recovered.lastExitOK)
            #expect(recovered.maxPhysicalOffset == all.last!.nextOffset)
            try Self.checkTrimmed(recovered, results: all, minOffset: minOffset)
            recovered.shutdown()
        }
    }

    /// Above `diskMaxUsedSpaceRatio` expired files go at any hour; above `diskSpaceCleanForciblyRatio` fresh ones
    /// too; above `diskSpaceWarningLevelRatio` puts are refused until the disk check sees room again.
    @Test func diskPressure() async throws {
        try await withTemporaryDirectory { root in
            let start = SystemClock.currentTimeMillis()
            let disk = FakeEnvironment(now: start)
            var config = Self.config(root: root)
            config.deleteWhen = String((RetentionEnvironment.hourOfDay(millis: start) + 12) % 24)
            try #require(!RetentionTests.isDeleteHour(config, start + 73 * Self.hour))
            let store = try openStore(config, environment: disk.environment)
            defer { store.shutdown() }
            var results = try await Self.fill(store, untilFile: 4)

            // Above the max used ratio: only expired files may go, and none is.
            disk.diskUsedRatio = 0.80
            var pass = store.retention.cleanFilesPeriodically()
            #expect(pass.spaceFull && !pass.timeUp && !pass.cleanAtOnce)
            #expect(pass.commitLogFilesDeleted == 0)
            // Above the clean-forcibly ratio: fresh files go too, but never the one being written.
            disk.diskUsedRatio = 0.86
            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.cleanAtOnce)
            #expect(pass.commitLogFilesDeleted == 4)
            try Self.checkTrimmed(store, results: results, minOffset: 4 * Int64(Self.fileSize))
            #expect(!store.isDiskFull)

            // Expired files go at any hour while the disk is above the max used ratio.
            results += try await Self.fill(store, untilFile: 7, from: results.count)
            disk.diskUsedRatio = 0.80
            disk.now = start + 73 * Self.hour
            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.spaceFull && !pass.cleanAtOnce)
            #expect(pass.commitLogFilesDeleted == 3)
            try Self.checkTrimmed(store, results: results, minOffset: 7 * Int64(Self.fileSize))

            // Above the warning ratio the disk is full: puts are refused and nothing is written.
            disk.diskUsedRatio = 0.91
            #expect(store.retention.isSpaceFull())
            #expect(store.isDiskFull)
            let end = store.maxPhysicalOffset
            let refused = await store.putMessage(makeMessage(body: "refused"))
            #expect(refused.status == .serviceNotAvailable)
            #expect(refused.appendResult == nil)
            #expect(store.maxPhysicalOffset == end)
            // A pass at 0.88 cleans at once but leaves the mark (Java clears it only below 0.85 there)…
            disk.diskUsedRatio = 0.88
            pass = store.retention.cleanFilesPeriodically()
            #expect(pass.cleanAtOnce)
            #expect(store.isDiskFull)
            // …while the periodic disk check clears it below the warning ratio.
            #expect(!store.retention.isSpaceFull())
            #expect(!store.isDiskFull)
            let accepted = try await put(store, makeMessage(body: "accepted"))
            #expect(accepted.wroteOffset == end)
            // The pass marks and clears too.
            disk.diskUsedRatio = 0.95
            _ = store.retention.cleanFilesPeriodically()
            #expect(store.isDiskFull)
            disk.diskUsedRatio = 0.84
            _ = store.retention.cleanFilesPeriodically()
            #expect(!store.isDiskFull)
            // A disk that cannot be measured counts as full enough to reclaim space (Java).
            disk.diskUsedRatio = -1
            #expect(store.retention.cleanFilesPeriodically().spaceFull)
        }
    }

    static func isDeleteHour(_ config: MessageStoreConfig, _ millis: Int64) -> Bool {
        RetentionService.isItTimeToDo(config.deleteWhen, hour: RetentionEnvironment.hourOfDay(millis: millis))
    }

    /// Without `cleanFileForciblyEnable` a nearly full disk deletes only expired files.
    @Test func noForcedCleaningWhenDisabled() async throws {
        try await withTemporaryDirectory { root in
            let disk = FakeEnvironment(diskUsedRatio: 0.89)
            var config = Self.config(root: root)
            config.cleanFileForciblyEnable = false
            let store = try openStore(config, environment: disk.environment)
            defer { store.shutdown() }
            _ = try await Self.fill(store, untilFile: 2)
            let pass = store.retention.cleanFilesPeriodically()
            #expect(pass.spaceFull && !pass.cleanAtOnce)
            #expect(pass.commitLogFilesDeleted == 0)
            #expect(store.minPhysicalOffset == 0)
        }
    }

    /// `deleteWhen` and the manual trigger (DELETE_EXPIRED_COMMITLOG).
    @Test func deleteHoursAndManualDeletion() async throws {
        #expect(RetentionService.isItTimeToDo("04", hour: 4))
        #expect(!RetentionService.isItTimeToDo("04", hour: 5))
        #expect(RetentionService.isItTimeToDo("04;16", hour: 16))
        #expect(!RetentionService.isItTimeToDo("x;", hour: 0))
        try await withTemporaryDirectory { root in
            let start = SystemClock.currentTimeMillis()
            let clock = FakeEnvironment(now: start + 73 * Self.hour)
            var config = Self.config(root: root)
            config.deleteWhen = String((RetentionEnvironment.hourOfDay(millis: clock.now) + 12) % 24)
            let store = try openStore(config, environment: clock.environment)
            defer { store.shutdown() }
            _ = try await Self.fill(store, untilFile: 1)
            #expect(store.retention.cleanFilesPeriodically().commitLogFilesDeleted == 0)
            store.executeDeleteFilesManually()
            #expect(store.retention.cleanFilesPeriodically().commitLogFilesDeleted == 1)
            #expect(store.minPhysicalOffset == Int64(Self.fileSize))
        }
    }

    /// A reader holding a file keeps valid bytes after it is deleted; reads racing a deletion see only Java's
    /// statuses and whole entries.
    @Test func deletionUnderReaders() async throws {
        try await withTemporaryDirectory { root in
            let disk = FakeEnvironment(diskUsedRatio: 0.5)
            let store = try openStore(Self.config(root: root), environment: disk.environment)
            defer { store.shutdown() }
            let results = try await Self.fill(store, untilFile: 12)
            let held = try #require(store.commitLog.queue.firstMappedFile)
            let before = Array(held.bytes(at: 0, count: held.fileSize))

            disk.diskUsedRatio = 0.86
            let statuses = Locked<Set<GetMessageStatus>>([])
            let reader = Task.detached {
                var offset: Int64 = 0
                for _ in 0..<400 {
                    let result = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: offset, maxMsgNums: 4)
                    statuses.withLock { _ = $0.insert(result.status) }
                    // Whatever is returned is whole.
                    _ = try StoredMessage.decodeAll(result.body, verifyBodyCRC: true)
                    offset = result.nextBeginOffset
                    if result.status == .offsetOverflowOne { offset = 0 }
                }
            }
            var deleted = 0
            while deleted < 12 {
                let pass = store.retention.cleanFilesPeriodically()
                deleted += pass.commitLogFilesDeleted
                if pass.commitLogFilesDeleted == 0 { break }
            }
            try await reader.value
            #expect(deleted == 12)
            #expect(statuses.value.isSubset(of: [.found, .offsetTooSmall, .messageWasRemoving, .offsetFoundNull, .offsetOverflowOne]))
            #expect(!FileManager.default.fileExists(atPath: held.path))
            #expect(Array(held.bytes(at: 0, count: held.fileSize)) == before)
            try Self.checkTrimmed(store, results: results, minOffset: 12 * Int64(Self.fileSize))
        }
    }

    /// A commit-log file that cannot be created answers CREATE_MAPEDFILE_FAILED, writes nothing but Java's
    /// end-of-file filler, and the log goes on once the file can be created.
    @Test func commitLogFileCreationFailure() async throws {
        try await withTemporaryDirectory { root in
            let config = Self.config(root: root)
            let store = try LocalFileMessageStore(config: config, logger: testLogger, environment: halfFullDisk)
            // A directory where the second file goes: open(O_CREAT) fails with EISDIR, ahead of time and at the roll.
            let blocker = root + "/commitlog/" + FileSystem.offsetFileName(Int64(Self.fileSize))
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
            try store.start()
            var stored: [AppendMessageResult] = []
            var failed: PutMessageResult?
            for i in 0..<20 {
                let result = await store.putMessage(makeMessage(body: "m\(i)-" + String(repeating: "x", count: 300), keys: "k-\(i)"))
                guard let append = result.appendResult else {
                    failed = result
                    break
                }
                #expect(result.status == .putOK)
                stored.append(append)
            }
            #expect(failed?.status == .createMappedFileFailed)
            #expect(!stored.isEmpty && stored.last!.nextOffset < Int64(Self.fileSize))
            // Not for want of space: later puts retry the roll.
            #expect(!store.isDiskFull)
            #expect(await store.putMessage(makeMessage(body: "again")).status == .createMappedFileFailed)

            try FileManager.default.removeItem(atPath: blocker)
            let next = try await put(store, makeMessage(body: "next", keys: "k-next"))
            #expect(next.wroteOffset == Int64(Self.fileSize))
            #expect(next.queueOffset == Int64(stored.count))
            await store.waitForDispatch(upTo: next.nextOffset)
            #expect(try readAll(store).map(\.physicalOffset) == stored.map(\.wroteOffset) + [next.wroteOffset])
            store.shutdown()

            RecoveryTests.markAbort(root)
            let reopened = try LocalFileMessageStore(config: config, logger: testLogger, environment: halfFullDisk)
            defer { reopened.shutdown() }
            #expect(!reopened.recovery.tornTail)
            #expect(reopened.maxPhysicalOffset == next.nextOffset)
            #expect(try readAll(reopened).map(\.physicalOffset) == stored.map(\.wroteOffset) + [next.wroteOffset])
            #expect(reopened.queryMessage(topic: "TopicTest", key: "k-next", maxNum: 4, begin: 0, end: .max).messageCount == 1)
        }
        // Out of space or quota marks the disk full; other errors fail only the put.
        #expect(StoreError.io(operation: "posix_fallocate", path: "/x", errno: .noSpace).isOutOfSpace)
        #expect(StoreError.io(operation: "open", path: "/x", errno: .diskQuotaExceeded).isOutOfSpace)
        #expect(!StoreError.io(operation: "open", path: "/x", errno: .isDirectory).isOutOfSpace)
    }

    /// The real probe, as Java computes it.
    @Test func diskUsedRatio() throws {
        let ratio = DiskSpace.usedRatio(path: NSTemporaryDirectory())
        #expect(ratio > 0 && ratio <= 1)
        #expect(DiskSpace.usedRatio(path: "/no/such/path/\(UUID().uuidString)") == -1)
    }
}
