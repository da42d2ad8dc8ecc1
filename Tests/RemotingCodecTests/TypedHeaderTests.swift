import FixtureSupport
import NIOCore
import RemotingCodec
import Testing

/// Every captured request's custom header decodes into its typed header, and required fields are
/// enforced with Java's remark.
@Suite struct TypedHeaderTests {
    /// The typed request header of each request code, as the server decodes it.
    static let requestDecoders: [String: @Sendable (RemotingCommand) throws -> any CommandCustomHeader] = [
        "SEND_MESSAGE": { try SendMessageRequestHeader(command: $0) },
        "SEND_MESSAGE_V2": { try SendMessageRequestHeader(command: $0) },
        "SEND_BATCH_MESSAGE": { try SendMessageRequestHeader(command: $0) },
        "PULL_MESSAGE": { try $0.decodeHeader(PullMessageRequestHeader.self) },
        "QUERY_MESSAGE": { try $0.decodeHeader(QueryMessageRequestHeader.self) },
        "VIEW_MESSAGE_BY_ID": { try $0.decodeHeader(ViewMessageRequestHeader.self) },
        "QUERY_CONSUMER_OFFSET": { try $0.decodeHeader(QueryConsumerOffsetRequestHeader.self) },
        "UPDATE_CONSUMER_OFFSET": { try $0.decodeHeader(UpdateConsumerOffsetRequestHeader.self) },
        "UNREGISTER_CLIENT": { try $0.decodeHeader(UnregisterClientRequestHeader.self) },
        "GET_CONSUMER_LIST_BY_GROUP": { try $0.decodeHeader(GetConsumerListByGroupRequestHeader.self) },
        "NOTIFY_CONSUMER_IDS_CHANGED": { try $0.decodeHeader(NotifyConsumerIdsChangedRequestHeader.self) },
        "CONSUMER_SEND_MSG_BACK": { try $0.decodeHeader(ConsumerSendMsgBackRequestHeader.self) },
        "END_TRANSACTION": { try $0.decodeHeader(EndTransactionRequestHeader.self) },
        "CHECK_TRANSACTION_STATE": { try $0.decodeHeader(CheckTransactionStateRequestHeader.self) },
        "GET_ROUTEINFO_BY_TOPIC": { try $0.decodeHeader(GetRouteInfoRequestHeader.self) },
        "REGISTER_BROKER": { try $0.decodeHeader(RegisterBrokerRequestHeader.self) },
        "UPDATE_AND_CREATE_TOPIC": { try $0.decodeHeader(CreateTopicRequestHeader.self) },
        "GET_TOPIC_STATS_INFO": { try $0.decodeHeader(GetTopicStatsInfoRequestHeader.self) },
        "GET_CONSUME_STATS": { try $0.decodeHeader(GetConsumeStatsRequestHeader.self) },
        "QUERY_TOPIC_CONSUME_BY_WHO": { try $0.decodeHeader(QueryTopicConsumeByWhoRequestHeader.self) },
        "GET_CONSUMER_CONNECTION_LIST": { try $0.decodeHeader(GetConsumerConnectionListRequestHeader.self) },
    ]

    /// Requests that carry no custom header at all.
    static let headerless: Set<String> = [
        "HEART_BEAT", "LOCK_BATCH_MQ", "UNLOCK_BATCH_MQ", "GET_BROKER_CLUSTER_INFO", "GET_BROKER_RUNTIME_INFO",
        "GET_BROKER_CONFIG", "GET_ALL_TOPIC_CONFIG", "GET_ALL_CONSUMER_OFFSET", "GET_ALL_DELAY_OFFSET",
        "GET_ALL_SUBSCRIPTIONGROUP_CONFIG", "GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
    ]

    static let requests = Fixtures.frames(where: \.isRequest)

    @Test(arguments: requests)
    func everyCapturedRequestHeaderDecodes(_ frame: FixtureFrame) throws {
        var buffer = ByteBuffer(bytes: frame.bytes)
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        if Self.headerless.contains(frame.codeName) { return }
        let decode = try #require(Self.requestDecoders[frame.codeName], "no typed header for \(frame.codeName)")
        let header = try decode(command)
        // Every field the header knows reads back to the captured text.
        for field in header.extFields {
            let sent = command.extFields?[field.name] ?? (field.name == "bname" ? command.extFields?["n"] : nil)
            if let sent, !["unitMode", "batch", "k", "m"].contains(field.name) {
                #expect(sent == field.value, "\(field.name)")
            }
        }
    }

    @Test func sendV2CompactAndLongFormsCarryTheSameValues() throws {
        let frame = try #require(Self.requests.first { $0.codeName == "SEND_MESSAGE_V2" })
        var buffer = ByteBuffer(bytes: frame.bytes)
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        let header = try SendMessageRequestHeader(command: command)
        #expect(header.producerGroup == command.extFields?["a"])
        #expect(header.topic == command.extFields?["b"])
        #expect(header.v2ExtFields == command.extFields)
        let long = try SendMessageRequestHeader(extFields: header.extFields)
        #expect(long == header)
    }

    /// The one-allocation compact form: the bytes of Java's field order appended one by one, for the
    /// widest numbers, multi-byte text and every optional present or absent (its room is never exceeded).
    @Test(arguments: [false, true])
    func sendV2LayoutEqualsFieldByFieldAppends(_ optionals: Bool) throws {
        let header = SendMessageRequestHeader(
            producerGroup: "PG_é😀", topic: "T", defaultTopic: "", defaultTopicQueueNums: .min, queueId: .max,
            sysFlag: .min, bornTimestamp: .min, flag: .min, properties: optionals ? String(repeating: "p\u{1}v\u{2}", count: 40) : nil,
            reconsumeTimes: optionals ? .min : nil, unitMode: optionals, batch: !optionals,
            maxReconsumeTimes: optionals ? .min : nil, brokerName: optionals ? "broker-ü" : nil)
        var expected = ExtFields()
        expected.append("a", header.producerGroup)
        expected.append("b", header.topic)
        expected.append("c", header.defaultTopic)
        expected.append("d", header.defaultTopicQueueNums)
        expected.append("e", header.queueId)
        expected.append("f", header.sysFlag)
        expected.append("g", header.bornTimestamp)
        expected.append("h", header.flag)
        if let properties = header.properties { expected.append("i", properties) }
        if let reconsumeTimes = header.reconsumeTimes { expected.append("j", reconsumeTimes) }
        expected.append("k", header.unitMode)
        if let maxReconsumeTimes = header.maxReconsumeTimes { expected.append("l", maxReconsumeTimes) }
        expected.append("m", header.batch)
        if let brokerName = header.brokerName { expected.append("n", brokerName) }
        #expect(Array(header.v2ExtFields) == Array(expected))
        #expect(try SendMessageRequestHeader(v2ExtFields: header.v2ExtFields) == header)
    }

    /// A generated header's one-allocation `extFields` (the broker's answer to every send): the bytes of its
    /// fields appended one by one, with the widest numbers, multi-byte text and every optional present or absent.
    @Test(arguments: [false, true])
    func generatedLayoutEqualsFieldByFieldAppends(_ optionals: Bool) {
        let header = SendMessageResponseHeader(
            msgId: "7F00000100002A9F00000000000BC614", queueId: .min, queueOffset: .min,
            transactionId: optionals ? "tx-é😀" : nil, msgRegion: optionals ? "DefaultRegion" : nil, traceOn: optionals ? "true" : nil)
        var expected = ExtFields()
        expected.append("msgId", header.msgId)
        expected.append("queueId", header.queueId)
        expected.append("queueOffset", header.queueOffset)
        if let transactionId = header.transactionId { expected.append("transactionId", transactionId) }
        if let msgRegion = header.msgRegion { expected.append("MSG_REGION", msgRegion) }
        if let traceOn = header.traceOn { expected.append("TRACE_ON", traceOn) }
        #expect(Array(header.extFields) == Array(expected))
    }

    @Test func cppBooleansAreJavaParseBoolean() throws {
        let frame = try #require(Self.requests.first { $0.language == "CPP" && $0.codeName == "SEND_MESSAGE" })
        var buffer = ByteBuffer(bytes: frame.bytes)
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        #expect(command.extFields?["batch"] == "0")
        let header = try SendMessageRequestHeader(command: command)
        #expect(header.batch == false)
        #expect(header.unitMode == false)
        #expect(header.queueId == 0)
        #expect(header.defaultTopicQueueNums == 4)
    }

    @Test(arguments: ["a", "b", "c", "d", "e", "f", "g", "h"])
    func missingRequiredV2FieldIsJavasRemark(_ name: String) throws {
        var fields = SendMessageRequestHeader(producerGroup: "G", topic: "T", queueId: 0, bornTimestamp: 1).v2ExtFields
        fields[name] = nil
        #expect(throws: HeaderError.missingField(name)) { try SendMessageRequestHeader(v2ExtFields: fields) }
        #expect(HeaderError.missingField(name).remark == "the custom field <\(name)> is null")
        #expect(HeaderError.missingField(name).responseCode == .systemError)
    }

    @Test func missingRequiredFieldBecomesASystemErrorResponse() throws {
        let request = RemotingCommand.request(code: .pullMessage, opaque: 42, extFields: ["consumerGroup": "G"])
        let error = try #require(throws: HeaderError.self) { try request.decodeHeader(PullMessageRequestHeader.self) }
        #expect(error == .missingField("topic"))
        let response = request.makeErrorResponse(error)
        #expect(response.responseCode == .systemError)
        #expect(response.remark == "the custom field <topic> is null")
        #expect(response.opaque == 42)
        #expect(response.isResponse)
    }

    @Test func absentExtFieldsReportTheFirstRequiredField() {
        let request = RemotingCommand.request(code: .getRouteInfoByTopic)
        #expect(throws: HeaderError.missingField("topic")) { try request.decodeHeader(GetRouteInfoRequestHeader.self) }
    }

    /// The one pass of a generated header reads what looking each field up does: the last of a repeated
    /// name wins, for required and optional numbers, strings and booleans with a default.
    @Test(arguments: [
        [("offset", "1"), ("group", "G"), ("delayLevel", "3"), ("unitMode", "true")],
        [("offset", "x"), ("group", "G"), ("delayLevel", "3"), ("offset", "7"), ("unitMode", "TRUE"), ("unitMode", "0")],
        [("offset", "7"), ("group", "G"), ("delayLevel", "3"), ("offset", "x")],
        [("group", "G"), ("delayLevel", "3")],
        [("offset", "1"), ("group", "G1"), ("group", "G2"), ("delayLevel", "2"), ("maxReconsumeTimes", "5"),
         ("maxReconsumeTimes", "many"), ("originTopic", "T"), ("bname", "b"), ("unknown", "u")],
        [("offset", "1"), ("group", "G"), ("delayLevel", "2"), ("maxReconsumeTimes", "many"), ("maxReconsumeTimes", "16")],
        [("offset", "1"), ("delayLevel", "2")],
    ])
    func onePassDecodeMatchesLookups(_ pairs: [(String, String)]) throws {
        var fields = ExtFields()
        for (name, value) in pairs { fields.append(name, value) }
        func lookedUp() throws(HeaderError) -> ConsumerSendMsgBackRequestHeader {
            let offset = try fields.requiredInt64("offset")
            let group = try fields.requiredString("group")
            let delayLevel = try fields.requiredInt32("delayLevel")
            return ConsumerSendMsgBackRequestHeader(
                offset: offset, group: group, delayLevel: delayLevel, originMsgId: fields.optionalString("originMsgId"),
                originTopic: fields.optionalString("originTopic"), unitMode: fields.optionalBool("unitMode") ?? false,
                maxReconsumeTimes: fields.optionalInt32("maxReconsumeTimes"), bname: fields.optionalString("bname"))
        }
        let expected = Result { () throws(HeaderError) in try lookedUp() }
        let decoded = Result { () throws(HeaderError) in try ConsumerSendMsgBackRequestHeader(extFields: fields) }
        #expect(decoded == expected)
    }

    @Test func unparsableNumbersAreRejectedWhenRequiredAndIgnoredWhenOptional() throws {
        let fields: ExtFields = ["topic": "T", "queueId": "x1", "bname": "b"]
        #expect(throws: HeaderError.invalidField("queueId", value: "x1")) {
            try GetMaxOffsetRequestHeader(extFields: fields)
        }
        let send: ExtFields = ["consumerGroup": "G", "topic": "T", "queueId": "0", "commitOffset": "5", "bname": "b"]
        let header = try UpdateConsumerOffsetRequestHeader(extFields: send)
        #expect(header.commitOffset == 5)
        var optional = ConsumerSendMsgBackRequestHeader(offset: 1, group: "G", delayLevel: 0).extFields
        optional["maxReconsumeTimes"] = "many"
        #expect(try ConsumerSendMsgBackRequestHeader(extFields: optional).maxReconsumeTimes == nil)
    }

    @Test func javaBooleanParsing() throws {
        for (text, expected) in [("true", true), ("TRUE", true), ("True", true), ("1", false), ("0", false), ("yes", false), ("", false)] {
            let fields: ExtFields = ["groupName": "G", "removeOffset": text]
            #expect(try DeleteSubscriptionGroupRequestHeader(extFields: fields).removeOffset == expected, "\(text)")
        }
    }

    @Test func primitiveFieldsAreAlwaysWritten() {
        let header = RegisterBrokerRequestHeader(
            brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster",
            haServerAddr: "127.0.0.1:10912", brokerId: 0)
        #expect(header.extFields == [
            "brokerName": "broker-a", "brokerAddr": "127.0.0.1:10911", "clusterName": "DefaultCluster",
            "haServerAddr": "127.0.0.1:10912", "brokerId": "0", "compressed": "false", "bodyCrc32": "0",
        ])
    }

    /// Numbers and booleans appended without a `String` read back as Java's `String.valueOf` text.
    @Test func numericAppendsWriteJavaText() {
        let numbers: [Int64] = [0, 7, -1, 10, 1_795_646_771_973, Int64.max, Int64.min, Int64(Int32.min)]
        var fields = ExtFields()
        for (index, number) in numbers.enumerated() { fields.append("n\(index)", number) }
        fields.append("i", Int32.min)
        fields.append("t", true)
        fields.append("f", false)
        for (index, number) in numbers.enumerated() { #expect(fields["n\(index)"] == String(number)) }
        #expect(fields["i"] == "-2147483648" && fields["t"] == "true" && fields["f"] == "false")
    }
}
