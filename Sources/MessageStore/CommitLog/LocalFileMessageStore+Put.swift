import RocketMQModel
import NIOCore

extension LocalFileMessageStore {
    /// Stores one message (Java `asyncPutMessage`). `completion` runs on the calling thread once the bytes are in
    /// the page cache, or — under SYNC_FLUSH for a `WAIT=true` message — on the group-commit thread once they
    /// are synced (FLUSH_DISK_TIMEOUT after `syncFlushTimeout`).
    public func putMessage(_ message: BrokerInnerMessage, completion: @escaping @Sendable (PutMessageResult) -> Void) {
        if let result = self.putMessage(message, deferred: { completion }) { completion(result) }
    }

    /// Stores one message and returns its result when no wait is due (the put failed, or neither a group commit
    /// nor a slave has to confirm it); otherwise returns nil and later calls the completion that `deferred`
    /// makes, only then, so that the common answer allocates nothing for it.
    public func putMessage(
        _ message: BrokerInnerMessage, deferred: () -> @Sendable (PutMessageResult) -> Void
    ) -> PutMessageResult? {
        self.put(waitForFlush: message.waitStoreMessageOK, deferred: deferred) { () throws(PutMessageFailure) in
            self.commitLog.append(try self.commitLog.prepare(message))
        }
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
        if let result = self.putMessages(batch, deferred: { completion }) { completion(result) }
    }

    /// Stores a batch, answering at once or later as ``putMessage(_:deferred:)`` does.
    public func putMessages(
        _ batch: BrokerInnerBatch, deferred: () -> @Sendable (PutMessageResult) -> Void
    ) -> PutMessageResult? {
        self.put(waitForFlush: batch.waitStoreMessageOK, deferred: deferred) { () throws(PutMessageFailure) in
            self.commitLog.append(try self.commitLog.encode(batch))
        }
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

    /// The store's status check, the append, then ``acknowledge(_:waitForFlush:deferred:)``.
    private func put(
        waitForFlush: Bool, deferred: () -> @Sendable (PutMessageResult) -> Void,
        append: () throws(PutMessageFailure) -> PutMessageResult
    ) -> PutMessageResult? {
        let status = self.storeStatus
        guard status == .putOK else { return PutMessageResult(status: status) }
        let result: PutMessageResult
        do throws(PutMessageFailure) {
            result = try append()
        } catch {
            result = PutMessageResult(status: error.status)
        }
        return self.acknowledge(result, waitForFlush: waitForFlush, deferred: deferred)
    }

    /// Java `checkStoreStatus`: refuse puts when not running, on a slave, while the disk is full or dispatch is
    /// failing, and while an append has held the commit log for longer than `osPageCacheBusyTimeOutMills`.
    private var storeStatus: PutMessageStatus {
        if !self.isRunning || self.brokerRole == .slave || self.runningFlags.isDiskFull || self.reput.isFailing {
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

    /// Answers a put (Java `submitFlushRequest` and `submitReplicaRequest`, combined): at once, or — for
    /// `WAIT=true` — once the group commit has synced it (SYNC_FLUSH) and a slave has acknowledged it
    /// (SYNC_MASTER). The two waits run side by side; a non-OK replication status wins over a flush status, as
    /// in Java.
    private func acknowledge(
        _ result: PutMessageResult, waitForFlush: Bool, deferred: () -> @Sendable (PutMessageResult) -> Void
    ) -> PutMessageResult? {
        guard result.status == .putOK, let append = result.appendResult else { return result }
        let role = self.brokerRole
        if role != .slave { self.groupTransfer.dataAppended() }
        let waitForSlave = waitForFlush && role == .syncMaster
        guard let groupCommit = self.groupCommit, waitForFlush else {
            // No flush wait: a SYNC_FLUSH group commit still syncs it soon. The dispatcher polls every millisecond
            // (as Java's does); waking it per put would cost a syscall.
            self.groupCommit?.wakeup()
            guard waitForSlave else { return result }
            let completion = deferred()
            self.replicate(append, then: { status in
                var result = result
                if status != .putOK { result.status = status }
                completion(result)
            })
            return nil
        }
        let completion = deferred()
        guard waitForSlave else {
            groupCommit.submit(GroupCommitRequest(nextOffset: append.nextOffset, timeoutMillis: self.config.syncFlushTimeout) { status in
                var result = result
                if status != .putOK { result.status = status }
                completion(result)
            })
            return nil
        }
        let both = PutAcknowledgement(result: result, completion: completion)
        groupCommit.submit(GroupCommitRequest(nextOffset: append.nextOffset, timeoutMillis: self.config.syncFlushTimeout) { status in
            both.flushed(status)
        })
        self.replicate(append) { status in both.replicated(status) }
        return nil
    }

    /// Java `submitReplicaRequest` for a SYNC_MASTER: SLAVE_NOT_AVAILABLE at once when no slave is connected or
    /// it lags more than `haSlaveFallbehindMax`, else wait for its acknowledgement up to `slaveTimeout`.
    private func replicate(_ append: AppendMessageResult, then completion: @escaping @Sendable (PutMessageStatus) -> Void) {
        guard self.groupTransfer.isSlaveOK(masterPutWhere: append.nextOffset, fallBehindMax: self.config.haSlaveFallbehindMax) else {
            completion(.slaveNotAvailable)
            return
        }
        self.groupTransfer.submit(GroupCommitRequest(nextOffset: append.nextOffset, timeoutMillis: self.config.slaveTimeout, completion: completion))
    }
}

/// Joins a put's flush and replication outcomes (Java's `thenCombine`): answers once both are in.
private final class PutAcknowledgement: Sendable {
    private struct State {
        var flush: PutMessageStatus?
        var replica: PutMessageStatus?
    }

    private let result: PutMessageResult
    private let completion: @Sendable (PutMessageResult) -> Void
    private let state = LockedValue(State())

    init(result: PutMessageResult, completion: @escaping @Sendable (PutMessageResult) -> Void) {
        self.result = result
        self.completion = completion
    }

    func flushed(_ status: PutMessageStatus) {
        self.finish(self.state.withLock { state in
            state.flush = status
            return state.replica.map { (status, $0) }
        })
    }

    func replicated(_ status: PutMessageStatus) {
        self.finish(self.state.withLock { state in
            state.replica = status
            return state.flush.map { ($0, status) }
        })
    }

    private func finish(_ statuses: (flush: PutMessageStatus, replica: PutMessageStatus)?) {
        guard let (flush, replica) = statuses else { return }
        var result = self.result
        if flush != .putOK { result.status = flush }
        if replica != .putOK { result.status = replica }
        self.completion(result)
    }
}
