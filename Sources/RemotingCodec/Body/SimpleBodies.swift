/// Java `TopicList`: `{"topicList":[…]}` plus `brokerAddr` when set.
public struct TopicList: RemotingBody, Equatable {
    public var topicList: [String]
    public var brokerAddr: String?

    public init(topicList: [String], brokerAddr: String? = nil) {
        self.topicList = topicList
        self.brokerAddr = brokerAddr
    }

    public init(json: JSONValue) throws(BodyError) {
        topicList = json.elements("topicList").compactMap(\.stringValue)
        brokerAddr = json["brokerAddr"]?.stringValue
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let brokerAddr { object.append("brokerAddr", .string(brokerAddr)) }
        object.append("topicList", .array(topicList.map(JSONValue.string)))
        return .object(object)
    }
}

/// Java `KVTable`: `{"table":{"k":"v"}}`.
public struct KVTable: RemotingBody, Equatable {
    public var table: [String: String]

    public init(table: [String: String]) { self.table = table }

    public init(json: JSONValue) throws(BodyError) {
        var table: [String: String] = [:]
        for member in json.members("table") {
            if let key = member.key.stringValue, let value = member.value.stringValue { table[key] = value }
        }
        self.table = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for key in self.table.keys.sorted() { table.append(key, .string(self.table[key]!)) }
        return .object(["table": .object(table)])
    }
}

/// Java `GroupList`: `{"groupList":[…]}`.
public struct GroupList: RemotingBody, Equatable {
    public var groupList: [String]

    public init(groupList: [String]) { self.groupList = groupList }

    public init(json: JSONValue) throws(BodyError) {
        groupList = json.elements("groupList").compactMap(\.stringValue)
    }

    public var json: JSONValue { .object(["groupList": .array(groupList.map(JSONValue.string))]) }
}

/// Java `GetConsumerListByGroupResponseBody`: `{"consumerIdList":[…]}`.
public struct ConsumerIdList: RemotingBody, Equatable {
    public var consumerIdList: [String]

    public init(consumerIdList: [String]) { self.consumerIdList = consumerIdList }

    public init(json: JSONValue) throws(BodyError) {
        consumerIdList = json.elements("consumerIdList").compactMap(\.stringValue)
    }

    public var json: JSONValue { .object(["consumerIdList": .array(consumerIdList.map(JSONValue.string))]) }
}

/// Java `LockBatchRequestBody` and `UnlockBatchRequestBody` (§3.3.17).
public struct LockBatchRequestBody: RemotingBody, Equatable {
    public var consumerGroup: String
    public var clientId: String
    public var mqSet: [MessageQueue]
    /// 5.x only.
    public var onlyThisBroker: Bool?

    public init(consumerGroup: String, clientId: String, mqSet: [MessageQueue], onlyThisBroker: Bool? = nil) {
        self.consumerGroup = consumerGroup
        self.clientId = clientId
        self.mqSet = mqSet
        self.onlyThisBroker = onlyThisBroker
    }

    public init(json: JSONValue) throws(BodyError) {
        consumerGroup = try json.requiredString("consumerGroup", in: "LockBatchRequestBody")
        clientId = try json.requiredString("clientId", in: "LockBatchRequestBody")
        var set: [MessageQueue] = []
        for value in json.elements("mqSet") { set.append(try MessageQueue(json: value)) }
        mqSet = set
        onlyThisBroker = json["onlyThisBroker"]?.boolValue
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("clientId", .string(clientId))
        object.append("consumerGroup", .string(consumerGroup))
        object.append("mqSet", .array(mqSet.map(\.json)))
        if let onlyThisBroker { object.append("onlyThisBroker", .bool(onlyThisBroker)) }
        return .object(object)
    }
}

/// Java `LockBatchResponseBody`: `{"lockOKMQSet":[…]}`.
public struct LockBatchResponseBody: RemotingBody, Equatable {
    public var lockOKMQSet: [MessageQueue]

    public init(lockOKMQSet: [MessageQueue]) { self.lockOKMQSet = lockOKMQSet }

    public init(json: JSONValue) throws(BodyError) {
        var set: [MessageQueue] = []
        for value in json.elements("lockOKMQSet") { set.append(try MessageQueue(json: value)) }
        lockOKMQSet = set
    }

    public var json: JSONValue { .object(["lockOKMQSet": .array(lockOKMQSet.map(\.json))]) }
}
