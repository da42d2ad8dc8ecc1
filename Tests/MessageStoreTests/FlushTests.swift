import Foundation
import NIOCore
import NIOPosix
import RocketMQModel
import Synchronization
import Testing

@testable import MessageStore

@Suite struct FlushTests {
    /// SYNC_FLUSH: every WAIT=true put answers only once its bytes are synced, and concurrent puts share syncs.
    @Test func groupCommitWithConcurrentAppenders() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root, commitLogFileSize: 256 * 1024, flushDiskType: .syncFlush))
            defer { store.shutdown() }
            let writers = 32
            let perWriter = 8
            let flushedWhenAnswered = Locked<[Int64]>([])
            let results = await withTaskGroup(of: [PutMessageResult].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var results: [PutMessageResult] = []
                        for i in 0..<perWriter {
                            let result = await withCheckedContinuation { continuation in
                                store.putMessage(makeMessage(queueId: Int32(writer % 4), body: "w\(writer)-\(i)", keys: "w\(writer)-\(i)")) { result in
                                    // Checked when answered, on the group-commit thread.
                                    let lag = (result.appendResult?.nextOffset ?? .max) - store.flushedPhysicalOffset
                                    flushedWhenAnswered.withLock { $0.append(lag) }
                                    continuation.resume(returning: result)
                                }
                            }
                            results.append(result)
                        }
                        return results
                    }
                }
                var all: [PutMessageResult] = []
                for await results in group { all += results }
                return all
            }
            #expect(results.count == writers * perWriter)
            #expect(results.allSatisfy { $0.status == .putOK })
            // Not one answer came before its bytes were synced.
            #expect(flushedWhenAnswered.value.count == writers * perWriter)
            #expect(flushedWhenAnswered.value.allSatisfy { $0 <= 0 })
            let syncs = try #require(store.groupCommit).syncs
            #expect(syncs > 0)
            #expect(syncs < writers * perWriter, "\(syncs) syncs for \(writers * perWriter) puts")
            if ProcessInfo.processInfo.environment["STORE_TEST_FIGURES"] != nil {
                print("group commit: \(syncs) syncs for \(writers * perWriter) puts")
            }
            // Every message is there, with distinct queue offsets per queue.
            let end = results.compactMap(\.appendResult?.nextOffset).max()!
            await store.waitForDispatch(upTo: end)
            var total = 0
            for queueId in Int32(0)..<4 {
                let messages = try readAll(store, queueId: queueId)
                #expect(messages.map(\.queueOffset) == (0..<Int64(messages.count)).map { $0 })
                total += messages.count
            }
            #expect(total == writers * perWriter)
        }
    }

    /// The EventLoopPromise form, as the broker will use it.
    @Test func groupCommitCompletesPromises() async throws {
        try await withTemporaryDirectory { root in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let store = try openStore(smallConfig(root: root, flushDiskType: .syncFlush))
            let futures = (0..<20).map { i -> EventLoopFuture<PutMessageResult> in
                let promise = group.next().makePromise(of: PutMessageResult.self)
                store.putMessage(makeMessage(body: "p\(i)"), promise: promise)
                return promise.futureResult
            }
            for future in futures {
                let result = try await future.get()
                #expect(result.status == .putOK)
                #expect(store.flushedPhysicalOffset >= result.appendResult!.nextOffset)
            }
            store.shutdown()
            try await group.shutdownGracefully()
        }
    }

    /// WAIT=false under SYNC_FLUSH answers at once.
    @Test func syncFlushWithoutWait() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root, flushDiskType: .syncFlush))
            defer { store.shutdown() }
            let answered = Locked<PutMessageResult?>(nil)
            store.putMessage(makeMessage(wait: false)) { result in answered.withLock { $0 = result } }
            // The completion ran on this thread, before putMessage returned.
            #expect(answered.value?.status == .putOK)
            // And it still gets synced and dispatched.
            let next = answered.value!.appendResult!.nextOffset
            await store.waitForDispatch(upTo: next)
            #expect(store.flushedPhysicalOffset >= next)
        }
    }

    /// FLUSH_DISK_TIMEOUT: a sync that hangs past `syncFlushTimeout` is answered by the watcher, once.
    @Test func flushDiskTimeout() async throws {
        let gate = Gate()
        let service = GroupCommitService(logger: testLogger) {
            gate.wait()
            return 1000
        }
        service.start()
        let answers = Locked<[PutMessageStatus]>([])
        let start = ContinuousClock.now
        // Measured when the watcher answers, not when this task gets a thread back.
        let answeredAt = Locked<ContinuousClock.Instant?>(nil)
        let status = await withCheckedContinuation { continuation in
            service.submit(GroupCommitRequest(nextOffset: 500, timeoutMillis: 50) { status in
                answeredAt.withLock { $0 = ContinuousClock.now }
                answers.withLock { $0.append(status) }
                continuation.resume(returning: status)
            })
        }
        let waited = try #require(answeredAt.value) - start
        #expect(status == .flushDiskTimeout)
        #expect(waited >= .milliseconds(50))
        #expect(waited < .milliseconds(2000))
        // When the sync finally returns, the request is not answered again.
        gate.open()
        service.shutdown()
        #expect(answers.value == [.flushDiskTimeout])
    }

    /// A sync that does not reach the request's offset answers FLUSH_DISK_TIMEOUT at once.
    @Test func shortSyncAnswersTimeout() async throws {
        let service = GroupCommitService(logger: testLogger) { 100 }
        service.start()
        defer { service.shutdown() }
        let statuses = await withTaskGroup(of: PutMessageStatus.self) { group in
            for offset in [50, 100, 150] as [Int64] {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        service.submit(GroupCommitRequest(nextOffset: offset, timeoutMillis: 10_000) { continuation.resume(returning: $0) })
                    }
                }
            }
            var statuses: [PutMessageStatus] = []
            for await status in group { statuses.append(status) }
            return statuses
        }
        #expect(statuses.filter { $0 == .putOK }.count == 2)
        #expect(statuses.filter { $0 == .flushDiskTimeout }.count == 1)
    }

    /// Under SYNC_FLUSH nothing past the flushed offset is dispatched (Apache RocketMQ #8239); under ASYNC_FLUSH
    /// dispatch follows the write.
    @Test(arguments: [FlushDiskType.syncFlush, .asyncFlush])
    func dispatchStopsAtFlushedOffset(flushDiskType: FlushDiskType) async throws {
        try await withTemporaryDirectory { root in
            // Opened, not started: no flush or dispatch thread runs, so the test drives them.
            let store = try LocalFileMessageStore(config: smallConfig(root: root, flushDiskType: flushDiskType), logger: testLogger)
            defer { store.shutdown() }
            let prepared = try store.commitLog.prepare(makeMessage(keys: "k"))
            let appended = try #require(store.commitLog.append(prepared).appendResult)
            store.reput.doReput()
            if flushDiskType == .syncFlush {
                #expect(store.flushedPhysicalOffset == 0)
                #expect(store.dispatchedPhysicalOffset == 0)
                #expect(store.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == 0)
                #expect(store.queryMessage(topic: "TopicTest", key: "k", maxNum: 1, begin: 0, end: .max).messageCount == 0)
                _ = try store.commitLog.flush(leastPages: 0)
                #expect(store.flushedPhysicalOffset == appended.nextOffset)
                store.reput.doReput()
            }
            #expect(store.dispatchedPhysicalOffset == appended.nextOffset)
            #expect(store.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == 1)
            #expect(store.queryMessage(topic: "TopicTest", key: "k", maxNum: 1, begin: 0, end: .max).messageCount == 1)
        }
    }

    /// `flushCommitLogLeastPages`: a file is synced once enough 4 KiB pages are dirty, or when full.
    @Test func flushLeastPages() async throws {
        try await withTemporaryDirectory { root in
            let queue = MappedFileQueue(directory: root, mappedFileSize: 8 * 4096)
            let file = try queue.lastMappedFile(startOffset: 0)
            let page = [UInt8](repeating: 7, count: 4096)
            page.withUnsafeBytes { file.write($0, at: 0) }
            file.publish(wrotePosition: 3 * 4096 + 10)
            #expect(!file.isAbleToFlush(leastPages: 4))
            #expect(file.isAbleToFlush(leastPages: 3))
            #expect(try !queue.flush(leastPages: 4))
            #expect(queue.flushedWhere == 0)
            file.publish(wrotePosition: 4 * 4096)
            #expect(try queue.flush(leastPages: 4))
            #expect(queue.flushedWhere == 4 * 4096)
            file.publish(wrotePosition: 4 * 4096 + 1)
            #expect(try queue.flush(leastPages: 0))
            #expect(queue.flushedWhere == 4 * 4096 + 1)
            // A full file is always synced, and the flush moves on to the next file.
            file.publish(wrotePosition: 8 * 4096)
            let next = try queue.lastMappedFile(startOffset: 0)
            #expect(next.fileFromOffset == 8 * 4096)
            next.publish(wrotePosition: 100)
            #expect(try queue.flush(leastPages: 4))
            #expect(queue.flushedWhere == 8 * 4096)
            #expect(try queue.flush(leastPages: 0))
            #expect(queue.flushedWhere == 8 * 4096 + 100)
        }
    }

    /// The ASYNC_FLUSH thread syncs the log and the checkpoint learns the newest synced message's time.
    @Test func asyncFlushAndCheckpoint() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            let result = try await put(store, makeMessage())
            await store.waitForDispatch(upTo: result.nextOffset)
            store.shutdown()
            #expect(store.flushedPhysicalOffset == result.nextOffset)
            let checkpoint = try Data(contentsOf: URL(fileURLWithPath: root + "/checkpoint"))
            #expect(checkpoint.count == 4096)
            var buffer = ByteBuffer(bytes: checkpoint)
            let values = buffer.readMultipleIntegers(as: (Int64, Int64, Int64).self)
            let (physic, logics, index) = try #require(values)
            #expect(physic == result.storeTimestamp)
            #expect(logics == result.storeTimestamp)
            #expect(index == result.storeTimestamp)
            #expect(!FileManager.default.fileExists(atPath: root + "/abort"))
        }
    }
}

/// Blocks a thread until opened (a hung disk).
final class Gate: Sendable {
    private let state = LockedValue(false)
    func wait() {
        while !self.state.withLock({ $0 }) { usleep(1000) }
    }
    func open() { self.state.withLock { $0 = true } }
}
