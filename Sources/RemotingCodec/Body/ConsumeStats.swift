/// Java `OffsetWrapper`: one queue's progress in GET_CONSUME_STATS.
public struct OffsetWrapper: Sendable, Equatable {
    public var brokerOffset: Int64
    public var consumerOffset: Int64
    public var lastTimestamp: Int64

    public init(brokerOffset: Int64, consumerOffset: Int64, lastTimestamp: Int64) {
        self.brokerOffset = brokerOffset
        self.consumerOffset = consumerOffset
        self.lastTimestamp = lastTimestamp
    }
}

/// Java `ConsumeStats` (§3.4.4): MessageQueue-object map keys, as mqadmin's fastjson reads them.
public struct ConsumeStats: RemotingBody, Equatable {
    public var offsetTable: [(queue: MessageQueue, offsets: OffsetWrapper)]
    public var consumeTps: Double

    public init(offsetTable: [(queue: MessageQueue, offsets: OffsetWrapper)], consumeTps: Double) {
        self.offsetTable = offsetTable
        self.consumeTps = consumeTps
    }

    public init(json: JSONValue) throws(BodyError) {
        consumeTps = json["consumeTps"]?.doubleValue ?? 0
        var table: [(queue: MessageQueue, offsets: OffsetWrapper)] = []
        for member in json.members("offsetTable") {
            let queue = try MessageQueue(json: member.key)
            let value = member.value
            table.append((queue, OffsetWrapper(
                brokerOffset: value["brokerOffset"]?.int64Value ?? 0,
                consumerOffset: value["consumerOffset"]?.int64Value ?? 0,
                lastTimestamp: value["lastTimestamp"]?.int64Value ?? 0)))
        }
        offsetTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in offsetTable {
            table.append(key: entry.queue.json, .object([
                "brokerOffset": .number(entry.offsets.brokerOffset),
                "consumerOffset": .number(entry.offsets.consumerOffset),
                "lastTimestamp": .number(entry.offsets.lastTimestamp),
            ]))
        }
        return .object(["consumeTps": .number(consumeTps), "offsetTable": .object(table)])
    }

    public static func == (lhs: ConsumeStats, rhs: ConsumeStats) -> Bool {
        lhs.consumeTps == rhs.consumeTps && lhs.offsetTable.elementsEqual(rhs.offsetTable) {
            $0.queue == $1.queue && $0.offsets == $1.offsets
        }
    }
}

/// Java `TopicOffset`: one queue's offsets in GET_TOPIC_STATS_INFO.
public struct TopicOffset: Sendable, Equatable {
    public var minOffset: Int64
    public var maxOffset: Int64
    public var lastUpdateTimestamp: Int64

    public init(minOffset: Int64, maxOffset: Int64, lastUpdateTimestamp: Int64) {
        self.minOffset = minOffset
        self.maxOffset = maxOffset
        self.lastUpdateTimestamp = lastUpdateTimestamp
    }
}

/// Java `TopicStatsTable` (§3.4.4), with MessageQueue-object keys.
public struct TopicStatsTable: RemotingBody, Equatable {
    public var offsetTable: [(queue: MessageQueue, offsets: TopicOffset)]

    public init(offsetTable: [(queue: MessageQueue, offsets: TopicOffset)]) {
        self.offsetTable = offsetTable
    }

    public init(json: JSONValue) throws(BodyError) {
        var table: [(queue: MessageQueue, offsets: TopicOffset)] = []
        for member in json.members("offsetTable") {
            let value = member.value
            table.append((try MessageQueue(json: member.key), TopicOffset(
                minOffset: value["minOffset"]?.int64Value ?? 0,
                maxOffset: value["maxOffset"]?.int64Value ?? 0,
                lastUpdateTimestamp: value["lastUpdateTimestamp"]?.int64Value ?? 0)))
        }
        offsetTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in offsetTable {
            table.append(key: entry.queue.json, .object([
                "lastUpdateTimestamp": .number(entry.offsets.lastUpdateTimestamp),
                "maxOffset": .number(entry.offsets.maxOffset),
                "minOffset": .number(entry.offsets.minOffset),
            ]))
        }
        return .object(["offsetTable": .object(table)])
    }

    public static func == (lhs: TopicStatsTable, rhs: TopicStatsTable) -> Bool {
        lhs.offsetTable.elementsEqual(rhs.offsetTable) { $0.queue == $1.queue && $0.offsets == $1.offsets }
    }
}
