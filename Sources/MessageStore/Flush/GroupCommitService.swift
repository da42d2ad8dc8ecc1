import RocketMQModel
import Logging
import Synchronization

/// A SYNC_FLUSH append waiting for its bytes to be on disk (Java `GroupCommitRequest`). Completed exactly once,
/// by the group-commit thread after the sync or by the watcher at the deadline.
final class GroupCommitRequest: Sendable {
    /// Commit-log offset the sync must reach: the end of the append.
    let nextOffset: Int64
    /// Monotonic deadline (ns).
    let deadline: UInt64
    private let completion: @Sendable (PutMessageStatus) -> Void
    private let done = Atomic<Bool>(false)

    init(nextOffset: Int64, timeoutMillis: Int, completion: @escaping @Sendable (PutMessageStatus) -> Void) {
        self.nextOffset = nextOffset
        self.deadline = SystemClock.monotonicNanos() + UInt64(max(0, timeoutMillis)) * 1_000_000
        self.completion = completion
    }

    var isDone: Bool { self.done.load(ordering: .acquiring) }

    /// Completes the request unless it was completed already.
    func complete(_ status: PutMessageStatus) {
        guard self.done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        self.completion(status)
    }
}

/// SYNC_FLUSH group commit (Java `GroupCommitService` and `FlushDiskWatcher`): appends queue a request; the
/// commit thread takes every queued request at once, syncs the commit log once, and completes all whose offset
/// the sync reached — many appends share one `msync`. A watcher thread answers FLUSH_DISK_TIMEOUT to requests
/// still waiting at their deadline (`syncFlushTimeout`), even while a sync hangs.
final class GroupCommitService: Sendable {
    private struct State {
        /// Requests waiting for the next sync, in submission (= deadline) order.
        var requests: [GroupCommitRequest] = []
        /// The requests of the sync under way, all older than `requests`, for the watcher.
        var inFlight: [GroupCommitRequest] = []
        /// Set by ``shutdown()``: later requests are answered at once.
        var stopped = false
        /// Queued requests at which a submit wakes the commit thread (see ``doCommit(_:)``).
        var wakeAt = 1
    }

    /// The longest the commit thread waits for the writers of the last sync to come back (ns).
    static let maxGatherNanos: UInt64 = 1_000_000

    private let state = LockedValue(State())
    private let commitThread = ServiceThread(name: "GroupCommit")
    private let watcherThread = ServiceThread(name: "FlushDiskWatch")
    /// Syncs the commit log and returns the offset now on disk.
    private let flush: @Sendable () -> Int64
    private let logger: Logger
    /// Number of syncs done for requests (observability, and tests of the grouping).
    private let syncCount = Atomic<Int>(0)

    init(logger: Logger, flush: @escaping @Sendable () -> Int64) {
        self.flush = flush
        self.logger = logger
    }

    var syncs: Int { self.syncCount.load(ordering: .relaxed) }

    func start() {
        self.commitThread.start { [self] service in
            var gather: UInt64 = 0
            // Swapped with `State.requests` each round, so that neither array is reallocated.
            var batch: [GroupCommitRequest] = []
            while !service.isStopped {
                service.waitForRunning(nanoseconds: gather > 0 ? gather : 10_000_000)
                gather = self.doCommit(&batch)
            }
            // Serve what arrived before the stop.
            _ = self.doCommit(&batch)
        }
        self.watcherThread.start { [self] service in
            while !service.isStopped {
                service.waitForRunning(milliseconds: self.expireDue())
            }
        }
    }

    func shutdown() {
        self.commitThread.shutdown()
        self.watcherThread.shutdown()
        // Anything still waiting could not be synced.
        let left = self.state.withLock { state -> [GroupCommitRequest] in
            defer {
                state = State()
                state.stopped = true
            }
            return state.inFlight + state.requests
        }
        for request in left { request.complete(.flushDiskTimeout) }
    }

    /// Queues a request and wakes the commit thread; after ``shutdown()`` the request is answered
    /// FLUSH_DISK_TIMEOUT at once.
    func submit(_ request: GroupCommitRequest) {
        let (accepted, wake) = self.state.withLock { state -> (Bool, Bool) in
            guard !state.stopped else { return (false, false) }
            state.requests.append(request)
            return (true, state.requests.count >= state.wakeAt)
        }
        guard accepted else {
            request.complete(.flushDiskTimeout)
            return
        }
        if wake { self.commitThread.wakeup() }
    }

    /// Wakes the commit thread for an append that does not wait (it still gets synced soon).
    func wakeup() {
        self.commitThread.wakeup()
    }

    /// Syncs for every queued request (Java `doCommit`) and returns how long to wait, at most, before the next
    /// sync.
    ///
    /// Unlike Java, the next sync waits until as many requests are queued as this one answered — the writers it
    /// answers come back within a fraction of a sync — for at most half this sync's duration
    /// (``maxGatherNanos`` at most). Syncing at the first request instead makes batches alternate between a
    /// handful and nearly all writers, which halves the messages per sync. A lone writer never waits.
    ///
    /// `batch` comes in empty and leaves empty, keeping its capacity. The requests are released here, outside the
    /// lock.
    private func doCommit(_ batch: inout [GroupCommitRequest]) -> UInt64 {
        self.state.withLock { state in
            swap(&state.requests, &batch)
            if !batch.isEmpty { state.inFlight = batch }
        }
        defer { batch.removeAll(keepingCapacity: true) }
        let start = SystemClock.monotonicNanos()
        // Java syncs even without requests, for appends that did not wait.
        var flushed = self.flush()
        guard !batch.isEmpty else {
            self.state.withLock { $0.wakeAt = 1 }
            return 0
        }
        self.syncCount.add(1, ordering: .relaxed)
        var target: Int64 = 0
        for request in batch { target = max(target, request.nextOffset) }
        if flushed < target {
            // The appends may have rolled into the next file during the sync: one more (Java tries twice).
            flushed = self.flush()
        }
        let took = SystemClock.monotonicNanos() - start
        let count = batch.count
        self.state.withLock { state in
            state.wakeAt = count
            state.inFlight = []
        }
        for request in batch {
            request.complete(flushed >= request.nextOffset ? .putOK : .flushDiskTimeout)
        }
        return count > 1 ? min(Self.maxGatherNanos, took / 2) : 0
    }

    /// Times out due requests; returns the milliseconds until the next deadline (capped). Only the sync under
    /// way and the queued requests are looked at: the rest are done. Both are in deadline order, and requests
    /// timed out earlier (still queued behind a sync that hangs) are passed over.
    private func expireDue() -> Int {
        let now = SystemClock.monotonicNanos()
        var expired: [GroupCommitRequest] = []
        let wait = self.state.withLock { state -> Int in
            for request in [state.inFlight, state.requests].joined() where !request.isDone {
                guard request.deadline <= now else {
                    return max(1, min(100, Int((request.deadline - now) / 1_000_000) + 1))
                }
                expired.append(request)
            }
            return 100
        }
        for request in expired {
            request.complete(.flushDiskTimeout)
        }
        if !expired.isEmpty {
            self.logger.warning("SYNC_FLUSH appends timed out waiting for the disk", metadata: ["count": "\(expired.count)"])
        }
        return wait
    }
}
