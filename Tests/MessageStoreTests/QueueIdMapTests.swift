@testable import MessageStore
import Testing

@Suite struct QueueIdMapTests {
    /// Ids in the array range, above it and negative read back what was stored; nil removes.
    @Test func everyIdRangeStoresAndRemoves() {
        var map = QueueIdMap<Int64>()
        #expect(map.isEmpty)
        let ids: [Int32] = [0, 3, 1023, QueueIdMap<Int64>.denseLimit - 1, QueueIdMap<Int64>.denseLimit, 1_000_000, -1, Int32.min]
        for (offset, id) in ids.enumerated() { map[id] = Int64(offset) * 10 }
        for (offset, id) in ids.enumerated() { #expect(map[id] == Int64(offset) * 10, "\(id)") }
        #expect(map[1] == nil && map[2_000] == nil && map[5_000] == nil && map[-2] == nil)
        #expect(Set(map.entries.map(\.queueId)) == Set(ids))
        for id in ids { map[id] = nil }
        #expect(map.isEmpty && map.entries.isEmpty)
    }

    /// The default subscript moves a queue's next offset in place, as the append does.
    @Test func defaultSubscriptCountsUp() {
        var table: [String: QueueIdMap<Int64>] = [:]
        for round in 0..<3 {
            for queueId in [Int32(0), 7, 5_000] {
                #expect(table["T", default: QueueIdMap()][queueId, default: 0] == Int64(round))
                table["T", default: QueueIdMap()][queueId, default: 0] += 1
            }
        }
        #expect(table["T"]?[7] == 3 && table["T"]?[5_000] == 3 && table["T"]?[6] == nil)
    }
}
