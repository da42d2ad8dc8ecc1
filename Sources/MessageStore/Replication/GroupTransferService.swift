import RocketMQModel
import Logging
import Synchronization

/// The master's view of its slaves and the SYNC_MASTER puts waiting for them (Java `HAService`'s
/// `connectionCount` and `push2SlaveMaxOffset`, and its `GroupTransferService`). The HA connections (in
/// `HAReplication`) report into it; the store asks it before answering a put. No networking here.
///
/// A waiting put is completed exactly once: PUT_OK by ``slaveAcknowledged(offset:)`` once a slave reports an
/// offset at or past its end, FLUSH_SLAVE_TIMEOUT by the watcher thread at `slaveTimeout`.
public final class GroupTransferService: Sendable {
    private struct State {
        /// In submission order, which is deadline order (one timeout for all).
        var waiting: [GroupCommitRequest] = []
        var stopped = false
        var dataListeners: [Int: @Sendable () -> Void] = [:]
        var nextListenerID = 0
    }

    private let state = LockedValue(State())
    private let connections = Atomic<Int>(0)
    private let acknowledged = Atomic<Int64>(0)
    private let hasListeners = Atomic<Bool>(false)
    private let watcher = ServiceThread(name: "GroupTransferWatch")
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    // MARK: Reported by the HA connections

    /// Slave connections open now (Java `connectionCount`).
    public var connectionCount: Int { self.connections.load(ordering: .acquiring) }

    /// The highest offset any slave has reported (Java `push2SlaveMaxOffset`).
    public var push2SlaveMaxOffset: Int64 { self.acknowledged.load(ordering: .acquiring) }

    public func slaveConnected() {
        self.connections.add(1, ordering: .acquiringAndReleasing)
    }

    public func slaveDisconnected() {
        self.connections.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// A slave reported `offset` (Java `notifyTransferSome`): completes the puts it covers.
    public func slaveAcknowledged(offset: Int64) {
        var current = self.acknowledged.load(ordering: .acquiring)
        while offset > current {
            let (exchanged, original) = self.acknowledged.compareExchange(
                expected: current, desired: offset, ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
        guard offset > current else { return }
        let done = self.state.withLock { state -> [GroupCommitRequest] in
            guard !state.waiting.isEmpty else { return [] }
            var done: [GroupCommitRequest] = []
            state.waiting.removeAll { request in
                guard request.nextOffset <= offset else { return false }
                done.append(request)
                return true
            }
            return done
        }
        for request in done { request.complete(.putOK) }
    }

    /// Registers a closure called after each put on a master, so that HA connections push new data at once
    /// rather than at their next poll (Java's `getWaitNotifyObject().wakeupAll()`). It must not block. Returns an
    /// id for ``removeDataListener(_:)``.
    public func addDataListener(_ listener: @escaping @Sendable () -> Void) -> Int {
        self.state.withLock { state in
            defer { state.nextListenerID += 1 }
            state.dataListeners[state.nextListenerID] = listener
            self.hasListeners.store(true, ordering: .releasing)
            return state.nextListenerID
        }
    }

    public func removeDataListener(_ id: Int) {
        self.state.withLock { state in
            state.dataListeners[id] = nil
            self.hasListeners.store(!state.dataListeners.isEmpty, ordering: .releasing)
        }
    }

    // MARK: Used by the put path

    /// Java `isSlaveOK`: a slave is connected and no more than `fallBehindMax` bytes behind `masterPutWhere`.
    func isSlaveOK(masterPutWhere: Int64, fallBehindMax: Int) -> Bool {
        self.connectionCount > 0 && masterPutWhere - self.push2SlaveMaxOffset < Int64(fallBehindMax)
    }

    func dataAppended() {
        guard self.hasListeners.load(ordering: .acquiring) else { return }
        let listeners = self.state.withLock { Array($0.dataListeners.values) }
        for listener in listeners { listener() }
    }

    /// Queues a put until a slave acknowledges its end; completed at once if one has already.
    func submit(_ request: GroupCommitRequest) {
        enum Outcome { case queued, covered, stopped }
        // The check is under the lock that acknowledgements scan under, after storing their offset: a racing
        // acknowledgement either is seen here or finds the request queued.
        let outcome = self.state.withLock { state -> Outcome in
            guard !state.stopped else { return .stopped }
            guard self.push2SlaveMaxOffset < request.nextOffset else { return .covered }
            state.waiting.append(request)
            return .queued
        }
        switch outcome {
        case .queued: break
        case .covered: request.complete(.putOK)
        case .stopped: request.complete(.flushSlaveTimeout)
        }
    }

    func start() {
        self.watcher.start { [self] service in
            while !service.isStopped {
                service.waitForRunning(milliseconds: self.expireDue())
            }
        }
    }

    func shutdown() {
        self.watcher.shutdown()
        let left = self.state.withLock { state -> [GroupCommitRequest] in
            defer {
                state.waiting.removeAll()
                state.stopped = true
            }
            return state.waiting
        }
        for request in left { request.complete(.flushSlaveTimeout) }
    }

    /// Answers FLUSH_SLAVE_TIMEOUT to due requests; returns the milliseconds until the next deadline (capped).
    private func expireDue() -> Int {
        let now = SystemClock.monotonicNanos()
        let (expired, wait) = self.state.withLock { state -> ([GroupCommitRequest], Int) in
            var expired: [GroupCommitRequest] = []
            var count = 0
            while count < state.waiting.count, state.waiting[count].deadline <= now {
                expired.append(state.waiting[count])
                count += 1
            }
            state.waiting.removeFirst(count)
            guard let first = state.waiting.first else { return (expired, 100) }
            return (expired, max(1, min(100, Int((first.deadline - now) / 1_000_000) + 1)))
        }
        for request in expired { request.complete(.flushSlaveTimeout) }
        if !expired.isEmpty {
            self.logger.warning("SYNC_MASTER puts timed out waiting for the slave", metadata: ["count": "\(expired.count)"])
        }
        return wait
    }
}
