import ClusterSupport
import Foundation
import NIOCore
@testable import RemotingCodec
import RemotingNIO
import Testing

/// Bad input for every request code 4.9.8 defines, sent to a running broker and name server over their
/// sockets: no header, every header field a processor reads set to an edge or garbage value (with the
/// names of a real topic and group, so that checks past the look-ups run), bodies that are not what the
/// code expects; in JSON and ROCKETMQ headers. Each request gets an answer (a SYSTEM_ERROR carries a
/// remark) unless Java leaves it unanswered too, the connection stays open, and afterwards the broker still
/// stores and serves messages and the name server still routes: nothing crashed, hung or broke a table.
@Suite struct EveryRequestCodeTests {
    static let topic = "EveryCodeTopic"
    static let group = "EveryCodeGroup"

    /// Every name a typed header reads, from the headers' sources: a field added later is covered too.
    static func headerFieldNames() throws -> [String] {
        let headers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/RemotingCodec/Headers").standardized
        let generated = headers.appendingPathComponent("Generated")
        let files = try FileManager.default.contentsOfDirectory(atPath: generated.path).map { generated.appendingPathComponent($0) }
            + [headers.appendingPathComponent("SendMessageRequestHeader.swift")]
        let field = try Regex(#"fields\.[A-Za-z0-9]+\("([A-Za-z_]+)""#)
        var names = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: field) {
                if let name = match.output[1].substring { names.insert(String(name)) }
            }
        }
        return names.sorted()
    }

    /// Every field set to `value`, except the names that select a topic or group, which name real ones.
    static func fields(_ names: [String], value: String) -> ExtFields {
        var fields = ExtFields(minimumCapacity: names.count)
        for name in names {
            switch name {
            case "topic", "b": fields.append(name, topic)
            case "consumerGroup", "group", "producerGroup", "a": fields.append(name, group)
            case "defaultTopic", "c": fields.append(name, "TBW102")
            default: fields.append(name, value)
            }
        }
        return fields
    }

    /// "8" and "12" are END_TRANSACTION's commit and rollback, so that it looks up the (absent) half message.
    static let values = ["-1", "0", "8", "12", "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
                         "x\u{1}\u{2}!", "", "1e400", "true"]

    /// Whether Java 4.9.8 answers nothing, so a request that times out is right: GET_BROKER_CLUSTER_ACL_INFO
    /// without ACL (its NullPointerException is caught and null returned), END_TRANSACTION with a decodable
    /// type other than commit or rollback (Java returns null; clients send it oneway).
    static func unansweredInJava(_ code: RequestCode, value: String?, to broker: Bool) -> Bool {
        guard broker else { return false }
        switch code {
        case .getBrokerClusterAclInfo: return true
        case .endTransaction: return value.flatMap { Int32($0) }.map { $0 != 8 && $0 != 12 } ?? false
        default: return false
        }
    }

    static let bodies: [ByteBuffer?] = [
        nil, ByteBuffer(string: "{"), ByteBuffer(string: "[]"), ByteBuffer(string: "null"),
        ByteBuffer(string: "{\"offsetTable\":{\"x\":1},\"mqSet\":[{}],\"consumerGroup\":7}"),
        ByteBuffer(bytes: [0xFF, 0x00, 0xC3, 0x28, 0x01, 0x02, 0x7B]),
    ]

    @Test func badRequestsForEveryCodeAreAnsweredAndBreakNothing() async throws {
        let names = try Self.headerFieldNames()
        try #require(names.count > 50, "header field names read from the sources: \(names.count)")
        let codes = RequestCode.names.keys.sorted().map(RequestCode.init(rawValue:))
        try #require(codes.count > 90)

        try await TestCluster.withAddresses { addresses in
            let broker = try await RemotingClient.connect(address: addresses.broker, logger: TestCluster.logger)
            defer { broker.close() }
            let namesrv = try await RemotingClient.connect(address: addresses.namesrv, logger: TestCluster.logger)
            defer { namesrv.close() }
            // A topic with messages, for the edge values to reach past the topic look-ups.
            for _ in 0..<3 {
                #expect(try await broker.send(SendMessageProcessorTests.send(topic: Self.topic)).responseCode == .success)
            }

            var answered = 0
            var answers = Set<ResponseCode>()
            for code in codes {
                for connection in [broker, namesrv] {
                    for serializeType in [SerializeType.json, .rocketmq] {
                        var requests = [(value: String?.none, RemotingCommand.request(code: code, serializeType: serializeType))]
                        for (index, value) in Self.values.enumerated() {
                            requests.append((value, .request(
                                code: code, extFields: Self.fields(names, value: value),
                                body: Self.bodies[index % Self.bodies.count], serializeType: serializeType)))
                        }
                        for (value, request) in requests {
                            let toBroker = connection === broker
                            let silent = Self.unansweredInJava(code, value: value, to: toBroker)
                            let response: RemotingCommand
                            do {
                                response = try await connection.send(request, timeout: silent ? .milliseconds(300) : .seconds(10))
                            } catch RemotingError.timeout(_) where silent {
                                answered += 1
                                continue
                            } catch {
                                Issue.record("\(code) (\(serializeType), \(value.map { "every field \($0)" } ?? "no header")) to the \(toBroker ? "broker" : "name server"): \(error)")
                                continue
                            }
                            answers.insert(response.responseCode)
                            #expect(!silent, "\(code) with \(value ?? "no header"): answered where Java answers nothing")
                            #expect(response.isResponse, "\(code): not a response")
                            if response.responseCode == .systemError {
                                #expect(response.remark?.isEmpty == false, "\(code): SYSTEM_ERROR without a remark")
                            }
                            answered += 1
                        }
                    }
                }
                #expect(broker.isActive && namesrv.isActive, "\(code) closed a connection")
            }
            #expect(answered == codes.count * 2 * 2 * (1 + Self.values.count))
            // The values reach past the header decode: lookups that find nothing, sends and queries that work.
            #expect(answers.isSuperset(of: [.success, .systemError, .topicNotExist, .subscriptionNotExist, .queryNotFound,
                                            .consumerNotOnline, .requestCodeNotSupported]),
                    "answers: \(answers.map(\.description).sorted())")

            // Still a broker and a name server: a send is stored and pulled back, the topic is routed. (A new
            // topic: the sweep's UPDATE_AND_CREATE_TOPIC and DELETE_TOPIC_IN_BROKER changed the first, as in Java.)
            let after = "AfterSweepTopic"
            let sent = try await broker.send(SendMessageProcessorTests.send(topic: after))
            #expect(sent.responseCode == .success, "send after the sweep: \(sent.responseCode) \(sent.remark ?? "")")
            let pull = PullMessageRequestHeader(
                // sysFlag 4, FLAG_SUBSCRIPTION: the subscription comes with the pull, no heartbeat needed.
                consumerGroup: "AfterSweep", topic: after, queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 4,
                commitOffset: 0, suspendTimeoutMillis: 0, subscription: "*", subVersion: 0)
            let pulled = try await broker.send(.request(code: .pullMessage, extFields: pull.extFields))
            #expect(pulled.responseCode == .success, "pull after the sweep: \(pulled.responseCode) \(pulled.remark ?? "")")
            let route = RemotingCommand.request(
                code: .getRouteInfoByTopic, extFields: GetRouteInfoRequestHeader(topic: after).extFields)
            #expect(try await BrokerControllerTests.poll(namesrv, route) { $0.responseCode == .success })
        }
    }
}
