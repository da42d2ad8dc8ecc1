import FixtureSupport
import NIOCore
import NIOEmbedded
import NameServer
import RemotingCodec
import RemotingNIO
import Testing

/// Replays the name-server traffic of every capture, in capture order, against one name server (the
/// captures ran one after another against one Java name server) and compares each answer with
/// Java's, field by field.
@Suite struct NameServerReplayTests {
    struct Mismatch: CustomStringConvertible {
        var frame: String
        var what: String
        var description: String { "\(frame): \(what)" }
    }

    static let namesrvFrames = Fixtures.frames.filter { $0.meta["direction"]?.stringValue?.contains("namesrv") == true }
    static let scenarios = Array(Set(namesrvFrames.filter(\.isRequest).map(\.scenario))).sorted()

    /// Every master registration captured, latest data version last.
    static func masterRegistrations() throws -> [(header: RegisterBrokerRequestHeader, body: RegisterBrokerBody, frame: FixtureFrame)] {
        try namesrvFrames.filter { $0.codeName == "REGISTER_BROKER" }.compactMap { frame in
            let command = try frame.command()
            let header = try command.decodeHeader(RegisterBrokerRequestHeader.self)
            guard header.brokerId == 0 else { return nil }
            return (header, try RegisterBrokerBody(body: command.body, compressed: header.compressed), frame)
        }.sorted { $0.body.topicConfigSerializeWrapper.dataVersion.counter < $1.body.topicConfigSerializeWrapper.dataVersion.counter }
    }

    /// The name server's state when a scenario's capture began, rebuilt from registration data: the
    /// broker's topics (as its latest registration lists them) minus those the scenario shows Java did
    /// not know yet (answered TOPIC_NOT_EXIST).
    static func seedRegistration(for scenario: String) throws -> RemotingCommand {
        let registrations = try masterRegistrations()
        var topics: [String: TopicConfig] = [:]
        for registration in registrations {
            for config in registration.body.topicConfigSerializeWrapper.topicConfigTable { topics[config.topicName] = config }
        }
        for frame in namesrvFrames where frame.scenario == scenario && frame.isResponse && frame.codeName == "TOPIC_NOT_EXIST" {
            if let request = Fixtures.request(answeredBy: frame), let topic = try request.command().extFields?["topic"] {
                topics[topic] = nil
            }
        }
        let latest = try #require(registrations.last)
        let body = RegisterBrokerBody(topicConfigSerializeWrapper: TopicConfigSerializeWrapper(
            topicConfigTable: topics.values.sorted { $0.topicName < $1.topicName },
            dataVersion: DataVersion(timestamp: 1, counter: 0)))
        return .request(code: .registerBroker, extFields: RegisterBrokerRequestHeader(
            brokerName: latest.header.brokerName, brokerAddr: latest.header.brokerAddr, clusterName: latest.header.clusterName,
            haServerAddr: latest.header.haServerAddr, brokerId: 0).extFields, body: body.encoded())
    }

    /// Replays one scenario against a fresh name server; returns (answers compared, mismatches).
    static func replay(_ scenario: String) throws -> (compared: Int, mismatches: [Mismatch]) {
        let processor = NameServerProcessor(config: NamesrvConfig(), clock: { 1_800_000_000_000 })
        let seedConnection = RemotingConnection(channel: EmbeddedChannel())
        _ = try processor.process(try seedRegistration(for: scenario), context: RequestContext(connection: seedConnection))
        var connections: [Int: RemotingConnection] = [:]
        var compared = 0
        var mismatches: [Mismatch] = []
        for frame in namesrvFrames where frame.scenario == scenario && frame.isRequest {
            let stream = frame.meta["stream"]?.intValue ?? -1
            let connection = connections[stream] ?? RemotingConnection(channel: EmbeddedChannel())
            connections[stream] = connection
            let request = try frame.command()
            let result = try processor.process(request, context: RequestContext(connection: connection))
            guard let responseSeq = frame.meta["response_seq"]?.intValue else {
                // Oneway: Java answered nothing, and the connection handler drops our reply.
                #expect(request.isOneway, "\(frame) has no captured answer")
                continue
            }
            let expected = try #require(Fixtures.frames.first { $0.scenario == frame.scenario && $0.seq == responseSeq }).command()
            guard case .response(let actual) = result else {
                mismatches.append(Mismatch(frame: "\(frame)", what: "no response"))
                continue
            }
            compared += 1
            mismatches += compare(actual, expected, frame: "\(frame)")
        }
        return (compared, mismatches)
    }

    static func compare(_ actual: RemotingCommand, _ expected: RemotingCommand, frame: String) -> [Mismatch] {
        var found: [Mismatch] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) {
            if !ok { found.append(Mismatch(frame: frame, what: what())) }
        }
        check(actual.code == expected.code, "code \(actual.code) != \(expected.code)")
        check(actual.remark == expected.remark, "remark \(actual.remark ?? "nil") != \(expected.remark ?? "nil")")
        // A ROCKETMQ header cannot tell "no extFields" from an empty map.
        let sameFields = expected.serializeType == .rocketmq
            ? (actual.extFields ?? ExtFields()) == (expected.extFields ?? ExtFields())
            : actual.extFields == expected.extFields
        check(sameFields, "extFields \(String(describing: actual.extFields)) != \(String(describing: expected.extFields))")
        if let body = expected.body, String(buffer: body).hasPrefix("{\"topicList\":"), let javaList = try? TopicList(body: body) {
            // A topic list is a Java HashSet: order is arbitrary. The seed holds every topic any
            // capture registered, so Java's list must be contained in ours.
            let ours = Set((try? TopicList(body: actual.body))?.topicList ?? [])
            check(Set(javaList.topicList).isSubset(of: ours), "topic list misses \(Set(javaList.topicList).subtracting(ours))")
        } else {
            let actualBody = actual.body.map { String(buffer: $0) }
            let expectedBody = expected.body.map { String(buffer: $0) }
            check(actualBody == expectedBody, "body \(actualBody ?? "nil") != \(expectedBody ?? "nil")")
        }
        return found
    }

    @Test func everyScenarioHasNameServerTraffic() {
        #expect(Self.scenarios.count >= 15)
    }

    @Test(arguments: scenarios)
    func javaAnswersAreReproduced(_ scenario: String) throws {
        let (compared, mismatches) = try Self.replay(scenario)
        #expect(compared > 0)
        for mismatch in mismatches { Issue.record("\(mismatch)") }
    }
}
