import ClusterSupport
import Broker
import FixtureSupport
import Foundation
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// The captured `mqadmin` sessions (09-mqadmin-*) replayed against a broker on loopback. The captures ran on a
/// broker where an earlier run of the 02/03 programs had made FixtureTopicJson and CG_FIXTURE_JSON; here the
/// 02/03 captures are replayed first under those names. Answers are compared with Java's: code, remark, serialize
/// type, header fields (values too, except those naming times and offsets) and the body's structure (its keys,
/// queues, groups and messages; the figures differ).
@Suite(.serialized) struct MqadminReplayTests {
    static let seeds = ["02-sync-producer-json", "03-push-consumer-json"]
    static let sessions = [
        "09-mqadmin-updateTopic", "09-mqadmin-topicStatus", "09-mqadmin-consumerProgress", "09-mqadmin-queryMsgByKey",
        "09-mqadmin-queryMsgById", "09-mqadmin-brokerStatus", "09-mqadmin-getBrokerConfig",
    ]
    /// Header fields whose values name this run's times, offsets or versions.
    static let variableFields: Set<String> = ["indexLastUpdatePhyoffset", "indexLastUpdateTimestamp", "version"]

    /// The 02/03 request under the names the 09 captures use.
    static func renamed(_ frame: FixtureFrame, _ command: RemotingCommand) -> RemotingCommand {
        func rename(_ text: String) -> String {
            text.replacingOccurrences(of: "FixtureTopicJson2", with: "FixtureTopicJson")
                .replacingOccurrences(of: "CG_FIXTURE_JSON2", with: "CG_FIXTURE_JSON")
        }
        guard seeds.contains(frame.scenario) else { return command }
        var command = command
        if let fields = command.extFields {
            var renamed = ExtFields()
            for field in fields { renamed.append(field.name, rename(field.value)) }
            command.extFields = renamed
        }
        // Message bodies are payloads; only the JSON bodies (heartbeats) name the topic and group.
        if let body = command.body, frame.codeName == "HEART_BEAT" {
            command.body = ByteBuffer(string: rename(String(buffer: body)))
        }
        return command
    }

    @Test func mqadminSessionsGetJavasAnswers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mqadmin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePort.broker()
        let booted = ContinuousClock.now
        let broker = try BrokerController(startup: try BrokerStartup(properties: JavaProperties([
            ("listenPort", String(port)), ("storePathRootDir", directory), ("mappedFileSizeCommitLog", "1048576"),
            ("mappedFileSizeConsumeQueue", "6000"), ("brokerIP1", "127.0.0.1"),
        ])), logger: BrokerControllerTests.logger)
        let (exchanges, slaveSync) = try await BrokerControllerTests.running(broker) {
            _ = try await broker.ready()
            let exchanges = try await BrokerSessionReplayTests.replay(Self.seeds + Self.sessions, broker: port, transform: { frame, command in
                var command = Self.renamed(frame, command)
                // queryMsgById names "key-3 k3" by its offset in Java's commit log: ours differs.
                if frame.codeName == "VIEW_MESSAGE_BY_ID" {
                    let found = broker.store.queryMessage(topic: "FixtureTopicJson", key: "k3", maxNum: 1, begin: 0, end: .max)
                    command.extFields?["offset"] = String(try #require(found.messagePhysicalOffsets.first))
                }
                return command
            }) {
                await broker.store.waitForDispatch(upTo: broker.store.maxPhysicalOffset)
            }
            return (exchanges, try await Self.slaveSync(port: port))
        }
        for (request, ours) in slaveSync { try Self.compareSlaveSync(request, ours) }
        let admin = exchanges.filter { Self.sessions.contains($0.request.scenario) }
        let expected = Fixtures.frames.filter {
            Self.sessions.contains($0.scenario) && $0.isRequest && $0.meta["direction"]?.stringValue == "client->broker"
        }
        #expect(admin.count == expected.count)
        #expect(Set(admin.map(\.request.codeName)).isSuperset(of: [
            "UPDATE_AND_CREATE_TOPIC", "GET_TOPIC_STATS_INFO", "GET_CONSUME_STATS", "QUERY_MESSAGE", "VIEW_MESSAGE_BY_ID",
            "QUERY_TOPIC_CONSUME_BY_WHO", "GET_CONSUMER_CONNECTION_LIST", "GET_BROKER_RUNTIME_INFO", "GET_BROKER_CONFIG",
            "UNREGISTER_CLIENT",
        ]))
        // consumeTps is the rate over the minute's samples, taken every 10 s from the broker's boot (Java's
        // samplingInSeconds): Java's capture ran before the first, so it is 0. On a busy machine this test can
        // outlast it, and then ours is a real rate, as Java's is.
        let beforeFirstSample = ContinuousClock.now - booted < .seconds(10)
        for exchange in admin { try Self.compare(exchange, beforeFirstSample: beforeFirstSample) }
    }

    static func compare(_ exchange: BrokerSessionReplayTests.Exchange, beforeFirstSample: Bool) throws {
        let (java, ours) = (exchange.captured, exchange.ours)
        let context = "\(exchange.request)"
        #expect(ours.code == java.code, "\(context)")
        #expect(ours.remark == java.remark, "\(context)")
        #expect(ours.serializeType == java.serializeType, "\(context)")
        #expect((ours.extFields == nil) == (java.extFields == nil), "\(context)")
        let ourFields = ours.extFields ?? ExtFields()
        #expect(Set(ourFields.map(\.name)) == Set((java.extFields ?? ExtFields()).map(\.name)), "\(context)")
        for field in java.extFields ?? ExtFields() where !variableFields.contains(field.name) {
            #expect(ourFields[field.name] == field.value, "\(context): \(field.name)")
        }
        #expect((ours.body == nil) == (java.body == nil), "\(context)")
        switch exchange.request.codeName {
        case "GET_TOPIC_STATS_INFO":
            let (mine, theirs) = (try TopicStatsTable(body: ours.body), try TopicStatsTable(body: java.body))
            #expect(Set(mine.offsetTable.map(\.queue)) == Set(theirs.offsetTable.map(\.queue)), "\(context)")
            #expect(try keysOfValues(ours.body, "offsetTable") == keysOfValues(java.body, "offsetTable"), "\(context)")
        case "GET_CONSUME_STATS":
            let (mine, theirs) = (try ConsumeStats(body: ours.body), try ConsumeStats(body: java.body))
            #expect(Set(mine.offsetTable.map(\.queue)) == Set(theirs.offsetTable.map(\.queue)), "\(context)")
            #expect(beforeFirstSample ? mine.consumeTps == theirs.consumeTps : mine.consumeTps >= 0, "\(context)")
            #expect(try keysOfValues(ours.body, "offsetTable") == keysOfValues(java.body, "offsetTable"), "\(context)")
        case "QUERY_MESSAGE", "VIEW_MESSAGE_BY_ID":
            let mine = try StoredMessage.decodeAll(ours.body ?? ByteBuffer())
            let theirs = try StoredMessage.decodeAll(java.body ?? ByteBuffer())
            #expect(mine.count == theirs.count, "\(context)")
            #expect(mine.map(\.topic) == theirs.map(\.topic), "\(context)")
            #expect(mine.map { $0.properties[MessageConst.keys] } == theirs.map { $0.properties[MessageConst.keys] }, "\(context)")
            #expect(mine.map { $0.properties.tags } == theirs.map { $0.properties.tags }, "\(context)")
        case "QUERY_TOPIC_CONSUME_BY_WHO":
            #expect(ours.body == java.body, "\(context)")
        case "GET_BROKER_RUNTIME_INFO":
            func keys(_ body: ByteBuffer?) throws -> Set<String> {
                Set(try KVTable(body: body).table.keys.filter { !$0.hasPrefix("scheduleMessageOffset_") }.map {
                    $0.hasPrefix("commitLogDiskRatio_") ? "commitLogDiskRatio_<path>" : $0
                })
            }
            #expect(try keys(ours.body) == keys(java.body), "\(context)")
        case "GET_BROKER_CONFIG":
            let version = { (command: RemotingCommand) throws -> DataVersion in
                try DataVersion(body: ByteBuffer(string: try #require(command.extFields?["version"])))
            }
            #expect(try version(ours).counter == version(java).counter, "\(context)")
            func keys(_ body: ByteBuffer?) throws -> Set<String> {
                Set(String(buffer: try #require(body)).split(separator: "\n").map { String($0.split(separator: "=")[0]) })
            }
            #expect(try keys(ours.body).subtracting(keys(java.body)) == BrokerKeys.beyondJava, "\(context)")
        default:
            #expect(ours.body == java.body, "\(context)")
        }
    }

    /// A slave's periodic sync requests (capture 11's first round), on the ports it used: GET_ALL_TOPIC_CONFIG
    /// on the VIP port, the rest on the client port.
    static func slaveSync(port: Int) async throws -> [(FixtureFrame, RemotingCommand)] {
        let requests = Fixtures.frames.filter { $0.scenario == "11-master-slave" && $0.isRequest && (3...9).contains($0.seq) }
        #expect(requests.map(\.codeName) == [
            "GET_ALL_TOPIC_CONFIG", "GET_ALL_CONSUMER_OFFSET", "GET_ALL_DELAY_OFFSET", "GET_ALL_SUBSCRIPTIONGROUP_CONFIG",
        ])
        var answers: [(FixtureFrame, RemotingCommand)] = []
        for frame in requests {
            let vip = frame.meta["direction"]?.stringValue == "slave->broker-vip"
            let connection = try await RemotingClient.connect(host: "127.0.0.1", port: vip ? port - 2 : port, logger: BrokerControllerTests.logger)
            defer { connection.close() }
            answers.append((frame, try await connection.send(try frame.command())))
        }
        return answers
    }

    /// Java's answer has the same code, header and top-level body keys; offsets are keyed `topic@group`.
    static func compareSlaveSync(_ request: FixtureFrame, _ ours: RemotingCommand) throws {
        let java = try #require(Fixtures.frames.first { $0.scenario == request.scenario && $0.seq == request.meta["response_seq"]?.intValue }).command()
        let context = "\(request)"
        #expect(ours.code == java.code, "\(context)")
        #expect(ours.remark == java.remark, "\(context)")
        #expect(ours.extFields == java.extFields, "\(context)")
        let (mine, theirs) = (try JSONValue.parse(Array(try #require(ours.body).readableBytesView)),
                              try JSONValue.parse(Array(try #require(java.body).readableBytesView)))
        #expect(Set((mine.objectValue?.members ?? []).compactMap(\.key.stringValue)) ==
                Set((theirs.objectValue?.members ?? []).compactMap(\.key.stringValue)), "\(context)")
        if request.codeName == "GET_ALL_CONSUMER_OFFSET" {
            let offsets = try ConsumerOffsetSerializeWrapper(body: ours.body)
            #expect(offsets.offsetTable.contains { $0.key == "FixtureTopicJson@CG_FIXTURE_JSON" }, "\(context)")
            #expect(try ConsumerOffsetSerializeWrapper(body: java.body).offsetTable.contains { $0.key == "FixtureTopicJson@CG_FIXTURE_JSON" })
        }
    }

    /// The keys of the objects an object-valued field maps to (the fields of TopicOffset, OffsetWrapper).
    static func keysOfValues(_ body: ByteBuffer?, _ field: String) throws -> Set<String> {
        let json = try JSONValue.parse(Array(try #require(body).readableBytesView))
        return Set(json.members(field).flatMap { ($0.value.objectValue?.members ?? []).compactMap(\.key.stringValue) })
    }
}
