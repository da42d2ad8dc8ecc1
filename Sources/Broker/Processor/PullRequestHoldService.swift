import NIOConcurrencyHelpers
import NIOCore

/// Pulls parked until a message arrives or their time is up (Java `PullRequestHoldService`, §5.3).
/// A wake-up reruns the read, never the processor table; each parked pull is answered exactly once.
public final class PullRequestHoldService: Sendable {
    struct HeldPull: Sendable {
        let id: UInt64
        let offset: Int64
        /// Reruns the read and answers the pull.
        let answer: @Sendable () -> Void
        let timeout: Scheduled<Void>
    }

    private struct State {
        var nextID: UInt64 = 0
        /// Queue → parked pulls.
        var held: [QueueKey: [HeldPull]] = [:]
    }

    private let state = NIOLockedValueBox(State())
    /// Where hold timeouts run (one loop for all holds, whatever connection they came on).
    private let timerLoop: any EventLoop

    public init(timerLoop: any EventLoop) {
        self.timerLoop = timerLoop
    }

    /// Java's `topic@queueId` key, without building the string for every arrival.
    struct QueueKey: Hashable, Sendable {
        let topic: String
        let queueId: Int32
    }

    /// Parks a pull at `offset`; `answer` runs once, on arrival of a newer message or after `timeout`.
    func hold(topic: String, queueId: Int32, offset: Int64, timeout: TimeAmount, answer: @escaping @Sendable () -> Void) {
        let key = QueueKey(topic: topic, queueId: queueId)
        state.withLockedValue { state in
            state.nextID += 1
            let id = state.nextID
            let scheduled = timerLoop.scheduleTask(in: timeout) { [weak self] in
                guard let self else { return }
                for pull in self.take(key: key, where: { $0.id == id }) { pull.answer() }
            }
            state.held[key, default: []].append(HeldPull(id: id, offset: offset, answer: answer, timeout: scheduled))
        }
    }

    /// A message reached `topic/queueId`, whose max offset is now `maxOffset`: answer the pulls it serves.
    public func messageArrived(topic: String, queueId: Int32, maxOffset: Int64) {
        for pull in take(key: QueueKey(topic: topic, queueId: queueId), where: { $0.offset < maxOffset }) {
            pull.timeout.cancel()
            pull.answer()
        }
    }

    /// Parked pulls, for tests and metrics.
    public var count: Int { state.withLockedValue { $0.held.values.reduce(0) { $0 + $1.count } } }

    private func take(key: QueueKey, where matches: (HeldPull) -> Bool) -> [HeldPull] {
        state.withLockedValue { state in
            guard !state.held.isEmpty, let pulls = state.held[key] else { return [] }
            let taken = pulls.filter(matches)
            let kept = pulls.filter { !matches($0) }
            state.held[key] = kept.isEmpty ? nil : kept
            return taken
        }
    }
}
