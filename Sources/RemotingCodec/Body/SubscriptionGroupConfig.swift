/// Java `SubscriptionGroupConfig` (§3.1), with Java's defaults for absent fields.
public struct SubscriptionGroupConfig: RemotingBody, Equatable {
    public var groupName: String
    public var consumeEnable: Bool
    public var consumeFromMinEnable: Bool
    public var consumeBroadcastEnable: Bool
    public var retryQueueNums: Int32
    public var retryMaxTimes: Int32
    public var brokerId: Int64
    public var whichBrokerWhenConsumeSlowly: Int64
    public var notifyConsumerIdsChangedEnable: Bool

    public init(
        groupName: String, consumeEnable: Bool = true, consumeFromMinEnable: Bool = true,
        consumeBroadcastEnable: Bool = true, retryQueueNums: Int32 = 1, retryMaxTimes: Int32 = 16,
        brokerId: Int64 = 0, whichBrokerWhenConsumeSlowly: Int64 = 1, notifyConsumerIdsChangedEnable: Bool = true
    ) {
        self.groupName = groupName
        self.consumeEnable = consumeEnable
        self.consumeFromMinEnable = consumeFromMinEnable
        self.consumeBroadcastEnable = consumeBroadcastEnable
        self.retryQueueNums = retryQueueNums
        self.retryMaxTimes = retryMaxTimes
        self.brokerId = brokerId
        self.whichBrokerWhenConsumeSlowly = whichBrokerWhenConsumeSlowly
        self.notifyConsumerIdsChangedEnable = notifyConsumerIdsChangedEnable
    }

    public init(json: JSONValue) throws(BodyError) {
        let defaults = SubscriptionGroupConfig(groupName: "")
        groupName = try json.requiredString("groupName", in: "SubscriptionGroupConfig")
        consumeEnable = json["consumeEnable"]?.boolValue ?? defaults.consumeEnable
        consumeFromMinEnable = json["consumeFromMinEnable"]?.boolValue ?? defaults.consumeFromMinEnable
        consumeBroadcastEnable = json["consumeBroadcastEnable"]?.boolValue ?? defaults.consumeBroadcastEnable
        retryQueueNums = json["retryQueueNums"]?.int32Value ?? defaults.retryQueueNums
        retryMaxTimes = json["retryMaxTimes"]?.int32Value ?? defaults.retryMaxTimes
        brokerId = json["brokerId"]?.int64Value ?? defaults.brokerId
        whichBrokerWhenConsumeSlowly = json["whichBrokerWhenConsumeSlowly"]?.int64Value ?? defaults.whichBrokerWhenConsumeSlowly
        notifyConsumerIdsChangedEnable = json["notifyConsumerIdsChangedEnable"]?.boolValue ?? defaults.notifyConsumerIdsChangedEnable
    }

    public var json: JSONValue {
        .object([
            "brokerId": .number(brokerId), "consumeBroadcastEnable": .bool(consumeBroadcastEnable),
            "consumeEnable": .bool(consumeEnable), "consumeFromMinEnable": .bool(consumeFromMinEnable),
            "groupName": .string(groupName), "notifyConsumerIdsChangedEnable": .bool(notifyConsumerIdsChangedEnable),
            "retryMaxTimes": .number(retryMaxTimes), "retryQueueNums": .number(retryQueueNums),
            "whichBrokerWhenConsumeSlowly": .number(whichBrokerWhenConsumeSlowly),
        ])
    }
}

/// Java `SubscriptionGroupWrapper`: GET_ALL_SUBSCRIPTIONGROUP_CONFIG and `subscriptionGroup.json`.
public struct SubscriptionGroupWrapper: RemotingBody, Equatable {
    public var subscriptionGroupTable: [SubscriptionGroupConfig]
    public var dataVersion: DataVersion

    public init(subscriptionGroupTable: [SubscriptionGroupConfig], dataVersion: DataVersion) {
        self.subscriptionGroupTable = subscriptionGroupTable
        self.dataVersion = dataVersion
    }

    public init(json: JSONValue) throws(BodyError) {
        dataVersion = try json["dataVersion"].map { (v) throws(BodyError) in try DataVersion(json: v) } ?? DataVersion(timestamp: 0, counter: 0)
        var table: [SubscriptionGroupConfig] = []
        for member in json.members("subscriptionGroupTable") { table.append(try SubscriptionGroupConfig(json: member.value)) }
        subscriptionGroupTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for config in subscriptionGroupTable { table.append(config.groupName, config.json) }
        return .object(["dataVersion": dataVersion.json, "subscriptionGroupTable": .object(table)])
    }
}

/// Java `ConsumerOffsetSerializeWrapper`: `{"offsetTable":{"<topic>@<group>":{0:12,1:7}}}` with bare
/// queue-id keys (GET_ALL_CONSUMER_OFFSET, `consumerOffset.json`).
public struct ConsumerOffsetSerializeWrapper: RemotingBody, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var offsets: [(queueId: Int32, offset: Int64)]
        public init(key: String, offsets: [(queueId: Int32, offset: Int64)]) {
            self.key = key
            self.offsets = offsets
        }
        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.key == rhs.key && lhs.offsets.elementsEqual(rhs.offsets) { $0 == $1 }
        }
    }

    public var offsetTable: [Entry]

    public init(offsetTable: [Entry]) { self.offsetTable = offsetTable }

    public init(json: JSONValue) throws(BodyError) {
        var table: [Entry] = []
        for member in json.members("offsetTable") {
            guard let key = member.key.stringValue else { throw BodyError("offsetTable: bad key") }
            var offsets: [(queueId: Int32, offset: Int64)] = []
            for queue in member.value.objectValue?.members ?? [] {
                guard let queueId = queue.key.int32Value, let offset = queue.value.int64Value else {
                    throw BodyError("offsetTable: bad queue offset")
                }
                offsets.append((queueId, offset))
            }
            table.append(Entry(key: key, offsets: offsets))
        }
        offsetTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in offsetTable {
            var queues = JSONObject()
            for (queueId, offset) in entry.offsets { queues.append(key: .number(queueId), .number(offset)) }
            table.append(entry.key, .object(queues))
        }
        return .object(["offsetTable": .object(table)])
    }
}

/// The delay-level progress table (`delayOffset.json`, GET_ALL_DELAY_OFFSET): `{"offsetTable":{3:2}}`.
public struct DelayOffsetSerializeWrapper: RemotingBody, Equatable {
    public var offsetTable: [(level: Int32, offset: Int64)]

    public init(offsetTable: [(level: Int32, offset: Int64)]) { self.offsetTable = offsetTable }

    public init(json: JSONValue) throws(BodyError) {
        var table: [(level: Int32, offset: Int64)] = []
        for member in json.members("offsetTable") {
            guard let level = member.key.int32Value, let offset = member.value.int64Value else {
                throw BodyError("offsetTable: bad delay offset")
            }
            table.append((level, offset))
        }
        offsetTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for (level, offset) in offsetTable { table.append(key: .number(level), .number(offset)) }
        return .object(["offsetTable": .object(table)])
    }

    public static func == (lhs: DelayOffsetSerializeWrapper, rhs: DelayOffsetSerializeWrapper) -> Bool {
        lhs.offsetTable.elementsEqual(rhs.offsetTable) { $0 == $1 }
    }
}
