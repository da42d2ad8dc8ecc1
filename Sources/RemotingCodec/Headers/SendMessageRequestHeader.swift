/// Java `SendMessageRequestHeader` (SEND_MESSAGE 10, long names) and its compact twin
/// `SendMessageRequestHeaderV2` (SEND_MESSAGE_V2 310, SEND_BATCH_MESSAGE 320, SEND_REPLY_MESSAGE_V2
/// 325: keys `a`…`n`, §3.3.2). One type: the broker only cares about the values.
public struct SendMessageRequestHeader: CommandCustomHeader, Equatable {
    public var producerGroup: String
    public var topic: String
    public var defaultTopic: String
    public var defaultTopicQueueNums: Int32
    /// Negative: the broker picks a queue.
    public var queueId: Int32
    public var sysFlag: Int32
    public var bornTimestamp: Int64
    public var flag: Int32
    public var properties: String?
    public var reconsumeTimes: Int32?
    public var unitMode: Bool
    public var batch: Bool
    public var maxReconsumeTimes: Int32?
    /// V2 `n` (4.9.8 `bname`): the broker name the client thinks it talks to.
    public var brokerName: String?

    public init(
        producerGroup: String, topic: String, defaultTopic: String = "TBW102", defaultTopicQueueNums: Int32 = 4,
        queueId: Int32, sysFlag: Int32 = 0, bornTimestamp: Int64, flag: Int32 = 0, properties: String? = nil,
        reconsumeTimes: Int32? = nil, unitMode: Bool = false, batch: Bool = false,
        maxReconsumeTimes: Int32? = nil, brokerName: String? = nil
    ) {
        self.producerGroup = producerGroup
        self.topic = topic
        self.defaultTopic = defaultTopic
        self.defaultTopicQueueNums = defaultTopicQueueNums
        self.queueId = queueId
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.flag = flag
        self.properties = properties
        self.reconsumeTimes = reconsumeTimes
        self.unitMode = unitMode
        self.batch = batch
        self.maxReconsumeTimes = maxReconsumeTimes
        self.brokerName = brokerName
    }

    /// The long-name form (SEND_MESSAGE 10, SEND_REPLY_MESSAGE 324).
    public init(extFields fields: ExtFields) throws(HeaderError) {
        producerGroup = try fields.requiredString("producerGroup")
        topic = try fields.requiredString("topic")
        defaultTopic = try fields.requiredString("defaultTopic")
        defaultTopicQueueNums = try fields.requiredInt32("defaultTopicQueueNums")
        queueId = try fields.requiredInt32("queueId")
        sysFlag = try fields.requiredInt32("sysFlag")
        bornTimestamp = try fields.requiredInt64("bornTimestamp")
        flag = try fields.requiredInt32("flag")
        properties = fields.optionalString("properties")
        reconsumeTimes = fields.optionalInt32("reconsumeTimes")
        unitMode = fields.optionalBool("unitMode") ?? false
        batch = fields.optionalBool("batch") ?? false
        maxReconsumeTimes = fields.optionalInt32("maxReconsumeTimes")
        brokerName = fields.optionalString("bname")
    }

    /// The compact form (`a`…`n`); required keys are reported by their short names, as Java does.
    public init(v2ExtFields fields: ExtFields) throws(HeaderError) {
        // One pass over the fields, then Java's checks in field order.
        self = try fields.withCompactValues { (values) throws(HeaderError) in
            SendMessageRequestHeader(
                producerGroup: try ExtFields.string(values["a"], "a"),
                topic: try ExtFields.string(values["b"], "b"),
                defaultTopic: try ExtFields.string(values["c"], "c"),
                defaultTopicQueueNums: try ExtFields.int32(values["d"], "d"),
                queueId: try ExtFields.int32(values["e"], "e"),
                sysFlag: try ExtFields.int32(values["f"], "f"),
                bornTimestamp: try ExtFields.int64(values["g"], "g"),
                flag: try ExtFields.int32(values["h"], "h"),
                properties: values["i"].map(FieldText.string),
                reconsumeTimes: values["j"].flatMap(FieldText.int32),
                unitMode: values["k"].map(FieldText.bool) ?? false,
                batch: values["m"].map(FieldText.bool) ?? false,
                maxReconsumeTimes: values["l"].flatMap(FieldText.int32),
                brokerName: values["n"].map(FieldText.string))
        }
    }

    /// Decodes whichever form the request code uses.
    public init(command: RemotingCommand) throws(HeaderError) {
        let fields = command.extFields ?? ExtFields()
        switch command.requestCode {
        case .sendMessageV2, .sendBatchMessage, .sendReplyMessageV2:
            try self.init(v2ExtFields: fields)
        default:
            try self.init(extFields: fields)
        }
    }

    public func encode(into fields: inout ExtFields.Layout) {
        fields.append("producerGroup", producerGroup)
        fields.append("topic", topic)
        fields.append("defaultTopic", defaultTopic)
        fields.append("defaultTopicQueueNums", defaultTopicQueueNums)
        fields.append("queueId", queueId)
        fields.append("sysFlag", sysFlag)
        fields.append("bornTimestamp", bornTimestamp)
        fields.append("flag", flag)
        if let properties { fields.append("properties", properties) }
        if let reconsumeTimes { fields.append("reconsumeTimes", reconsumeTimes) }
        fields.append("unitMode", unitMode)
        fields.append("batch", batch)
        if let maxReconsumeTimes { fields.append("maxReconsumeTimes", maxReconsumeTimes) }
        if let brokerName { fields.append("bname", brokerName) }
    }

    /// The compact form in Java's FastCodes order, in one allocation: a producer builds it for every send.
    public var v2ExtFields: ExtFields {
        ExtFields(layout: { fields in
            fields.append("a", producerGroup)
            fields.append("b", topic)
            fields.append("c", defaultTopic)
            fields.append("d", defaultTopicQueueNums)
            fields.append("e", queueId)
            fields.append("f", sysFlag)
            fields.append("g", bornTimestamp)
            fields.append("h", flag)
            if let properties { fields.append("i", properties) }
            if let reconsumeTimes { fields.append("j", reconsumeTimes) }
            fields.append("k", unitMode)
            if let maxReconsumeTimes { fields.append("l", maxReconsumeTimes) }
            fields.append("m", batch)
            if let brokerName { fields.append("n", brokerName) }
        })
    }
}
