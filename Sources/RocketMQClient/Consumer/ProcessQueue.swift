import NIOConcurrencyHelpers
import RemotingCodec

/// A queue this consumer owns after a rebalance (Java `ProcessQueue`): the pulled batches not yet
/// consumed, from which the offset safe to commit follows, and the broker lock of an orderly consumer.
final class ProcessQueue: Sendable {
    /// Java `REBALANCE_LOCK_MAX_LIVE_TIME`: a lock is trusted this long after the broker granted it.
    static let lockMaxLiveTime: Duration = .seconds(30)

    let queue: MessageQueue

    private struct Batch {
        var id: UInt64
        var firstOffset: Int64
        var remaining: Int
    }

    private struct State {
        var dropped = false
        var batches: [Batch] = []
        var nextBatchID: UInt64 = 0
        var cachedCount = 0
        /// The offset after the last pulled batch.
        var pulledUpTo: Int64 = -1
        var lockedAt: ContinuousClock.Instant?
        var pullTask: Task<Void, Never>?
        /// Orderly: a handler call in progress (Java's `consumeLock` held).
        var consuming = false
    }

    private let state = NIOLockedValueBox(State())

    init(queue: MessageQueue) { self.queue = queue }

    var isDropped: Bool { state.withLockedValue { $0.dropped } }

    /// Marks the queue dropped (its pull loop stops). Returns false when an orderly handler call is in
    /// progress: its ``endConsuming()`` then tells the consumer to release the queue when it returns.
    @discardableResult
    func drop() -> Bool {
        state.withLockedValue { state in
            state.dropped = true
            state.pullTask?.cancel()
            return !state.consuming
        }
    }

    /// Orderly: a handler call starts; false when the queue is dropped (no call then).
    func beginConsuming() -> Bool {
        state.withLockedValue { state in
            guard !state.dropped else { return false }
            state.consuming = true
            return true
        }
    }

    /// Orderly: the handler call returned; true when the queue was dropped during it, so that the
    /// drop left the release (offset, broker lock) to the caller.
    func endConsuming() -> Bool {
        state.withLockedValue { state in
            state.consuming = false
            return state.dropped
        }
    }

    func setPullTask(_ task: Task<Void, Never>) { state.withLockedValue { $0.pullTask = task } }

    var cachedCount: Int { state.withLockedValue { $0.cachedCount } }

    /// Records a pulled batch; returns its id for ``remove(batch:count:)``.
    func add(firstOffset: Int64, count: Int, nextOffset: Int64) -> UInt64 {
        state.withLockedValue { state in
            let id = state.nextBatchID
            state.nextBatchID += 1
            state.batches.append(Batch(id: id, firstOffset: firstOffset, remaining: count))
            state.cachedCount += count
            state.pulledUpTo = max(state.pulledUpTo, nextOffset)
            return id
        }
    }

    /// Notes a pull that returned nothing to consume; returns the offset to commit when nothing is in flight.
    func advance(to nextOffset: Int64) -> Int64? {
        state.withLockedValue { state in
            state.pulledUpTo = max(state.pulledUpTo, nextOffset)
            return state.batches.isEmpty ? state.pulledUpTo : nil
        }
    }

    /// Marks `count` messages of a batch consumed; returns the offset now safe to commit: the start
    /// of the oldest batch still in flight, or the end of everything pulled.
    func remove(batch id: UInt64, count: Int) -> Int64 {
        state.withLockedValue { state in
            if let index = state.batches.firstIndex(where: { $0.id == id }) {
                state.batches[index].remaining -= count
                state.cachedCount -= count
            }
            var done = 0
            while done < state.batches.count, state.batches[done].remaining <= 0 { done += 1 }
            if done > 0 { state.batches.removeFirst(done) }
            return state.batches.first?.firstOffset ?? state.pulledUpTo
        }
    }

    // MARK: orderly locks

    var isLocked: Bool {
        state.withLockedValue { state in
            guard let at = state.lockedAt else { return false }
            return ContinuousClock.now - at < Self.lockMaxLiveTime
        }
    }

    func setLocked(_ locked: Bool) {
        state.withLockedValue { $0.lockedAt = locked ? ContinuousClock.now : nil }
    }
}
