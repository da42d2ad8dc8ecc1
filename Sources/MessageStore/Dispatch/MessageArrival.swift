/// A message reached its consume queue (Java `MessageArrivingListener.arriving`): long polls waiting on the
/// queue can be answered.
public struct MessageArrival: Sendable, Hashable {
    public var topic: String
    public var queueId: Int32
    /// The queue's new max offset (the message's queue offset + 1).
    public var logicOffset: Int64
    public var tagsCode: Int64
    public var storeTimestamp: Int64
    /// The stored record's size in the commit log (what `rocketmq_throughput_in_total` counts).
    public var msgSize: Int32
}
