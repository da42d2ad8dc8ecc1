import Logging
import RocketMQModel
import Synchronization

/// The dispatcher (Java `ReputMessageService`): reads the commit log from the dispatched offset, and for each
/// entry appends its consume-queue unit (NOT_TYPE and COMMIT messages only), indexes its keys, and tells the
/// arrival listener. Under SYNC_FLUSH it stops at the flushed offset, so that a consumer never reads a message a
/// crash could take back (Apache RocketMQ issue #8239).
final class ReputMessageService: Sendable {
    private let commitLog: CommitLog
    private let consumeQueues: ConsumeQueueTable
    private let indexService: IndexService
    private let checkpoint: StoreCheckpoint
    private let syncFlush: Bool
    private let messageIndexEnable: Bool
    private let arrivalListener: (@Sendable (MessageArrival) -> Void)?
    private let logger: Logger
    private let thread = ServiceThread(name: "ReputMessage")
    private let reputFrom = Atomic<Int64>(0)
    /// Below this offset (the log's end when recovery started) entries may be in the queues already.
    private let replayEndValue = Atomic<Int64>(0)
    private let failing = Atomic<Bool>(false)
    private let waiters = LockedValue<[(offset: Int64, continuation: CheckedContinuation<Void, Never>)]>([])
    /// Serialises passes between the thread and callers that dispatch directly (recovery, shutdown).
    private let passLock = LockedValue<Void>(())

    init(
        commitLog: CommitLog, consumeQueues: ConsumeQueueTable, indexService: IndexService, checkpoint: StoreCheckpoint,
        config: MessageStoreConfig, arrivalListener: (@Sendable (MessageArrival) -> Void)?, logger: Logger
    ) {
        self.commitLog = commitLog
        self.consumeQueues = consumeQueues
        self.indexService = indexService
        self.checkpoint = checkpoint
        self.syncFlush = config.flushDiskType == .syncFlush
        self.messageIndexEnable = config.messageIndexEnable
        self.arrivalListener = arrivalListener
        self.logger = logger
    }

    /// The commit-log offset dispatched up to.
    var reputFromOffset: Int64 {
        get { self.reputFrom.load(ordering: .acquiring) }
        set { self.reputFrom.store(newValue, ordering: .releasing) }
    }

    /// Below this offset dispatch first checks, cheaply, whether an entry's unit and keys are there already
    /// (recovery sets it to the end of the log it found).
    var replayEnd: Int64 {
        get { self.replayEndValue.load(ordering: .acquiring) }
        set { self.replayEndValue.store(newValue, ordering: .releasing) }
    }

    /// The offset dispatch may read up to: the flushed offset under SYNC_FLUSH, else the end of the log.
    var dispatchLimit: Int64 {
        self.syncFlush ? min(self.commitLog.flushedWhere, self.commitLog.maxOffset) : self.commitLog.maxOffset
    }

    /// Java `behind()`: bytes of the log not dispatched yet.
    var behind: Int64 {
        self.commitLog.maxOffset - self.reputFromOffset
    }

    /// Whether dispatching failed (a consume-queue or index file could not be written); the store then refuses
    /// puts.
    var isFailing: Bool { self.failing.load(ordering: .acquiring) }

    func start() {
        self.thread.start { [self] service in
            while !service.isStopped {
                // Polls every millisecond like Java's; syncs (SYNC_FLUSH) and dispatch waiters also wake it.
                service.waitForRunning(milliseconds: self.isFailing ? 1000 : 1)
                guard !service.isStopped else { break }
                self.doReput()
            }
        }
    }

    /// Dispatches what remains (up to 50 passes, as Java waits up to 5 s) and stops the thread.
    func shutdown() {
        self.thread.shutdown()
        for _ in 0..<50 where self.reputFromOffset < self.dispatchLimit && !self.isFailing {
            self.doReput()
        }
        let waiting = self.waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiting { waiter.continuation.resume() }
    }

    func wakeup() {
        self.thread.wakeup()
    }

    /// Returns once everything below `offset` is dispatched (or the service stops).
    func waitForDispatch(upTo offset: Int64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.waiters.withLock { waiters -> Bool in
                if self.reputFromOffset >= offset { return true }
                waiters.append((offset, continuation))
                return false
            }
            if ready { continuation.resume() } else { self.thread.wakeup() }
        }
    }

    /// One dispatch pass over everything readable (Java `doReput`).
    func doReput() {
        self.passLock.withLock { _ in self.dispatchAvailable() }
        let offset = self.reputFromOffset
        let ready = self.waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard !waiters.isEmpty else { return [] }
            var ready: [CheckedContinuation<Void, Never>] = []
            waiters.removeAll { waiter in
                guard waiter.offset <= offset else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private func dispatchAvailable() {
        var offset = self.reputFromOffset
        let minOffset = self.commitLog.minOffset
        if minOffset >= 0 && offset < minOffset {
            self.logger.warning("dispatch offset below the commit log's first offset; dispatch skips ahead", metadata: [
                "reputFromOffset": "\(offset)", "minOffset": "\(minOffset)",
            ])
            offset = minOffset
        }
        let limit = self.dispatchLimit
        var lookup = ReplayLookup()
        outer: while offset < limit {
            guard let file = self.commitLog.queue.findMappedFile(byOffset: offset) else { break }
            let position = Int(offset - file.fileFromOffset)
            let readable = min(file.readPosition, Int(limit - file.fileFromOffset))
            guard position < readable else {
                if position >= file.fileSize {
                    offset = file.fileFromOffset + Int64(file.fileSize)
                    continue outer
                }
                break
            }
            let bytes = file.bytes(at: position, count: readable - position)
            var read = 0
            let replayEnd = self.replayEnd
            while read < bytes.count {
                if offset < replayEnd, let size = withExtendedLifetime(file, {
                    self.alreadyDispatched(
                        UnsafeRawBufferPointer(rebasing: bytes[read...]), physicalOffset: offset, lookup: &lookup)
                }) {
                    offset += Int64(size)
                    read += Int(size)
                    self.reputFromOffset = offset
                    continue
                }
                let check = withExtendedLifetime(file) {
                    self.commitLog.checkEntry(
                        UnsafeRawBufferPointer(rebasing: bytes[read...]), physicalOffset: offset, checkCRC: false,
                        checkPhysicalOffset: false)
                }
                switch check {
                case .message(let request):
                    lookup.lastIndexed = nil
                    do {
                        try self.dispatch(request)
                    } catch {
                        if !self.failing.exchange(true, ordering: .acquiringAndReleasing) {
                            self.logger.error("dispatch failed; retrying every second", metadata: [
                                "offset": "\(offset)", "error": "\(error)",
                            ])
                        }
                        break outer
                    }
                    self.failing.store(false, ordering: .releasing)
                    offset += Int64(request.msgSize)
                    read += Int(request.msgSize)
                    self.reputFromOffset = offset
                case .blank:
                    offset = self.commitLog.rollNextFile(offset)
                    self.reputFromOffset = offset
                    continue outer
                case .sizeMismatch(let size):
                    self.logger.error("commit-log entry size does not match its fields; skipped", metadata: ["offset": "\(offset)"])
                    offset += Int64(size)
                    read += Int(size)
                    self.reputFromOffset = offset
                case .invalid:
                    if Self.isCutEntry(UnsafeRawBufferPointer(rebasing: bytes[read...]), room: file.fileSize - position - read) {
                        // Replicated bytes end mid-entry (an HA batch boundary): the rest comes with the next one.
                        break outer
                    }
                    // Java (on a master) skips what is readable rather than stall.
                    self.logger.error("unreadable commit-log entry; skipping to the end of the written data", metadata: [
                        "offset": "\(offset)",
                    ])
                    offset += Int64(bytes.count - read)
                    self.reputFromOffset = offset
                    continue outer
                }
            }
        }
    }

    /// Whether `bytes` are the start of an entry whose end is not readable yet but fits in the file: fewer than
    /// 8 bytes, or a MESSAGE magic with a TOTALSIZE beyond the readable bytes and within `room`.
    static func isCutEntry(_ bytes: UnsafeRawBufferPointer, room: Int) -> Bool {
        guard bytes.count >= 8 else { return true }
        let totalSize = Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))
        let magic = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self))
        return magic == CommitLog.messageMagicCode && Int(totalSize) > bytes.count && Int(totalSize) <= room
            && totalSize >= Int32(StoredMessage.minimumLength)
    }

    /// What the replay check looked up last: consecutive entries mostly share a topic, and the index's end moves
    /// only when an entry is dispatched.
    struct ReplayLookup {
        var topic: [UInt8] = []
        var queues: [Int32: ConsumeQueue] = [:]
        var lastIndexed: Int64?
    }

    /// The size of the entry at the start of `bytes` if its consume-queue unit and index keys are written already
    /// (recovery replays from where the checkpoint vouches, and most of that is in the queues): found from the
    /// entry's fixed fields, without building its strings.
    private func alreadyDispatched(
        _ bytes: UnsafeRawBufferPointer, physicalOffset: Int64, lookup: inout ReplayLookup
    ) -> Int32? {
        guard case .entry(let entry) = self.commitLog.inspectEntry(
            bytes, physicalOffset: physicalOffset, checkCRC: false, checkPhysicalOffset: false)
        else { return nil }
        let end = physicalOffset + Int64(entry.totalSize)
        let transactionType = entry.sysFlag.transactionType
        if self.messageIndexEnable && transactionType != .rollback {
            if lookup.lastIndexed == nil { lookup.lastIndexed = self.indexService.lastIndexedPhyOffset ?? -1 }
            if physicalOffset > lookup.lastIndexed ?? -1 { return nil }
        }
        if transactionType == .notType || transactionType == .commit {
            let topic = UnsafeRawBufferPointer(rebasing: bytes[entry.topic])
            if !lookup.topic.elementsEqual(topic) {
                lookup.topic = Array(topic)
                lookup.queues = [:]
            }
            let queue: ConsumeQueue
            if let known = lookup.queues[entry.queueId] {
                queue = known
            } else {
                let name = String(decoding: topic, as: UTF8.self)
                guard let found = self.consumeQueues.find(topic: name, queueId: entry.queueId) else { return nil }
                lookup.queues[entry.queueId] = found
                queue = found
            }
            guard queue.maxPhysicOffset >= end else { return nil }
            self.checkpoint.logicsMsgTimestamp = entry.storeTimestamp
        }
        if self.messageIndexEnable {
            self.checkpoint.indexMsgTimestamp = entry.storeTimestamp
        }
        return entry.totalSize
    }

    private func dispatch(_ request: DispatchRequest) throws(StoreError) {
        switch request.sysFlag.transactionType {
        case .notType, .commit:
            let queue = self.consumeQueues.findOrCreate(topic: request.topic, queueId: request.queueId)
            try queue.putMessagePositionInfo(
                offset: request.commitLogOffset, size: request.msgSize, tagsCode: request.tagsCode,
                cqOffset: request.consumeQueueOffset)
            self.checkpoint.logicsMsgTimestamp = request.storeTimestamp
        case .prepared, .rollback:
            break
        }
        if self.messageIndexEnable {
            try self.indexService.buildIndex(request)
            self.checkpoint.indexMsgTimestamp = request.storeTimestamp
        }
        if let listener = self.arrivalListener, request.sysFlag.transactionType == .notType || request.sysFlag.transactionType == .commit {
            listener(MessageArrival(
                topic: request.topic, queueId: request.queueId, logicOffset: request.consumeQueueOffset + 1,
                tagsCode: request.tagsCode, storeTimestamp: request.storeTimestamp, msgSize: request.msgSize))
        }
    }
}
