/// Java `ConsumeType`.
public enum ConsumeType: String, Sendable, CaseIterable {
    case consumeActively = "CONSUME_ACTIVELY"
    case consumePassively = "CONSUME_PASSIVELY"
}

/// Java `MessageModel`.
public enum MessageModel: String, Sendable, CaseIterable {
    case broadcasting = "BROADCASTING"
    case clustering = "CLUSTERING"
}

/// Java `ConsumeFromWhere` (ordinals in this order: C++ sends them as numbers).
public enum ConsumeFromWhere: String, Sendable, CaseIterable {
    case consumeFromLastOffset = "CONSUME_FROM_LAST_OFFSET"
    case consumeFromLastOffsetAndFromMinWhenBootFirst = "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST"
    case consumeFromMinOffset = "CONSUME_FROM_MIN_OFFSET"
    case consumeFromMaxOffset = "CONSUME_FROM_MAX_OFFSET"
    case consumeFromFirstOffset = "CONSUME_FROM_FIRST_OFFSET"
    case consumeFromTimestamp = "CONSUME_FROM_TIMESTAMP"
}

/// Java `SubscriptionData`: one topic subscription of a consumer group.
public struct SubscriptionData: RemotingBody, Hashable {
    public static let subAll = "*"

    public var topic: String
    public var subString: String
    public var subVersion: Int64
    public var expressionType: String
    public var classFilterMode: Bool
    public var tagsSet: [String]
    public var codeSet: [Int32]

    public init(topic: String, subString: String, subVersion: Int64, expressionType: String = "TAG",
                classFilterMode: Bool = false, tagsSet: [String], codeSet: [Int32]) {
        self.topic = topic
        self.subString = subString
        self.subVersion = subVersion
        self.expressionType = expressionType
        self.classFilterMode = classFilterMode
        self.tagsSet = tagsSet
        self.codeSet = codeSet
    }

    /// The C++ 1.x client sends only topic, subString and subVersion (§3.3.8): the rest defaults,
    /// and tagsSet/codeSet are rebuilt from subString by the broker.
    public init(json: JSONValue) throws(BodyError) {
        topic = try json.requiredString("topic", in: "SubscriptionData")
        subString = json["subString"]?.stringValue ?? Self.subAll
        subVersion = json["subVersion"]?.int64Value ?? 0
        expressionType = json["expressionType"]?.stringValue ?? "TAG"
        classFilterMode = json["classFilterMode"]?.boolValue ?? false
        tagsSet = json.elements("tagsSet").compactMap(\.stringValue)
        codeSet = json.elements("codeSet").compactMap(\.int32Value)
    }

    public var json: JSONValue {
        .object([
            "classFilterMode": .bool(classFilterMode), "codeSet": .array(codeSet.map { .number($0) }),
            "expressionType": .string(expressionType), "subString": .string(subString),
            "subVersion": .number(subVersion), "tagsSet": .array(tagsSet.map(JSONValue.string)),
            "topic": .string(topic),
        ])
    }
}

/// Java `ConsumerData`: one consumer group in a heartbeat.
public struct ConsumerData: RemotingBody, Equatable {
    public var groupName: String
    public var consumeType: ConsumeType
    public var messageModel: MessageModel
    public var consumeFromWhere: ConsumeFromWhere
    public var subscriptionDataSet: [SubscriptionData]
    public var unitMode: Bool

    public init(groupName: String, consumeType: ConsumeType, messageModel: MessageModel,
                consumeFromWhere: ConsumeFromWhere, subscriptionDataSet: [SubscriptionData], unitMode: Bool = false) {
        self.groupName = groupName
        self.consumeType = consumeType
        self.messageModel = messageModel
        self.consumeFromWhere = consumeFromWhere
        self.subscriptionDataSet = subscriptionDataSet
        self.unitMode = unitMode
    }

    public init(json: JSONValue) throws(BodyError) {
        groupName = try json.requiredString("groupName", in: "ConsumerData")
        consumeType = json["consumeType"]?.enumValue(ConsumeType.self) ?? .consumePassively
        messageModel = json["messageModel"]?.enumValue(MessageModel.self) ?? .clustering
        consumeFromWhere = json["consumeFromWhere"]?.enumValue(ConsumeFromWhere.self) ?? .consumeFromLastOffset
        var subscriptions: [SubscriptionData] = []
        for value in json.elements("subscriptionDataSet") { subscriptions.append(try SubscriptionData(json: value)) }
        subscriptionDataSet = subscriptions
        unitMode = json["unitMode"]?.boolValue ?? false
    }

    public var json: JSONValue {
        .object([
            "consumeFromWhere": .string(consumeFromWhere.rawValue), "consumeType": .string(consumeType.rawValue),
            "groupName": .string(groupName), "messageModel": .string(messageModel.rawValue),
            "subscriptionDataSet": .array(subscriptionDataSet.map(\.json)), "unitMode": .bool(unitMode),
        ])
    }
}

/// Java `HeartbeatData`: the HEART_BEAT body (§3.3.8).
public struct HeartbeatData: RemotingBody, Equatable {
    public var clientID: String
    public var producerDataSet: [String]
    public var consumerDataSet: [ConsumerData]

    public init(clientID: String, producerDataSet: [String], consumerDataSet: [ConsumerData]) {
        self.clientID = clientID
        self.producerDataSet = producerDataSet
        self.consumerDataSet = consumerDataSet
    }

    public init(json: JSONValue) throws(BodyError) {
        clientID = try json.requiredString("clientID", in: "HeartbeatData")
        producerDataSet = json.elements("producerDataSet").compactMap { $0["groupName"]?.stringValue }
        var consumers: [ConsumerData] = []
        for value in json.elements("consumerDataSet") { consumers.append(try ConsumerData(json: value)) }
        consumerDataSet = consumers
    }

    public var json: JSONValue {
        .object([
            "clientID": .string(clientID), "consumerDataSet": .array(consumerDataSet.map(\.json)),
            "producerDataSet": .array(producerDataSet.map { .object(["groupName": .string($0)]) }),
        ])
    }
}

/// Java `CheckClientRequestBody`: CHECK_CLIENT_CONFIG, a consumer asking whether the broker accepts its
/// subscription (SQL92 filters) before it starts.
public struct CheckClientRequestBody: RemotingBody, Equatable {
    public var clientId: String?
    public var group: String?
    public var subscriptionData: SubscriptionData?

    public init(clientId: String?, group: String?, subscriptionData: SubscriptionData?) {
        self.clientId = clientId
        self.group = group
        self.subscriptionData = subscriptionData
    }

    public init(json: JSONValue) throws(BodyError) {
        clientId = json["clientId"]?.stringValue
        group = json["group"]?.stringValue
        if let data = json["subscriptionData"], data != .null { subscriptionData = try SubscriptionData(json: data) }
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let clientId { object.append("clientId", .string(clientId)) }
        if let group { object.append("group", .string(group)) }
        if let subscriptionData { object.append("subscriptionData", subscriptionData.json) }
        return .object(object)
    }
}
