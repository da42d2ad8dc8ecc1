/// Java `GetConsumerStatusBody`: a consumer's queue offsets (GET_CONSUMER_STATUS_FROM_CLIENT) and, in the
/// broker's answer to INVOKE_BROKER_TO_GET_CONSUMER_STATUS, every client's, by client id. MessageQueue-object
/// map keys, as fastjson writes them.
public struct GetConsumerStatusBody: RemotingBody, Equatable {
    public var messageQueueTable: [(queue: MessageQueue, offset: Int64)]
    public var consumerTable: [(clientId: String, offsets: [(queue: MessageQueue, offset: Int64)])]

    public init(
        messageQueueTable: [(queue: MessageQueue, offset: Int64)] = [],
        consumerTable: [(clientId: String, offsets: [(queue: MessageQueue, offset: Int64)])] = []
    ) {
        self.messageQueueTable = messageQueueTable
        self.consumerTable = consumerTable
    }

    public init(json: JSONValue) throws(BodyError) {
        messageQueueTable = try Self.offsets(json.members("messageQueueTable"))
        var table: [(clientId: String, offsets: [(queue: MessageQueue, offset: Int64)])] = []
        for member in json.members("consumerTable") {
            guard let clientId = member.key.stringValue else { throw BodyError("GetConsumerStatusBody: bad client id") }
            table.append((clientId, try Self.offsets(member.value.objectValue?.members ?? [])))
        }
        consumerTable = table
    }

    private static func offsets(_ members: [JSONObject.Member]) throws(BodyError) -> [(queue: MessageQueue, offset: Int64)] {
        var offsets: [(queue: MessageQueue, offset: Int64)] = []
        for member in members {
            guard let offset = member.value.int64Value else { throw BodyError("GetConsumerStatusBody: bad offset") }
            offsets.append((try MessageQueue(json: member.key), offset))
        }
        return offsets
    }

    private static func json(_ offsets: [(queue: MessageQueue, offset: Int64)]) -> JSONValue {
        var object = JSONObject()
        for entry in offsets { object.append(key: entry.queue.json, .number(entry.offset)) }
        return .object(object)
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in consumerTable { table.append(entry.clientId, Self.json(entry.offsets)) }
        return .object(["consumerTable": .object(table), "messageQueueTable": Self.json(messageQueueTable)])
    }

    public static func == (lhs: GetConsumerStatusBody, rhs: GetConsumerStatusBody) -> Bool {
        lhs.json == rhs.json
    }
}

/// Java `ConsumeStatsList` (GET_BROKER_CONSUME_STATS): per subscription group, the ConsumeStats of each topic
/// it has offsets for, and the total lag.
public struct ConsumeStatsList: RemotingBody, Equatable {
    public var brokerAddr: String
    /// One single-entry map per group, in Java's `List<Map<group, List<ConsumeStats>>>` shape.
    public var consumeStatsList: [(group: String, stats: [ConsumeStats])]
    public var totalDiff: Int64

    public init(brokerAddr: String, consumeStatsList: [(group: String, stats: [ConsumeStats])], totalDiff: Int64) {
        self.brokerAddr = brokerAddr
        self.consumeStatsList = consumeStatsList
        self.totalDiff = totalDiff
    }

    public init(json: JSONValue) throws(BodyError) {
        brokerAddr = json["brokerAddr"]?.stringValue ?? ""
        totalDiff = json["totalDiff"]?.int64Value ?? 0
        var list: [(group: String, stats: [ConsumeStats])] = []
        for element in json.elements("consumeStatsList") {
            for member in element.objectValue?.members ?? [] {
                guard let group = member.key.stringValue else { throw BodyError("ConsumeStatsList: bad group") }
                var stats: [ConsumeStats] = []
                for value in member.value.arrayValue ?? [] { stats.append(try ConsumeStats(json: value)) }
                list.append((group, stats))
            }
        }
        consumeStatsList = list
    }

    public var json: JSONValue {
        .object([
            "brokerAddr": .string(brokerAddr),
            "consumeStatsList": .array(consumeStatsList.map { entry in
                .object(JSONObject([.init(key: .string(entry.group), value: .array(entry.stats.map(\.json)))]))
            }),
            "totalDiff": .number(totalDiff),
        ])
    }

    public static func == (lhs: ConsumeStatsList, rhs: ConsumeStatsList) -> Bool {
        lhs.json == rhs.json
    }
}

extension ConsumeStats {
    /// Java `computeTotalDiff`: the sum of brokerOffset − consumerOffset over the queues.
    public var totalDiff: Int64 {
        offsetTable.reduce(0) { $0 + $1.offsets.brokerOffset - $1.offsets.consumerOffset }
    }
}

/// Java `ProducerInfo`: one producer connection in GET_ALL_PRODUCER_INFO.
public struct ProducerInfo: Sendable, Equatable {
    public var clientId: String
    /// Java's `InetSocketAddress.toString()`: `/ip:port`.
    public var remoteIP: String
    public var language: LanguageCode
    public var version: Int32
    public var lastUpdateTimestamp: Int64

    public init(clientId: String, remoteIP: String, language: LanguageCode, version: Int32, lastUpdateTimestamp: Int64) {
        self.clientId = clientId
        self.remoteIP = remoteIP
        self.language = language
        self.version = version
        self.lastUpdateTimestamp = lastUpdateTimestamp
    }
}

/// Java `ProducerTableInfo` (GET_ALL_PRODUCER_INFO): producer group → its connections.
public struct ProducerTableInfo: RemotingBody, Equatable {
    public var data: [(group: String, producers: [ProducerInfo])]

    public init(data: [(group: String, producers: [ProducerInfo])]) { self.data = data }

    public init(json: JSONValue) throws(BodyError) {
        var data: [(group: String, producers: [ProducerInfo])] = []
        for member in json.members("data") {
            guard let group = member.key.stringValue else { throw BodyError("ProducerTableInfo: bad group") }
            data.append((group, (member.value.arrayValue ?? []).map { value in
                ProducerInfo(
                    clientId: value["clientId"]?.stringValue ?? "", remoteIP: value["remoteIP"]?.stringValue ?? "",
                    language: value["language"]?.stringValue.flatMap(LanguageCode.init(name:)) ?? .other,
                    version: value["version"]?.int32Value ?? 0, lastUpdateTimestamp: value["lastUpdateTimestamp"]?.int64Value ?? 0)
            }))
        }
        self.data = data
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in data {
            table.append(entry.group, .array(entry.producers.map { producer in
                .object([
                    "clientId": .string(producer.clientId), "language": .string(producer.language.name),
                    "lastUpdateTimestamp": .number(producer.lastUpdateTimestamp), "remoteIP": .string(producer.remoteIP),
                    "version": .number(producer.version),
                ])
            }))
        }
        return .object(["data": .object(table)])
    }

    public static func == (lhs: ProducerTableInfo, rhs: ProducerTableInfo) -> Bool {
        lhs.data.elementsEqual(rhs.data) { $0.group == $1.group && $0.producers == $1.producers }
    }
}
