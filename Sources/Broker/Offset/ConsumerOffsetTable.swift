import RemotingCodec

/// Committed consumer offsets (Java `ConsumerOffsetManager`): `topic@group` → queueId → the next
/// offset to consume, persisted as `consumerOffset.json`.
public struct ConsumerOffsetTable: Sendable, Equatable {
    private var order: [String] = []
    private var offsets: [String: [Int32: Int64]] = [:]

    public init() {}

    static func key(topic: String, group: String) -> String { "\(topic)@\(group)" }

    /// The committed offset, or -1 when the group never committed one for this queue.
    public func offset(group: String, topic: String, queueId: Int32) -> Int64 {
        offsets[Self.key(topic: topic, group: group)]?[queueId] ?? -1
    }

    public mutating func commit(group: String, topic: String, queueId: Int32, offset: Int64) {
        let key = Self.key(topic: topic, group: group)
        if offsets[key] == nil { order.append(key) }
        offsets[key, default: [:]][queueId] = offset
    }

    /// Topics the group has offsets for (GET_CONSUME_STATS, QUERY_TOPIC_CONSUME_BY_WHO).
    public func topics(of group: String) -> [String] {
        order.compactMap { key in
            guard let at = key.lastIndex(of: "@"), key[key.index(after: at)...] == group else { return nil }
            return String(key[..<at])
        }
    }

    /// Groups with offsets on the topic.
    public func groups(of topic: String) -> [String] {
        order.compactMap { key in
            guard let at = key.lastIndex(of: "@"), key[..<at] == topic else { return nil }
            return String(key[key.index(after: at)...])
        }
    }

    /// Java `cloneOffset` (CLONE_GROUP_OFFSET): `destGroup` gets a copy of `srcGroup`'s offsets on the topic.
    public mutating func clone(from srcGroup: String, to destGroup: String, topic: String) {
        guard let source = offsets[Self.key(topic: topic, group: srcGroup)] else { return }
        let key = Self.key(topic: topic, group: destGroup)
        if offsets[key] == nil { order.append(key) }
        offsets[key] = source
    }

    /// DELETE_SUBSCRIPTIONGROUP with removeOffset.
    public mutating func remove(group: String) {
        for topic in topics(of: group) {
            let key = Self.key(topic: topic, group: group)
            offsets[key] = nil
            order.removeAll { $0 == key }
        }
    }

    public mutating func load(_ wrapper: ConsumerOffsetSerializeWrapper) {
        for entry in wrapper.offsetTable {
            if offsets[entry.key] == nil { order.append(entry.key) }
            offsets[entry.key] = Dictionary(entry.offsets.map { ($0.queueId, $0.offset) }, uniquingKeysWith: { _, last in last })
        }
    }

    public var wrapper: ConsumerOffsetSerializeWrapper {
        ConsumerOffsetSerializeWrapper(offsetTable: order.map { key in
            .init(key: key, offsets: offsets[key, default: [:]].sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        })
    }
}
