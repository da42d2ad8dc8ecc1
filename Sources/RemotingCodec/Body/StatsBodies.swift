#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Java `BrokerStatsItem`: a stats item's sum, rate and average per call over one span.
public struct BrokerStatsItem: RemotingBody, Equatable {
    public var sum: Int64
    public var tps: Double
    public var avgpt: Double

    public init(sum: Int64, tps: Double, avgpt: Double) {
        self.sum = sum
        self.tps = tps
        self.avgpt = avgpt
    }

    public init(json: JSONValue) throws(BodyError) {
        sum = json["sum"]?.int64Value ?? 0
        tps = json["tps"]?.doubleValue ?? 0
        avgpt = json["avgpt"]?.doubleValue ?? 0
    }

    public var json: JSONValue { .object(["avgpt": .number(avgpt), "sum": .number(sum), "tps": .number(tps)]) }
}

/// Java `BrokerStatsData` (VIEW_BROKER_STATS_DATA): one stats item over the last minute, hour and day.
public struct BrokerStatsData: RemotingBody, Equatable {
    public var statsMinute: BrokerStatsItem
    public var statsHour: BrokerStatsItem
    public var statsDay: BrokerStatsItem

    public init(statsMinute: BrokerStatsItem, statsHour: BrokerStatsItem, statsDay: BrokerStatsItem) {
        self.statsMinute = statsMinute
        self.statsHour = statsHour
        self.statsDay = statsDay
    }

    public init(json: JSONValue) throws(BodyError) {
        statsMinute = try BrokerStatsItem(json: try json.required("statsMinute", in: "BrokerStatsData"))
        statsHour = try BrokerStatsItem(json: try json.required("statsHour", in: "BrokerStatsData"))
        statsDay = try BrokerStatsItem(json: try json.required("statsDay", in: "BrokerStatsData"))
    }

    public var json: JSONValue {
        .object(["statsDay": statsDay.json, "statsHour": statsHour.json, "statsMinute": statsMinute.json])
    }
}

/// Java `QueueTimeSpan`: a queue's first and last store times, the store time of the group's last consumed
/// message, and how long the next one has waited. fastjson also writes the `…Str` getters (local time,
/// `yyyy-MM-dd#HH:mm:ss:SSS`).
public struct QueueTimeSpan: Sendable, Equatable {
    public var messageQueue: MessageQueue
    public var minTimeStamp: Int64
    public var maxTimeStamp: Int64
    public var consumeTimeStamp: Int64
    public var delayTime: Int64

    public init(messageQueue: MessageQueue, minTimeStamp: Int64, maxTimeStamp: Int64, consumeTimeStamp: Int64, delayTime: Int64) {
        self.messageQueue = messageQueue
        self.minTimeStamp = minTimeStamp
        self.maxTimeStamp = maxTimeStamp
        self.consumeTimeStamp = consumeTimeStamp
        self.delayTime = delayTime
    }

    init(json: JSONValue) throws(BodyError) {
        messageQueue = try MessageQueue(json: try json.required("messageQueue", in: "QueueTimeSpan"))
        minTimeStamp = json["minTimeStamp"]?.int64Value ?? 0
        maxTimeStamp = json["maxTimeStamp"]?.int64Value ?? 0
        consumeTimeStamp = json["consumeTimeStamp"]?.int64Value ?? 0
        delayTime = json["delayTime"]?.int64Value ?? 0
    }

    var json: JSONValue {
        .object([
            "consumeTimeStamp": .number(consumeTimeStamp), "consumeTimeStampStr": .string(Self.formatDate(consumeTimeStamp)),
            "delayTime": .number(delayTime), "maxTimeStamp": .number(maxTimeStamp),
            "maxTimeStampStr": .string(Self.formatDate(maxTimeStamp)), "messageQueue": messageQueue.json,
            "minTimeStamp": .number(minTimeStamp), "minTimeStampStr": .string(Self.formatDate(minTimeStamp)),
        ])
    }

    /// Java `UtilAll.formatDate(date, "yyyy-MM-dd#HH:mm:ss:SSS")`, local time.
    public static func formatDate(_ millis: Int64) -> String {
        var seconds = time_t((millis - ((millis % 1000) + 1000) % 1000) / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let ms = Int((millis % 1000 + 1000) % 1000)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))#\(two(parts.tm_hour)):\(two(parts.tm_min)):"
            + "\(two(parts.tm_sec)):" + (ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)")
    }
}

/// Java `QueryConsumeTimeSpanBody` (QUERY_CONSUME_TIME_SPAN).
public struct QueryConsumeTimeSpanBody: RemotingBody, Equatable {
    public var consumeTimeSpanSet: [QueueTimeSpan]

    public init(consumeTimeSpanSet: [QueueTimeSpan]) { self.consumeTimeSpanSet = consumeTimeSpanSet }

    public init(json: JSONValue) throws(BodyError) {
        var spans: [QueueTimeSpan] = []
        for element in json.elements("consumeTimeSpanSet") { spans.append(try QueueTimeSpan(json: element)) }
        consumeTimeSpanSet = spans
    }

    public var json: JSONValue { .object(["consumeTimeSpanSet": .array(consumeTimeSpanSet.map(\.json))]) }
}

/// Java `QueryCorrectionOffsetBody` (QUERY_CORRECTION_OFFSET): queueId → offset, integer map keys as fastjson
/// writes them.
public struct QueryCorrectionOffsetBody: RemotingBody, Equatable {
    public var correctionOffsets: [(queueId: Int32, offset: Int64)]

    public init(correctionOffsets: [(queueId: Int32, offset: Int64)]) { self.correctionOffsets = correctionOffsets }

    public init(json: JSONValue) throws(BodyError) {
        var offsets: [(queueId: Int32, offset: Int64)] = []
        for member in json.members("correctionOffsets") {
            guard let queueId = member.key.int32Value, let offset = member.value.int64Value else {
                throw BodyError("QueryCorrectionOffsetBody: bad entry")
            }
            offsets.append((queueId, offset))
        }
        correctionOffsets = offsets
    }

    public var json: JSONValue {
        var table = JSONObject()
        for entry in correctionOffsets { table.append(key: .number(entry.queueId), .number(entry.offset)) }
        return .object(["correctionOffsets": .object(table)])
    }

    public static func == (lhs: QueryCorrectionOffsetBody, rhs: QueryCorrectionOffsetBody) -> Bool {
        lhs.correctionOffsets.elementsEqual(rhs.correctionOffsets) { $0 == $1 }
    }
}

/// Java `ConsumeQueueData`: one consume-queue unit as QUERY_CONSUME_QUEUE shows it.
public struct ConsumeQueueData: Sendable, Equatable {
    public var physicOffset: Int64
    public var physicSize: Int32
    public var tagsCode: Int64
    public var extendDataJson: String?
    public var bitMap: String?
    public var eval: Bool
    public var msg: String?

    public init(physicOffset: Int64, physicSize: Int32, tagsCode: Int64, extendDataJson: String? = nil, bitMap: String? = nil,
                eval: Bool = false, msg: String? = nil) {
        self.physicOffset = physicOffset
        self.physicSize = physicSize
        self.tagsCode = tagsCode
        self.extendDataJson = extendDataJson
        self.bitMap = bitMap
        self.eval = eval
        self.msg = msg
    }

    init(json: JSONValue) {
        physicOffset = json["physicOffset"]?.int64Value ?? 0
        physicSize = json["physicSize"]?.int32Value ?? 0
        tagsCode = json["tagsCode"]?.int64Value ?? 0
        extendDataJson = json["extendDataJson"]?.stringValue
        bitMap = json["bitMap"]?.stringValue
        eval = json["eval"]?.boolValue ?? false
        msg = json["msg"]?.stringValue
    }

    var json: JSONValue {
        var object = JSONObject()
        if let bitMap { object.append("bitMap", .string(bitMap)) }
        object.append("eval", .bool(eval))
        if let extendDataJson { object.append("extendDataJson", .string(extendDataJson)) }
        if let msg { object.append("msg", .string(msg)) }
        object.append("physicOffset", .number(physicOffset))
        object.append("physicSize", .number(physicSize))
        object.append("tagsCode", .number(tagsCode))
        return .object(object)
    }
}

/// Java `QueryConsumeQueueResponseBody` (QUERY_CONSUME_QUEUE).
public struct QueryConsumeQueueResponseBody: RemotingBody, Equatable {
    public var subscriptionData: SubscriptionData?
    public var filterData: String?
    public var queueData: [ConsumeQueueData]?
    public var maxQueueIndex: Int64
    public var minQueueIndex: Int64

    public init(subscriptionData: SubscriptionData? = nil, filterData: String? = nil, queueData: [ConsumeQueueData]? = nil,
                maxQueueIndex: Int64, minQueueIndex: Int64) {
        self.subscriptionData = subscriptionData
        self.filterData = filterData
        self.queueData = queueData
        self.maxQueueIndex = maxQueueIndex
        self.minQueueIndex = minQueueIndex
    }

    public init(json: JSONValue) throws(BodyError) {
        if let subscription = json["subscriptionData"], subscription != .null {
            subscriptionData = try SubscriptionData(json: subscription)
        }
        filterData = json["filterData"]?.stringValue
        queueData = json["queueData"]?.arrayValue.map { $0.map(ConsumeQueueData.init(json:)) }
        maxQueueIndex = json["maxQueueIndex"]?.int64Value ?? 0
        minQueueIndex = json["minQueueIndex"]?.int64Value ?? 0
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let filterData { object.append("filterData", .string(filterData)) }
        object.append("maxQueueIndex", .number(maxQueueIndex))
        object.append("minQueueIndex", .number(minQueueIndex))
        if let queueData { object.append("queueData", .array(queueData.map(\.json))) }
        if let subscriptionData { object.append("subscriptionData", subscriptionData.json) }
        return .object(object)
    }
}
