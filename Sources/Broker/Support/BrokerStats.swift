import NIOConcurrencyHelpers
import RemotingCodec
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The put counters of GET_BROKER_RUNTIME_INFO (Java `BrokerStats` and the put side of `StoreStatsService`):
/// messages that reached a consume queue since the broker started, the totals at the last two local
/// midnights, and the rates over the last 10, 60 and 600 seconds.
///
/// Counted at dispatch (every stored message but prepared and rolled-back transaction halves), where Java
/// counts the store's puts; the get side is not counted here.
public final class BrokerStats: Sendable {
    /// A point of the put total's step function (at least a second after the previous one).
    struct Sample: Sendable, Equatable {
        var time: Int64
        var total: Int64
    }

    struct State: Sendable {
        var bootPhysicalOffset: Int64 = 0
        var putTotal: Int64 = 0
        var samples: [Sample]
        var todayMorning: Int64 = 0
        var yesterdayMorning: Int64 = 0
        var nextMidnight: Int64
    }

    /// The put side at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var putTotal: Int64
        public var todayMorning: Int64
        public var yesterdayMorning: Int64
        /// Messages per second over the last 10, 60 and 600 s; nil while the broker is younger than the window.
        public var putTps: [Double?]
    }

    /// Java's `StoreStatsService` sampling windows (seconds).
    static let windows: [Int64] = [10, 60, 600]

    public let bootTimestamp: Int64
    private let started = Atomic<Bool>(false)
    private let clock: @Sendable () -> Int64
    private let midnightAfter: @Sendable (Int64) -> Int64
    private let state: NIOLockedValueBox<State>

    public init(
        clock: @escaping @Sendable () -> Int64, midnightAfter: @escaping @Sendable (Int64) -> Int64 = BrokerStats.localMidnight(after:)
    ) {
        let now = clock()
        self.bootTimestamp = now
        self.clock = clock
        self.midnightAfter = midnightAfter
        self.state = NIOLockedValueBox(State(samples: [Sample(time: now, total: 0)], nextMidnight: midnightAfter(now)))
    }

    /// The store is open: counting starts (messages recovery dispatches again are not new puts), and the
    /// commit log's end is where `putMessageSizeTotal` counts from.
    public func storeOpened(maxPhysicalOffset: Int64) {
        state.withLockedValue { $0.bootPhysicalOffset = maxPhysicalOffset }
        started.store(true, ordering: .releasing)
    }

    /// The commit log's end when the store opened.
    public var bootPhysicalOffset: Int64 { state.withLockedValue { $0.bootPhysicalOffset } }

    /// One message stored (the store's arrival listener, on the dispatch thread).
    public func messagePut() {
        guard started.load(ordering: .acquiring) else { return }
        let now = clock()
        state.withLockedValue { state in
            Self.rollMidnight(&state, now: now, midnightAfter: midnightAfter)
            // Puts counted since the last sample all came within a second of it: a put a second or more later
            // first pins the total there and here, so that every sample stays exact to the second.
            if let last = state.samples.last, now - last.time >= 1000 {
                if last.total != state.putTotal { state.samples.append(Sample(time: last.time + 1000, total: state.putTotal)) }
                if now > last.time + 1000 || last.total == state.putTotal { state.samples.append(Sample(time: now, total: state.putTotal)) }
                let horizon = now - (Self.windows.last ?? 600) * 1000 - 2000
                if let keepFrom = state.samples.lastIndex(where: { $0.time <= horizon }), keepFrom > 0 {
                    state.samples.removeFirst(keepFrom)
                }
            }
            state.putTotal += 1
        }
    }

    public var snapshot: Snapshot {
        let now = clock()
        return state.withLockedValue { state in
            Self.rollMidnight(&state, now: now, midnightAfter: midnightAfter)
            let rates = Self.windows.map { window -> Double? in
                let start = now - window * 1000
                guard start >= bootTimestamp, let base = Self.total(at: start, in: state) else { return nil }
                return Double(state.putTotal - base) / Double(window)
            }
            return Snapshot(putTotal: state.putTotal, todayMorning: state.todayMorning, yesterdayMorning: state.yesterdayMorning, putTps: rates)
        }
    }

    /// The put total at `time`, from the samples.
    static func total(at time: Int64, in state: State) -> Int64? {
        if let last = state.samples.last, time >= last.time + 1000 { return state.putTotal }
        return state.samples.last { $0.time <= time }?.total
    }

    /// Java's `BrokerStats.record` at each midnight: today's morning total becomes yesterday's.
    private static func rollMidnight(_ state: inout State, now: Int64, midnightAfter: (Int64) -> Int64) {
        guard now >= state.nextMidnight else { return }
        let missedADay = midnightAfter(state.nextMidnight) <= now
        state.yesterdayMorning = missedADay ? state.putTotal : state.todayMorning
        state.todayMorning = state.putTotal
        state.nextMidnight = midnightAfter(now)
    }

    /// The next local midnight after `millis` (Java schedules `BrokerStats.record` there).
    public static func localMidnight(after millis: Int64) -> Int64 {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return millis + 86_400_000 }
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mday += 1
        parts.tm_isdst = -1
        let midnight = mktime(&parts)
        return midnight < 0 ? millis + 86_400_000 : Int64(midnight) * 1000
    }
}
