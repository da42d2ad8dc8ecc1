import RocketMQModel
import NIOCore

extension LocalFileMessageStore {
    /// Stores one message (Java `asyncPutMessage`). `completion` runs on the calling thread once the bytes are in
    /// the page cache, or — under SYNC_FLUSH for a `WAIT=true` message — on the group-commit thread once they
    /// are synced (FLUSH_DISK_TIMEOUT after `syncFlushTimeout`).
    public func putMessage(_ message: BrokerInnerMessage, completion: @escaping @Sendable (PutMessageResult) -> Void) {
        let status = self.storeStatus
        guard status == .putOK else {
            completion(PutMessageResult(status: status))
            return
        }
        let result: PutMessageResult
        do throws(PutMessageFailure) {
            result = self.commitLog.append(try self.commitLog.prepare(message))
        } catch {
            result = PutMessageResult(status: error.status)
        }
        self.acknowledge(result, waitForFlush: message.waitStoreMessageOK, completion: completion)
    }

    /// Stores one message and completes `promise` as ``putMessage(_:completion:)`` does.
    public func putMessage(_ message: BrokerInnerMessage, promise: EventLoopPromise<PutMessageResult>) {
        self.putMessage(message) { promise.succeed($0) }
    }

    /// Stores one message; returns when it is acknowledged (see ``putMessage(_:completion:)``).
    public func putMessage(_ message: BrokerInnerMessage) async -> PutMessageResult {
        await withCheckedContinuation { continuation in
            self.putMessage(message) { continuation.resume(returning: $0) }
        }
    }

    /// Stores a batch (Java `asyncPutMessages`): its entries get consecutive queue offsets in one append.
    public func putMessages(_ batch: BrokerInnerBatch, completion: @escaping @Sendable (PutMessageResult) -> Void) {
        let status = self.storeStatus
        guard status == .putOK else {
            completion(PutMessageResult(status: status))
            return
        }
        let result: PutMessageResult
        do throws(PutMessageFailure) {
            result = self.commitLog.append(try self.commitLog.encode(batch))
        } catch {
            result = PutMessageResult(status: error.status)
        }
        self.acknowledge(result, waitForFlush: batch.waitStoreMessageOK, completion: completion)
    }

    /// Stores a batch and completes `promise`.
    public func putMessages(_ batch: BrokerInnerBatch, promise: EventLoopPromise<PutMessageResult>) {
        self.putMessages(batch) { promise.succeed($0) }
    }

    /// Stores a batch; returns when it is acknowledged.
    public func putMessages(_ batch: BrokerInnerBatch) async -> PutMessageResult {
        await withCheckedContinuation { continuation in
            self.putMessages(batch) { continuation.resume(returning: $0) }
        }
    }

    /// Java `checkStoreStatus`: refuse puts when not running, on a slave, while the disk is full or dispatch is
    /// failing, and while an append has held the commit log for longer than `osPageCacheBusyTimeOutMills`.
    private var storeStatus: PutMessageStatus {
        if !self.isRunning || self.config.brokerRole == .slave || self.runningFlags.isDiskFull || self.reput.isFailing {
            return .serviceNotAvailable
        }
        if self.isOSPageCacheBusy { return .osPageCacheBusy }
        return .putOK
    }

    /// Java `isOSPageCacheBusy`: the append under way has held the commit log lock too long (the page cache
    /// is stalling writes); the broker answers SYSTEM_BUSY so that producers back off or go elsewhere.
    public var isOSPageCacheBusy: Bool {
        let begin = self.commitLog.beginTimeInLock.load(ordering: .relaxed)
        return begin != 0 && SystemClock.currentTimeMillis() - begin > Int64(self.config.osPageCacheBusyTimeOutMills)
    }

    /// Answers a put: at once, or — SYNC_FLUSH and `WAIT=true` — once the group commit has synced it.
    private func acknowledge(
        _ result: PutMessageResult, waitForFlush: Bool, completion: @escaping @Sendable (PutMessageResult) -> Void
    ) {
        guard result.status == .putOK, let append = result.appendResult else {
            completion(result)
            return
        }
        guard let groupCommit = self.groupCommit else {
            // The dispatcher polls every millisecond (as Java's does); waking it per put would cost a syscall.
            completion(result)
            return
        }
        guard waitForFlush else {
            groupCommit.wakeup()
            completion(result)
            return
        }
        groupCommit.submit(GroupCommitRequest(nextOffset: append.nextOffset, timeoutMillis: self.config.syncFlushTimeout) { status in
            var result = result
            if status != .putOK { result.status = status }
            completion(result)
        })
    }
}
