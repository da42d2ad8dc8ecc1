/// One consume-queue entry as services beside the store read it (the delay service reads delivery times
/// from `SCHEDULE_TOPIC_XXXX`'s tag codes).
public struct ConsumeQueueEntry: Sendable, Hashable {
    /// Queue offset of the entry.
    public var queueOffset: Int64
    /// Commit-log offset of the message.
    public var physicalOffset: Int64
    /// TOTALSIZE of the message.
    public var size: Int32
    /// Tag hash code, or the delivery time (ms) in `SCHEDULE_TOPIC_XXXX`.
    public var tagsCode: Int64
}

extension LocalFileMessageStore {
    /// Up to `maxCount` dispatched entries from queue offset `offset` on, within one consume-queue file
    /// (Java `getIndexBuffer`); empty when there are none there yet.
    public func consumeQueueEntries(topic: String, queueId: Int32, from offset: Int64, maxCount: Int) -> [ConsumeQueueEntry] {
        guard let units = self.consumeQueues.find(topic: topic, queueId: queueId)?.units(from: offset) else { return [] }
        return (0..<min(units.count, maxCount)).compactMap { i in
            units.unit(i).map {
                ConsumeQueueEntry(queueOffset: offset + Int64(i), physicalOffset: $0.physicalOffset, size: $0.size, tagsCode: $0.tagsCode)
            }
        }
    }
}
