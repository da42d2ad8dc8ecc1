/// Java `Connection`: one client channel in GET_CONSUMER/PRODUCER_CONNECTION_LIST.
public struct Connection: RemotingBody, Hashable {
    public var clientId: String
    public var clientAddr: String
    public var language: LanguageCode
    public var version: Int32

    public init(clientId: String, clientAddr: String, language: LanguageCode, version: Int32) {
        self.clientId = clientId
        self.clientAddr = clientAddr
        self.language = language
        self.version = version
    }

    public init(json: JSONValue) throws(BodyError) {
        clientId = json["clientId"]?.stringValue ?? ""
        clientAddr = json["clientAddr"]?.stringValue ?? ""
        language = json["language"]?.stringValue.flatMap(LanguageCode.init(name:)) ?? .other
        version = json["version"]?.int32Value ?? 0
    }

    public var json: JSONValue {
        .object([
            "clientAddr": .string(clientAddr), "clientId": .string(clientId),
            "language": .string(language.name), "version": .number(version),
        ])
    }
}

/// Java `ConsumerConnection` (§3.4.7).
public struct ConsumerConnection: RemotingBody, Equatable {
    public var connectionSet: [Connection]
    public var subscriptionTable: [SubscriptionData]
    public var consumeType: ConsumeType?
    public var messageModel: MessageModel?
    public var consumeFromWhere: ConsumeFromWhere?

    public init(connectionSet: [Connection], subscriptionTable: [SubscriptionData], consumeType: ConsumeType?,
                messageModel: MessageModel?, consumeFromWhere: ConsumeFromWhere?) {
        self.connectionSet = connectionSet
        self.subscriptionTable = subscriptionTable
        self.consumeType = consumeType
        self.messageModel = messageModel
        self.consumeFromWhere = consumeFromWhere
    }

    public init(json: JSONValue) throws(BodyError) {
        var connections: [Connection] = []
        for value in json.elements("connectionSet") { connections.append(try Connection(json: value)) }
        connectionSet = connections
        var subscriptions: [SubscriptionData] = []
        for member in json.members("subscriptionTable") { subscriptions.append(try SubscriptionData(json: member.value)) }
        subscriptionTable = subscriptions
        consumeType = json["consumeType"]?.enumValue(ConsumeType.self)
        messageModel = json["messageModel"]?.enumValue(MessageModel.self)
        consumeFromWhere = json["consumeFromWhere"]?.enumValue(ConsumeFromWhere.self)
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("connectionSet", .array(connectionSet.map(\.json)))
        if let consumeFromWhere { object.append("consumeFromWhere", .string(consumeFromWhere.rawValue)) }
        if let consumeType { object.append("consumeType", .string(consumeType.rawValue)) }
        if let messageModel { object.append("messageModel", .string(messageModel.rawValue)) }
        var table = JSONObject()
        for subscription in subscriptionTable { table.append(subscription.topic, subscription.json) }
        object.append("subscriptionTable", .object(table))
        return .object(object)
    }
}

/// Java `ProducerConnection`: `{"connectionSet":[…]}`.
public struct ProducerConnection: RemotingBody, Equatable {
    public var connectionSet: [Connection]

    public init(connectionSet: [Connection]) { self.connectionSet = connectionSet }

    public init(json: JSONValue) throws(BodyError) {
        var connections: [Connection] = []
        for value in json.elements("connectionSet") { connections.append(try Connection(json: value)) }
        connectionSet = connections
    }

    public var json: JSONValue { .object(["connectionSet": .array(connectionSet.map(\.json))]) }
}

/// Java `ResetOffsetBody` (MessageQueue-object keys) and, for C++ consumers, `ResetOffsetBodyForC`
/// (a list), §3.4.8.
public struct ResetOffsetBody: RemotingBody, Equatable {
    public var offsetTable: [(queue: MessageQueue, offset: Int64)]

    public init(offsetTable: [(queue: MessageQueue, offset: Int64)]) { self.offsetTable = offsetTable }

    /// Reads either form.
    public init(json: JSONValue) throws(BodyError) {
        var table: [(queue: MessageQueue, offset: Int64)] = []
        if let list = json["offsetTable"]?.arrayValue {
            for entry in list {
                guard let offset = entry["offset"]?.int64Value else { throw BodyError("ResetOffsetBodyForC: bad offset") }
                table.append((try MessageQueue(json: entry), offset))
            }
        } else {
            for member in json.members("offsetTable") {
                guard let offset = member.value.int64Value else { throw BodyError("ResetOffsetBody: bad offset") }
                table.append((try MessageQueue(json: member.key), offset))
            }
        }
        offsetTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in offsetTable { table.append(key: entry.queue.json, .number(entry.offset)) }
        return .object(["offsetTable": .object(table)])
    }

    /// The list form the C++ client parses.
    public var jsonForC: JSONValue {
        .object(["offsetTable": .array(offsetTable.map { entry in
            .object([
                "brokerName": .string(entry.queue.brokerName), "offset": .number(entry.offset),
                "queueId": .number(entry.queue.queueId), "topic": .string(entry.queue.topic),
            ])
        })])
    }

    public static func == (lhs: ResetOffsetBody, rhs: ResetOffsetBody) -> Bool {
        lhs.offsetTable.elementsEqual(rhs.offsetTable) { $0.queue == $1.queue && $0.offset == $1.offset }
    }
}
