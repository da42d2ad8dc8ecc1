import FixtureSupport
import NIOCore
import RemotingCodec
import Testing

/// The fastjson-dialect bodies of the captures: parsed, bound to typed bodies, and written back.
@Suite struct BodyTests {
    static func command(_ frame: FixtureFrame) throws -> RemotingCommand {
        var buffer = ByteBuffer(bytes: frame.bytes)
        return try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
    }

    static func bodyText(_ command: RemotingCommand) -> String {
        command.body.map { String(buffer: $0) } ?? ""
    }

    static let jsonBodies = Fixtures.frames(where: {
        ["json", "json-like"].contains($0.meta["body_format"]?.stringValue ?? "")
    })

    @Test(arguments: jsonBodies)
    func everyJSONBodyParses(_ frame: FixtureFrame) throws {
        let command = try Self.command(frame)
        let body = try #require(command.body)
        let value = try body.withUnsafeReadableBytes { try JSONValue.parse($0) }
        #expect(value != .null)
    }

    /// Bodies Java wrote, bound to our types and written back: byte-for-byte the same.
    static let javaBodies: [(name: String, frames: [FixtureFrame])] = [
        ("route", Fixtures.frames(where: { $0.requestCodeName == "GET_ROUTEINFO_BY_TOPIC" && $0.codeName == "SUCCESS" })),
        ("cluster", Fixtures.frames(where: { $0.requestCodeName == "GET_BROKER_CLUSTER_INFO" && $0.codeName == "SUCCESS" })),
        ("heartbeat", Fixtures.frames(where: { $0.codeName == "HEART_BEAT" && $0.language == "JAVA" })),
        ("register", Fixtures.frames(where: { $0.codeName == "REGISTER_BROKER" })),
        ("lock", Fixtures.frames(where: { ["LOCK_BATCH_MQ", "UNLOCK_BATCH_MQ"].contains($0.codeName) })),
        ("lockResponse", Fixtures.frames(where: { $0.requestCodeName == "LOCK_BATCH_MQ" && $0.codeName == "SUCCESS" })),
        ("consumeStats", Fixtures.frames(where: { $0.requestCodeName == "GET_CONSUME_STATS" && $0.codeName == "SUCCESS" })),
        ("topicStats", Fixtures.frames(where: { $0.requestCodeName == "GET_TOPIC_STATS_INFO" && $0.codeName == "SUCCESS" })),
        ("consumerList", Fixtures.frames(where: { $0.requestCodeName == "GET_CONSUMER_LIST_BY_GROUP" && $0.codeName == "SUCCESS" })),
        ("topicList", Fixtures.frames(where: { $0.requestCodeName == "GET_ALL_TOPIC_LIST_FROM_NAMESERVER" })),
        ("groupList", Fixtures.frames(where: { $0.requestCodeName == "QUERY_TOPIC_CONSUME_BY_WHO" })),
        ("topicConfig", Fixtures.frames(where: { $0.requestCodeName == "GET_ALL_TOPIC_CONFIG" && $0.codeName == "SUCCESS" })),
        ("subscriptionGroups", Fixtures.frames(where: { $0.requestCodeName == "GET_ALL_SUBSCRIPTIONGROUP_CONFIG" && $0.codeName == "SUCCESS" })),
        ("consumerOffsets", Fixtures.frames(where: { $0.requestCodeName == "GET_ALL_CONSUMER_OFFSET" && $0.codeName == "SUCCESS" })),
        ("delayOffsets", Fixtures.frames(where: { $0.requestCodeName == "GET_ALL_DELAY_OFFSET" && $0.codeName == "SUCCESS" })),
    ]

    static func typedRoundTrip(_ name: String, _ command: RemotingCommand, request: RemotingCommand?) throws -> ByteBuffer {
        let body = command.body
        switch name {
        case "route":
            let quoted = (request?.version ?? 0) >= MQVersion.v4_9_4
            return try TopicRouteData(body: body).encoded(browserCompatible: quoted)
        case "cluster": return try ClusterInfo(body: body).encoded()
        case "heartbeat": return try HeartbeatData(body: body).encoded()
        case "register": return try RegisterBrokerBody(body: body).encoded()
        case "lock": return try LockBatchRequestBody(body: body).encoded()
        case "lockResponse": return try LockBatchResponseBody(body: body).encoded()
        case "consumeStats": return try ConsumeStats(body: body).encoded()
        case "topicStats": return try TopicStatsTable(body: body).encoded()
        case "consumerList": return try ConsumerIdList(body: body).encoded()
        case "topicList": return try TopicList(body: body).encoded()
        case "groupList": return try GroupList(body: body).encoded()
        case "topicConfig": return try TopicConfigSerializeWrapper(body: body).encoded()
        case "subscriptionGroups": return try SubscriptionGroupWrapper(body: body).encoded()
        case "consumerOffsets": return try ConsumerOffsetSerializeWrapper(body: body).encoded()
        case "delayOffsets": return try DelayOffsetSerializeWrapper(body: body).encoded()
        default: throw BodyError("unknown body \(name)")
        }
    }

    @Test(arguments: javaBodies.map(\.name))
    func javaBodiesBindAndWriteBackIdentically(_ name: String) throws {
        let frames = try #require(Self.javaBodies.first { $0.name == name }?.frames)
        #expect(!frames.isEmpty, "no capture holds a \(name) body")
        for frame in frames {
            let command = try Self.command(frame)
            let request = try Fixtures.request(answeredBy: frame).map(Self.command)
            let written = try Self.typedRoundTrip(name, command, request: request)
            #expect(String(buffer: written) == Self.bodyText(command), "\(frame)")
        }
    }

    @Test func routeKeysAreQuotedOnlyForNewClients() throws {
        let route = TopicRouteData(
            queueDatas: [QueueData(brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: 6)],
            brokerDatas: [BrokerData(cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: [0: "127.0.0.1:10911", 1: "127.0.0.1:11911"])])
        #expect(String(buffer: route.encoded(browserCompatible: true)).contains(#"{"0":"127.0.0.1:10911","1":"127.0.0.1:11911"}"#))
        #expect(String(buffer: route.encoded()).contains(#"{0:"127.0.0.1:10911",1:"127.0.0.1:11911"}"#))
        #expect(try TopicRouteData(body: route.encoded()) == route)
        #expect(try TopicRouteData(body: route.encoded(browserCompatible: true)) == route)
    }

    @Test func stringEscapesAsFastjsonWritesThem() {
        let text = "a\"b\\c\u{1}\n\t\u{7F}é€😀"
        #expect(JSONWriter().string(.string(text)) == "\"a\\\"b\\\\c\\u0001\\n\\t\\u007Fé€😀\"")
        #expect(JSONWriter(browserCompatible: true).string(.string(text))
            == "\"a\\\"b\\\\c\\u0001\\n\\t\\u007F\\u00E9\\u20AC\\uD83D\\uDE00\"")
    }

    @Test func cppHeartbeatWithOrdinalsAndStringNumbers() throws {
        let frame = try #require(Fixtures.frames.first {
            $0.codeName == "HEART_BEAT" && $0.language == "CPP" && String(decoding: $0.bytes, as: UTF8.self).contains("consumerDataSet")
        })
        let heartbeat = try HeartbeatData(body: try Self.command(frame).body)
        let consumer = try #require(heartbeat.consumerDataSet.first)
        #expect(consumer.consumeType == .consumePassively)
        #expect(consumer.messageModel == .clustering)
        #expect(consumer.consumeFromWhere == .consumeFromLastOffset)
        #expect(consumer.subscriptionDataSet.contains { $0.topic == "%RETRY%\(consumer.groupName)" })
        #expect(consumer.subscriptionDataSet.allSatisfy { $0.subVersion > 1_700_000_000_000 && $0.expressionType == "TAG" })
        #expect(heartbeat.producerDataSet.isEmpty)
    }

    @Test func runtimeInfoIsAKVTable() throws {
        let frame = try #require(Fixtures.frames.first { $0.requestCodeName == "GET_BROKER_RUNTIME_INFO" && $0.isResponse })
        let table = try KVTable(body: try Self.command(frame).body).table
        #expect(table["brokerVersionDesc"] == "V4_9_8")
        #expect(table["brokerVersion"] == "409")
        #expect(MQVersion.description(of: 409) == "V4_9_8")
        #expect(MQVersion.description(of: 63) == "V3_1_8")
        #expect(MQVersion.description(of: 0) == "V3_0_0_SNAPSHOT")
        #expect(MQVersion.description(of: 401) == "V4_9_4")
        #expect(MQVersion.description(of: 612) == "HIGHER_VERSION")
        #expect(MQVersion.description(of: 611) == "V5_9_9")
        #expect(MQVersion.description(of: 9999) == "HIGHER_VERSION")
    }

    @Test func compressedRegisterBodyRoundTrips() throws {
        let frame = try #require(Fixtures.frames.first { $0.codeName == "REGISTER_BROKER" })
        let command = try frame.command()
        let header = try command.decodeHeader(RegisterBrokerRequestHeader.self)
        #expect(header.compressed == false)
        let body = try RegisterBrokerBody(body: command.body, compressed: false)
        #expect(body.topicConfigSerializeWrapper.topicConfigTable.contains { $0.topicName == "TBW102" && $0.perm == 7 })
        let compressed = try body.compressed()
        #expect(compressed.readableBytes < command.body!.readableBytes)
        #expect(try RegisterBrokerBody(body: compressed, compressed: true) == body)
        let empty = try RegisterBrokerBody(body: nil, compressed: false)
        #expect(empty.topicConfigSerializeWrapper.topicConfigTable.isEmpty)
        #expect(throws: BodyError.self) { try RegisterBrokerBody(body: ByteBuffer(string: "not zlib"), compressed: true) }
        var truncated = compressed
        truncated.moveWriterIndex(to: compressed.writerIndex - 8)
        #expect(throws: BodyError.self) { try RegisterBrokerBody(body: truncated, compressed: true) }
    }

    @Test func resetOffsetBodyBothForms() throws {
        let body = ResetOffsetBody(offsetTable: [(MessageQueue(topic: "T", brokerName: "broker-a", queueId: 1), 123)])
        #expect(String(buffer: body.encoded()) == #"{"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:123}}"#)
        #expect(JSONWriter().string(body.jsonForC) == #"{"offsetTable":[{"brokerName":"broker-a","offset":123,"queueId":1,"topic":"T"}]}"#)
        #expect(try ResetOffsetBody(body: body.encoded()) == body)
        #expect(try ResetOffsetBody(json: body.jsonForC) == body)
    }

    @Test func consumerConnectionShape() throws {
        let connection = ConsumerConnection(
            connectionSet: [Connection(clientId: "10.0.0.5@123#456", clientAddr: "10.0.0.5:53211", language: .java, version: 409)],
            subscriptionTable: [SubscriptionData(topic: "T", subString: "*", subVersion: 1, tagsSet: [], codeSet: [])],
            consumeType: .consumePassively, messageModel: .clustering, consumeFromWhere: .consumeFromLastOffset)
        let text = String(buffer: connection.encoded())
        #expect(text.hasPrefix(#"{"connectionSet":[{"clientAddr":"10.0.0.5:53211","clientId":"10.0.0.5@123#456","language":"JAVA","version":409}],"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","subscriptionTable":{"T":"#))
        #expect(try ConsumerConnection(body: connection.encoded()) == connection)
    }

    @Test func missingOrGarbageBodiesAreBodyErrors() {
        #expect(throws: BodyError.self) { try HeartbeatData(body: nil) }
        #expect(throws: BodyError.self) { try HeartbeatData(body: ByteBuffer(string: "{\"clientID\":")) }
        #expect(throws: BodyError.self) { try HeartbeatData(body: ByteBuffer(string: "{}")) }
        #expect(throws: BodyError.self) { try LockBatchRequestBody(body: ByteBuffer(string: #"{"clientId":"c","consumerGroup":"g","mqSet":[{"topic":1}]}"#)) }
    }
}

/// The broker's persisted `config/*.json` files, as the Java 4.9.8 broker wrote them in the store
/// fixture: bound to our types and written back in fastjson's pretty form, byte for byte.
@Suite struct BrokerConfigFileTests {
    static let files = ["topics.json", "topics.json.bak", "subscriptionGroup.json", "subscriptionGroup.json.bak",
                        "consumerOffset.json", "delayOffset.json"]

    static func rewrite(_ name: String, _ body: ByteBuffer) throws -> String {
        let writer = JSONWriter()
        switch name {
        case "topics.json", "topics.json.bak": return writer.prettyString(try TopicConfigSerializeWrapper(body: body).json)
        case "subscriptionGroup.json", "subscriptionGroup.json.bak": return writer.prettyString(try SubscriptionGroupWrapper(body: body).json)
        case "consumerOffset.json": return writer.prettyString(try ConsumerOffsetSerializeWrapper(body: body).json)
        case "delayOffset.json": return writer.prettyString(try DelayOffsetSerializeWrapper(body: body).json)
        default: throw BodyError("unknown file \(name)")
        }
    }

    @Test(arguments: ["clean-shutdown", "after-sigkill"], files)
    func javaWrittenConfigFilesRoundTrip(_ store: String, _ name: String) throws {
        let bytes = try Fixtures.buffer("store-4.9.8", store, "config", name)
        #expect(try Self.rewrite(name, bytes) == String(buffer: bytes))
    }

    @Test func emptyMapsAndNumericKeys() {
        let writer = JSONWriter()
        #expect(writer.prettyString(.object(["filterDataByTopic": .object(JSONObject())])) == "{\n\t\"filterDataByTopic\":{}\n}")
        var offsets = JSONObject()
        offsets.append(key: .number(3), .number(2))
        #expect(writer.prettyString(.object(["offsetTable": .object(offsets)])) == "{\n\t\"offsetTable\":{3:2\n\t}\n}")
    }
}
