import Logging
import MessageStore
import NIOConcurrencyHelpers
import RemotingCodec
import RocketMQModel

/// Messages with an arbitrary delivery time (`__STARTDELIVERTIME`, ms since the epoch), beyond Java 4.9's
/// fixed delay levels. They wait in `rmq_sys_wheel_timer` (RocketMQ 5's timer topic name) with REAL_TOPIC
/// and REAL_QID, like delayed messages, and are delivered to their real topic when due. Their times are not
/// in queue order, so the service keeps in memory only the entries due within the next window, found by a
/// scan from the first undelivered entry; what was delivered is kept in `timerProgress.json`, so a restart
/// neither loses nor (but for the last seconds before a crash) repeats a delivery.
public final class TimerMessageService: Sendable {
    public static let topic = "rmq_sys_wheel_timer"
    /// How far ahead a scan loads entries.
    static let windowMillis: Int64 = 60_000
    static let idleMillis: Int64 = 100

    /// Where the queue stands: every entry below `prefix` is delivered, and so are those in `delivered`.
    struct Progress: RemotingBody, Equatable {
        var prefix: Int64 = 0
        var delivered: Set<Int64> = []

        init() {}

        init(json: JSONValue) throws(BodyError) {
            prefix = json["prefix"]?.int64Value ?? 0
            delivered = Set(json.elements("delivered").compactMap(\.int64Value))
        }

        var json: JSONValue {
            var object = JSONObject()
            object.append("prefix", .number(String(prefix)))
            object.append("delivered", .array(delivered.sorted().map { .number(String($0)) }))
            return .object(object)
        }

        /// Marks an entry delivered and moves the prefix over the delivered run.
        mutating func markDelivered(_ offset: Int64) {
            delivered.insert(offset)
            while delivered.remove(prefix) != nil { prefix += 1 }
        }
    }

    struct Due: Comparable {
        var deliverAt: Int64
        var queueOffset: Int64
        var physicalOffset: Int64
        static func < (lhs: Due, rhs: Due) -> Bool { (lhs.deliverAt, lhs.queueOffset) < (rhs.deliverAt, rhs.queueOffset) }
    }

    private struct State {
        var progress: Progress
        /// Entries due within the window, soonest first.
        var due: [Due] = []
        var loaded: Set<Int64> = []
        /// Entries below this were looked at by a scan.
        var scannedUntil: Int64 = 0
        /// Entries due up to here are loaded.
        var horizon: Int64 = 0
        var nextFullScanAt: Int64 = 0
    }

    private let store: LocalFileMessageStore
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    init(store: LocalFileMessageStore, progress: Progress?, clock: @escaping @Sendable () -> Int64 = SystemClock.currentTimeMillis, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.state = NIOLockedValueBox(State(progress: progress ?? Progress()))
    }

    var progress: Progress { state.withLockedValue { $0.progress } }

    /// The delivery time a message asks for, when it is in the future.
    public static func deliveryTime(_ properties: MessageProperties, now: Int64) -> Int64? {
        guard let text = properties[MessageConst.startDeliverTime], let time = Int64(text), time > now else { return nil }
        return time
    }

    public func run() async {
        while !Task.isCancelled {
            let wait = await deliverDue()
            do { try await Task.sleep(for: .milliseconds(wait)) } catch { return }
        }
    }

    /// Rescans when the window is used up, delivers what is due; returns how long to wait.
    func deliverDue() async -> Int64 {
        let now = clock()
        if state.withLockedValue({ now >= $0.nextFullScanAt }) {
            // Entries skipped as too far away come within the window by the next full scan.
            scan(from: progress.prefix, horizon: now + Self.windowMillis)
            state.withLockedValue { $0.nextFullScanAt = now + Self.windowMillis / 2 }
        } else {
            let (from, horizon) = state.withLockedValue { ($0.scannedUntil, $0.horizon) }
            scan(from: from, horizon: horizon)
        }
        while let next = state.withLockedValue({ state -> Due? in
            guard let first = state.due.first, first.deliverAt <= now else { return nil }
            return state.due.removeFirst()
        }) {
            if let message = store.lookMessage(byPhysicalOffset: next.physicalOffset), let due = ScheduleMessageService.timeUp(message) {
                let result = await store.putMessage(due)
                guard result.status == .putOK else {
                    logger.error("cannot deliver a timer message, retrying", metadata: ["status": "\(result.status.rawValue)"])
                    state.withLockedValue { $0.due.insert(next, at: 0) }
                    return ScheduleMessageService.failedPutDelayMillis
                }
            }
            state.withLockedValue {
                $0.progress.markDelivered(next.queueOffset)
                $0.loaded.remove(next.queueOffset)
            }
        }
        return state.withLockedValue { state in
            let untilDue = state.due.first.map { $0.deliverAt - now } ?? Self.idleMillis
            return max(1, min(untilDue, Self.idleMillis))
        }
    }

    /// Loads the undelivered entries from queue offset `from` on that are due by `horizon`.
    private func scan(from start: Int64, horizon: Int64) {
        var offset = max(start, store.getMinOffsetInQueue(topic: Self.topic, queueId: 0))
        var found: [Due] = []
        while true {
            let entries = store.consumeQueueEntries(topic: Self.topic, queueId: 0, from: offset, maxCount: 1024)
            guard let last = entries.last else { break }
            for entry in entries {
                guard let message = store.lookMessage(byPhysicalOffset: entry.physicalOffset) else { continue }
                let deliverAt = Int64(message.properties[MessageConst.startDeliverTime] ?? "") ?? 0
                if deliverAt <= horizon { found.append(Due(deliverAt: deliverAt, queueOffset: entry.queueOffset, physicalOffset: entry.physicalOffset)) }
            }
            offset = last.queueOffset + 1
        }
        state.withLockedValue { state in
            for due in found where !state.progress.delivered.contains(due.queueOffset) && !state.loaded.contains(due.queueOffset) {
                state.due.append(due)
                state.loaded.insert(due.queueOffset)
            }
            state.due.sort()
            state.scannedUntil = max(state.scannedUntil, offset)
            state.horizon = horizon
        }
    }
}
