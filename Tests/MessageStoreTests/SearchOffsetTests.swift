import NIOCore
import Testing

@testable import MessageStore

/// SEARCH_OFFSET_BY_TIMESTAMP (PROTOCOL.md §3.3.12) against a brute-force reading of the rule.
@Suite struct SearchOffsetTests {
    /// The rule, by enumeration: the first offset stored at `timestamp`; else the nearer neighbour (the earlier on a
    /// tie); before the first message the first offset; after the last the last offset.
    static func expected(_ times: [Int64], _ timestamp: Int64) -> Int64 {
        if let exact = times.firstIndex(of: timestamp) { return Int64(exact) }
        guard let first = times.first, let last = times.last else { return 0 }
        if timestamp < first { return 0 }
        if timestamp > last { return Int64(times.count - 1) }
        let left = times.lastIndex(where: { $0 < timestamp })!
        let right = times.firstIndex(where: { $0 > timestamp })!
        return timestamp - times[left] > times[right] - timestamp ? Int64(right) : Int64(left)
    }

    @Test func searchByTimestamp() async throws {
        try await withTemporaryDirectory { root in
            // 5 units per consume-queue file, so the search crosses files.
            let store = try openStore(smallConfig(root: root, consumeQueueFileSize: 100))
            defer { store.shutdown() }
            var times: [Int64] = []
            var last: AppendMessageResult? = nil
            for i in 0..<24 {
                // Gaps of different lengths between groups of messages (the clock must move to spread the times).
                if i % 3 == 0 { try await Task.sleep(for: .milliseconds(2 + i % 5)) }
                let result = try await put(store, makeMessage())
                times.append(result.storeTimestamp)
                last = result
            }
            await store.waitForDispatch(upTo: last!.nextOffset)
            var probes: Set<Int64> = [0, times[0] - 1000, times.last! + 1000]
            for time in times { probes.formUnion([time - 1, time, time + 1]) }
            for (a, b) in zip(times, times.dropFirst()) { probes.insert((a + b) / 2) }
            for probe in probes.sorted() {
                #expect(
                    store.getOffsetInQueueByTime(topic: "TopicTest", queueId: 0, timestamp: probe) == Self.expected(times, probe),
                    "timestamp \(probe)")
            }
            #expect(Set(times).count > 4)
        }
    }

    @Test func emptyQueue() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            #expect(store.getOffsetInQueueByTime(topic: "TopicTest", queueId: 0, timestamp: 12345) == 0)
        }
    }
}
