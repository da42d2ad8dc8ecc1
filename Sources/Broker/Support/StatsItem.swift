/// One figure of Java's `BrokerStatsManager` (Java `StatsItem`): a running value and call count, sampled every
/// 10 s (the last 7 samples: the minute figures), every 10 min (7: the hour) and every hour (25: the day),
/// on boundaries counted from the broker's start as Java's `StatsItemSet` schedules them.
///
/// Java samples on a timer; here the samples due are taken when the item is next touched (before a change,
/// or when read), with the value it had then, which is the value Java's timer would have seen.
struct StatsItem: Sendable {
    struct CallSnapshot: Sendable, Equatable {
        var timestamp: Int64
        var times: Int64
        var value: Int64
    }

    /// Java `StatsSnapshot`.
    struct Figures: Sendable, Equatable {
        var sum: Int64 = 0
        var tps: Double = 0
        var avgpt: Double = 0
    }

    enum Span: Int, CaseIterable, Sendable {
        case minute, hour, day

        var period: Int64 {
            switch self {
            case .minute: 10_000
            case .hour: 600_000
            case .day: 3_600_000
            }
        }

        var kept: Int {
            switch self {
            case .minute, .hour: 7
            case .day: 25
            }
        }
    }

    private(set) var value: Int64 = 0
    private(set) var times: Int64 = 0
    private var samples: [[CallSnapshot]] = [[], [], []]
    /// Per span, the number of the last boundary sampled (or passed before the item existed).
    private var lastBoundary: [Int64]
    /// When the next minute sample is due; every hour and day boundary is also a minute one, so nothing is
    /// due before it (the per-message fast path).
    private var nextDue: Int64
    private let boot: Int64

    init(boot: Int64, now: Int64) {
        self.boot = boot
        lastBoundary = Span.allCases.map { Self.boundary(before: now, boot: boot, period: $0.period) }
        nextDue = boot + (lastBoundary[Span.minute.rawValue] + 1) * Span.minute.period
    }

    /// Java `StatsItemSet.addValue`.
    mutating func add(value: Int64, times: Int64, now: Int64) {
        sample(upTo: now)
        self.value += value
        self.times += times
    }

    /// Java `getStatsDataInMinute` / `InHour` / `InDay`.
    mutating func figures(_ span: Span, now: Int64) -> Figures {
        sample(upTo: now)
        let list = samples[span.rawValue]
        guard let first = list.first, let last = list.last else { return Figures() }
        let sum = last.value - first.value
        let timesDiff = last.times - first.times
        return Figures(
            sum: sum, tps: Double(sum) * 1000 / Double(last.timestamp - first.timestamp),
            avgpt: timesDiff > 0 ? Double(sum) / Double(timesDiff) : 0)
    }

    private static func boundary(before now: Int64, boot: Int64, period: Int64) -> Int64 {
        now < boot ? -1 : (now - boot) / period
    }

    private mutating func sample(upTo now: Int64) {
        guard now >= nextDue else { return }
        for span in Span.allCases {
            let due = Self.boundary(before: now, boot: boot, period: span.period)
            guard due > lastBoundary[span.rawValue] else { continue }
            // Only the last `kept + 1` boundaries can still be in the list.
            let from = max(lastBoundary[span.rawValue] + 1, due - Int64(span.kept))
            for number in from...due {
                let time = boot + number * span.period
                var list = samples[span.rawValue]
                // Java's first sample starts from zero one period earlier.
                if list.isEmpty { list.append(CallSnapshot(timestamp: time - span.period, times: 0, value: 0)) }
                list.append(CallSnapshot(timestamp: time, times: times, value: value))
                if list.count > span.kept { list.removeFirst(list.count - span.kept) }
                samples[span.rawValue] = list
            }
            lastBoundary[span.rawValue] = due
        }
        nextDue = boot + (lastBoundary[Span.minute.rawValue] + 1) * Span.minute.period
    }
}
