import NIOConcurrencyHelpers
import RemotingCodec
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The figures of GET_BROKER_RUNTIME_INFO and VIEW_BROKER_STATS_DATA (Java `BrokerStats`, `StoreStatsService`
/// and `BrokerStatsManager`): messages that reached a consume queue and messages pulls returned since the
/// broker started, the totals at the last two local midnights, rates over the last 10, 60 and 600 seconds,
/// and the per-topic and per-group stats items `mqadmin statsAll` and GET_CONSUME_STATS read.
///
/// Puts are counted at dispatch (every stored message but prepared and rolled-back transaction halves), where
/// Java counts the store's puts and its send processor's topic items; gets where PULL_MESSAGE reads the store.
public final class BrokerStats: Sendable {
    /// A point of a total's step function (at least a second after the previous one).
    struct Sample: Sendable, Equatable {
        var time: Int64
        var total: Int64
    }

    /// A total with the samples its rates are computed from (Java's `CallSnapshot` lists, sampled each second).
    struct SampledTotal: Sendable {
        var total: Int64 = 0
        var samples: [Sample]

        init(now: Int64) { samples = [Sample(time: now, total: 0)] }

        mutating func add(_ count: Int64, now: Int64) {
            // Counts since the last sample all came within a second of it: a count a second or more later first
            // pins the total there and here, so that every sample stays exact to the second.
            if let last = samples.last, now - last.time >= 1000 {
                if last.total != total { samples.append(Sample(time: last.time + 1000, total: total)) }
                if now > last.time + 1000 || last.total == total { samples.append(Sample(time: now, total: total)) }
                let horizon = now - (BrokerStats.windows.last ?? 600) * 1000 - 2000
                if let keepFrom = samples.lastIndex(where: { $0.time <= horizon }), keepFrom > 0 {
                    samples.removeFirst(keepFrom)
                }
            }
            total += count
        }

        /// The total at `time`, from the samples.
        func total(at time: Int64) -> Int64? {
            if let last = samples.last, time >= last.time + 1000 { return total }
            return samples.last { $0.time <= time }?.total
        }

        /// Per second over each window; nil while the broker is younger than the window.
        func rates(now: Int64, boot: Int64) -> [Double?] {
            BrokerStats.windows.map { window -> Double? in
                let start = now - window * 1000
                guard start >= boot, let base = total(at: start) else { return nil }
                return Double(total - base) / Double(window)
            }
        }
    }

    struct State: Sendable {
        var bootPhysicalOffset: Int64 = 0
        var put: SampledTotal
        /// Java `getMessageTimesTotalFound` / `…TotalMiss`: store reads that found messages, and those that did not.
        var getFound: SampledTotal
        var getMiss: SampledTotal
        /// Java `getMessageTransferedMsgCount`: messages the reads returned.
        var getTransferred: SampledTotal
        var todayMorning: Int64 = 0
        var yesterdayMorning: Int64 = 0
        var getTodayMorning: Int64 = 0
        var getYesterdayMorning: Int64 = 0
        var nextMidnight: Int64
        /// Java `BrokerStatsManager`'s items kept: TOPIC_PUT_NUMS by topic, GROUP_GET_NUMS / GROUP_GET_SIZE by
        /// `topic@group`, and the broker-wide BROKER_PUT_NUMS / BROKER_GET_NUMS (one field each, no lookup per message).
        var topicPutNums: [String: TopicPut] = [:]
        var groupGetNums: [String: StatsItem] = [:]
        var groupGetSize: [String: StatsItem] = [:]
        var brokerPutNums: StatsItem?
        var brokerGetNums: StatsItem?
        /// Where the last dispatched message's topic is in `topicPutNums`: a run of one topic's messages is
        /// counted without hashing it again (reset by any other change of the table).
        var recentTopicIndex: [String: TopicPut].Index?
    }

    /// A topic's TOPIC_PUT_NUMS item and the bytes its stored records took (for `rocketmq_throughput_in_total`),
    /// kept together so that a message costs one table look-up.
    struct TopicPut: Sendable {
        var nums: StatsItem
        var bytes: Int64 = 0
    }

    /// The running totals since the store opened, as the metrics export reads them.
    public struct Totals: Sendable {
        /// Messages and stored bytes by topic.
        public var putByTopic: [String: (messages: Int64, bytes: Int64)]
        /// Messages and bytes pulls returned, by topic and consumer group.
        public var getByTopicAndGroup: [TopicGroup: (messages: Int64, bytes: Int64)]
    }

    public struct TopicGroup: Hashable, Sendable {
        public var topic: String
        public var group: String
    }

    /// The put and get sides at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var putTotal: Int64
        public var todayMorning: Int64
        public var yesterdayMorning: Int64
        /// Messages per second over the last 10, 60 and 600 s; nil while the broker is younger than the window.
        public var putTps: [Double?]
        /// Messages pulls returned since the start, and at the last two midnights.
        public var getTotal: Int64
        public var getTodayMorning: Int64
        public var getYesterdayMorning: Int64
        /// Per second over the same windows: reads that found messages, reads that did not, messages returned.
        public var getFoundTps: [Double?]
        public var getMissTps: [Double?]
        public var getTransferredTps: [Double?]
    }

    /// One stats item's figures over the last minute, hour and day (Java `BrokerStatsData`).
    public struct ItemFigures: Sendable {
        public var minute: BrokerStatsItem
        public var hour: BrokerStatsItem
        public var day: BrokerStatsItem
    }

    /// Java `Stats` names of the items kept.
    public static let topicPutNums = "TOPIC_PUT_NUMS"
    public static let groupGetNums = "GROUP_GET_NUMS"
    public static let groupGetSize = "GROUP_GET_SIZE"
    public static let brokerPutNums = "BROKER_PUT_NUMS"
    public static let brokerGetNums = "BROKER_GET_NUMS"

    /// Java `StoreStatsService`'s sampling windows (seconds).
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
        self.state = NIOLockedValueBox(State(
            put: SampledTotal(now: now), getFound: SampledTotal(now: now), getMiss: SampledTotal(now: now),
            getTransferred: SampledTotal(now: now), nextMidnight: midnightAfter(now)))
    }

    /// The store is open: counting starts (messages recovery dispatches again are not new puts), and the
    /// commit log's end is where `putMessageSizeTotal` counts from.
    public func storeOpened(maxPhysicalOffset: Int64) {
        state.withLockedValue { $0.bootPhysicalOffset = maxPhysicalOffset }
        started.store(true, ordering: .releasing)
    }

    /// The commit log's end when the store opened.
    public var bootPhysicalOffset: Int64 { state.withLockedValue { $0.bootPhysicalOffset } }

    /// One message stored in `topic` (the store's arrival listener, on the dispatch thread).
    public func messagePut(topic: String, size: Int32 = 0) {
        guard started.load(ordering: .acquiring) else { return }
        let now = clock()
        let boot = bootTimestamp
        state.withLockedValue { state in
            Self.rollMidnight(&state, now: now, midnightAfter: midnightAfter)
            state.put.add(1, now: now)
            Self.countTopicPut(&state, topic: topic, size: Int64(size), now: now, boot: boot)
            // Java's incBrokerPutNums adds to the value only.
            Self.add(&state.brokerPutNums, value: 1, times: 0, now: now, boot: boot)
        }
    }

    /// A pull read the store (Java counts in `DefaultMessageStore.getMessage` and, for a SUCCESS answer,
    /// `PullMessageProcessor`): `count` messages of `size` bytes returned, none when nothing was found.
    public func messagesGot(group: String, topic: String, found: Bool, count: Int, size: Int) {
        let now = clock()
        let boot = bootTimestamp
        state.withLockedValue { state in
            Self.rollMidnight(&state, now: now, midnightAfter: midnightAfter)
            guard found else {
                state.getMiss.add(1, now: now)
                return
            }
            state.getFound.add(1, now: now)
            state.getTransferred.add(Int64(count), now: now)
            let key = topic + "@" + group
            state.groupGetNums[key, default: StatsItem(boot: boot, now: now)].add(value: Int64(count), times: 1, now: now)
            state.groupGetSize[key, default: StatsItem(boot: boot, now: now)].add(value: Int64(size), times: 1, now: now)
            Self.add(&state.brokerGetNums, value: Int64(count), times: 0, now: now, boot: boot)
        }
    }

    private static func countTopicPut(_ state: inout State, topic: String, size: Int64, now: Int64, boot: Int64) {
        if let index = state.recentTopicIndex, state.topicPutNums.keys[index] == topic {
            state.topicPutNums.values[index].nums.add(value: 1, times: 1, now: now)
            state.topicPutNums.values[index].bytes += size
            return
        }
        if state.topicPutNums[topic] == nil { state.topicPutNums[topic] = TopicPut(nums: StatsItem(boot: boot, now: now)) }
        guard let index = state.topicPutNums.index(forKey: topic) else { return }
        state.recentTopicIndex = index
        state.topicPutNums.values[index].nums.add(value: 1, times: 1, now: now)
        state.topicPutNums.values[index].bytes += size
    }

    /// The put and get totals by topic and group (read at each metrics scrape, never on the message path).
    public var totals: Totals {
        state.withLockedValue { state in
            var put: [String: (messages: Int64, bytes: Int64)] = [:]
            for (topic, item) in state.topicPutNums { put[topic] = (item.nums.value, item.bytes) }
            var get: [TopicGroup: (messages: Int64, bytes: Int64)] = [:]
            for (key, item) in state.groupGetNums {
                // Keys are `topic@group`; a topic name cannot hold '@' (TopicValidator), a group may not either.
                guard let at = key.firstIndex(of: "@") else { continue }
                let size = state.groupGetSize[key]?.value ?? 0
                get[TopicGroup(topic: String(key[..<at]), group: String(key[key.index(after: at)...]))] = (item.value, size)
            }
            return Totals(putByTopic: put, getByTopicAndGroup: get)
        }
    }

    private static func add(_ item: inout StatsItem?, value: Int64, times: Int64, now: Int64, boot: Int64) {
        if item == nil { item = StatsItem(boot: boot, now: now) }
        item?.add(value: value, times: times, now: now)
    }

    /// Java `BrokerStatsManager.getStatsItem` figures; nil when the item does not exist. The broker-wide items
    /// (BROKER_PUT_NUMS, BROKER_GET_NUMS) are asked for under `key` = the cluster name, as Java keys them.
    public func itemFigures(name: String, key: String, clusterName: String) -> ItemFigures? {
        let now = clock()
        return state.withLockedValue { state -> ItemFigures? in
            func figures(_ item: inout StatsItem) -> ItemFigures {
                func span(_ span: StatsItem.Span) -> BrokerStatsItem {
                    let figures = item.figures(span, now: now)
                    return BrokerStatsItem(sum: figures.sum, tps: figures.tps, avgpt: figures.avgpt)
                }
                return ItemFigures(minute: span(.minute), hour: span(.hour), day: span(.day))
            }
            func keyed(_ table: WritableKeyPath<State, [String: StatsItem]>) -> ItemFigures? {
                guard var item = state[keyPath: table][key] else { return nil }
                defer {
                    state[keyPath: table][key] = item
                    state.recentTopicIndex = nil
                }
                return figures(&item)
            }
            func broker(_ field: WritableKeyPath<State, StatsItem?>) -> ItemFigures? {
                guard key == clusterName, var item = state[keyPath: field] else { return nil }
                defer { state[keyPath: field] = item }
                return figures(&item)
            }
            switch name {
            case Self.topicPutNums:
                guard var put = state.topicPutNums[key] else { return nil }
                defer {
                    state.topicPutNums[key] = put
                    state.recentTopicIndex = nil
                }
                return figures(&put.nums)
            case Self.groupGetNums: return keyed(\.groupGetNums)
            case Self.groupGetSize: return keyed(\.groupGetSize)
            case Self.brokerPutNums: return broker(\.brokerPutNums)
            case Self.brokerGetNums: return broker(\.brokerGetNums)
            default: return nil
            }
        }
    }

    /// Java `tpsGroupGetNums`: messages per second pulled by `group` from `topic` over the last minute's samples.
    public func groupGetTps(group: String, topic: String) -> Double {
        itemFigures(name: Self.groupGetNums, key: topic + "@" + group, clusterName: "")?.minute.tps ?? 0
    }

    public var snapshot: Snapshot {
        let now = clock()
        let boot = bootTimestamp
        return state.withLockedValue { state in
            Self.rollMidnight(&state, now: now, midnightAfter: midnightAfter)
            return Snapshot(
                putTotal: state.put.total, todayMorning: state.todayMorning, yesterdayMorning: state.yesterdayMorning,
                putTps: state.put.rates(now: now, boot: boot),
                getTotal: state.getTransferred.total, getTodayMorning: state.getTodayMorning,
                getYesterdayMorning: state.getYesterdayMorning,
                getFoundTps: state.getFound.rates(now: now, boot: boot), getMissTps: state.getMiss.rates(now: now, boot: boot),
                getTransferredTps: state.getTransferred.rates(now: now, boot: boot))
        }
    }

    /// Java's `BrokerStats.record` at each midnight: today's morning totals become yesterday's.
    private static func rollMidnight(_ state: inout State, now: Int64, midnightAfter: (Int64) -> Int64) {
        guard now >= state.nextMidnight else { return }
        let missedADay = midnightAfter(state.nextMidnight) <= now
        state.yesterdayMorning = missedADay ? state.put.total : state.todayMorning
        state.todayMorning = state.put.total
        state.getYesterdayMorning = missedADay ? state.getTransferred.total : state.getTodayMorning
        state.getTodayMorning = state.getTransferred.total
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
