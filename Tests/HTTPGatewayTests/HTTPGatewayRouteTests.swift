import ClusterSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import HTTPGateway
import Logging
import NIOCore
import RocketMQClient
import Testing

/// The API through Hummingbird's router test framework (no gateway socket) against a name server and
/// broker in this process.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct HTTPGatewayRouteTests {
    static func configuration(_ namesrv: String, data: String? = nil, maxMessageSize: Int = 4 * 1024 * 1024) -> GatewayConfiguration {
        var configuration = GatewayConfiguration(nameServers: [namesrv], port: 0, dataDirectory: data)
        configuration.client = ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1")
        configuration.client.heartbeatBrokerInterval = .seconds(5)
        configuration.maxMessageSize = maxMessageSize
        return configuration
    }

    /// Runs `body` with a test client of a started gateway (stopped afterwards, committing offsets).
    static func withGateway<R: Sendable>(
        _ configuration: GatewayConfiguration, _ body: @escaping @Sendable (any TestClientProtocol, HTTPGateway) async throws -> R
    ) async throws -> R {
        var logger = Logger(label: "gateway-under-test")
        logger.logLevel = TestCluster.logger.logLevel
        let gateway = HTTPGateway(configuration: configuration, logger: logger)
        // Started here, so that resumed subscriptions are running when the test begins.
        try await gateway.start()
        let app = Application(router: gateway.router(), services: [HTTPGateway.Lifecycle(gateway: gateway, starts: false)],
                              logger: logger)
        return try await app.test(.router) { client in try await body(client, gateway) }
    }

    /// Creates `topic` at the broker (auto-creation on a first send) and waits until the name server routes it.
    static func createTopic(_ topic: String, namesrv: String) async throws {
        let producer = Producer(configuration: ProducerConfiguration(group: "PG_SETUP"),
                                client: ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1"))
        try await producer.start()
        _ = try await producer.send(Message(topic: topic, body: "setup"))
        for _ in 0..<100 where try await !producer.instance.topicExists(topic) {
            try await Task.sleep(for: .milliseconds(50))  // the broker registers new topics asynchronously
        }
        try #expect(await producer.instance.topicExists(topic))
        await producer.shutdown()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }

    struct ErrorBody: Decodable, Equatable { var code: Int; var message: String }

    @Test func healthOpenAPIAndUnknownPaths() async throws {
        try await Self.withGateway(Self.configuration("127.0.0.1:1")) { client, _ in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("UP"))
            }
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.hasPrefix("openapi: 3.0"))
                for path in ["/topics/{topic}/messages:", "/topics/{topic}/messages/batch:", "/subscriptions:",
                             "/subscriptions/{group}:", "/subscriptions/{group}/confirm:", "/health:"] {
                    #expect(text.contains("  " + path), "\(path) missing from the OpenAPI document")
                }
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                try #expect(Self.decode(ErrorBody.self, response).code == 404)
            }
        }
    }

    @Test func noBrokerReachableIs503() async throws {
        // A port nothing listens on: the name server lookup fails at once.
        try await Self.withGateway(Self.configuration("127.0.0.1:1")) { client, _ in
            try await client.execute(uri: "/topics/T/messages", method: .post, body: ByteBuffer(string: "x")) { response in
                #expect(response.status == .serviceUnavailable)
                let error = try Self.decode(ErrorBody.self, response)
                #expect(error.code == 503 && error.message.contains("no broker reachable"))
            }
            let subscription = #"{"group":"G","topic":"T","backurl":"http://127.0.0.1:9/x"}"#
            try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: subscription)) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func sendAnswersWithTheBrokersResultAndTheConsumerGetsItIntact() async throws {
        try await TestCluster.with { namesrv in
            try await Self.createTopic("HttpSendTopic", namesrv: namesrv)
            let body: [UInt8] = [0, 1, 2, 0xFF, 0xFE] + Array("binary and text ü".utf8)
            let answer = try await Self.withGateway(Self.configuration(namesrv, maxMessageSize: 1024)) { client, _ in
                var headers = HTTPFields()
                headers[HTTPField.Name("X-RocketMQ-Tags")!] = "TagA"
                headers[HTTPField.Name("X-RocketMQ-Keys")!] = "order-1 order-2"
                headers[HTTPField.Name("X-RocketMQ-Property-color")!] = "gr%C3%BCn"
                let sent = try await client.execute(uri: "/topics/HttpSendTopic/messages?property.size=XL&shardingKey=s1",
                                                    method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == .ok)
                    return try Self.decode(SendAnswer.self, response)
                }
                #expect(sent.status == "SEND_OK" && sent.topic == "HttpSendTopic" && !sent.msgId.isEmpty && !sent.offsetMsgId.isEmpty)

                // Errors: unknown topic, too large, empty, malformed parameters, malformed batch.
                try await client.execute(uri: "/topics/NoSuchTopic/messages", method: .post, body: ByteBuffer(string: "x")) {
                    #expect($0.status == .notFound)
                    try #expect(Self.decode(ErrorBody.self, $0).code == 404)
                }
                try await client.execute(uri: "/topics/HttpSendTopic/messages", method: .post,
                                         body: ByteBuffer(repeating: 0x41, count: 1025)) {
                    #expect($0.status == .contentTooLarge)
                    try #expect(Self.decode(ErrorBody.self, $0).code == 413)
                }
                try await client.execute(uri: "/topics/HttpSendTopic/messages", method: .post) { #expect($0.status == .badRequest) }
                try await client.execute(uri: "/topics/HttpSendTopic/messages?delayLevel=soon", method: .post,
                                         body: ByteBuffer(string: "x")) {
                    #expect($0.status == .badRequest)
                    try #expect(Self.decode(ErrorBody.self, $0).message.contains("delayLevel"))
                }
                try await client.execute(uri: "/topics/HttpSendTopic/messages?property.TAGS=x", method: .post,
                                         body: ByteBuffer(string: "x")) { #expect($0.status == .badRequest) }
                try await client.execute(uri: "/topics/HttpSendTopic/messages/batch", method: .post,
                                         body: ByteBuffer(string: "[{\"body\": 1}")) { #expect($0.status == .badRequest) }

                // The batch form: consecutive offsets in one queue.
                let batch = #"[{"body":"b0","tags":"TagB"},{"bodyBase64":"AAEC","keys":["k1"]},{"body":"b2","properties":{"p":"v"}}]"#
                let batchAnswer = try await client.execute(uri: "/topics/HttpSendTopic/messages/batch", method: .post,
                                                           body: ByteBuffer(string: batch)) { response in
                    #expect(response.status == .ok)
                    return try Self.decode(BatchSendAnswer.self, response)
                }
                #expect(batchAnswer.msgIds.count == 3 && batchAnswer.status == "SEND_OK")
                return sent
            }

            // What a plain RocketMQ consumer sees of the HTTP send.
            let inbox = Inbox<ReceivedMessage>()
            var configuration = PushConsumerConfiguration(group: "CG_HTTP_SEND")
            configuration.consumeFromWhere = .consumeFromFirstOffset
            let consumer = PushConsumer(configuration: configuration,
                                        client: ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1"))
            try consumer.subscribe(topic: "HttpSendTopic", expression: "TagA")
            try await consumer.start(concurrently: { messages in
                for message in messages { inbox.append(message) }
                return .consumeSuccess
            })
            let received = await inbox.wait(for: 1)
            await consumer.shutdown()
            let message = try #require(received.first)
            #expect(message.msgId == answer.msgId)
            #expect(Array(message.body.readableBytesView) == body)
            #expect(message.tags == "TagA" && message.keys == ["order-1", "order-2"])
            #expect(message.properties["color"] == "grün" && message.properties["size"] == "XL")
            #expect(message.queue.queueId == answer.queueId && message.queueOffset == answer.queueOffset)
        }
    }

    @Test func subscriptionsAreValidatedListedPersistedAndDeleted() async throws {
        try await TestCluster.with { namesrv in
            try await Self.createTopic("HttpSubTopic", namesrv: namesrv)
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: data) }
            try await Receiver.with { baseURL, _ in
                try await Self.withGateway(Self.configuration(namesrv, data: data)) { client, _ in
                    for bad in [#"{"group":"G1"}"#, "not json", #"{"group":"G 1","topic":"HttpSubTopic","backurl":"http://x/"}"#,
                                #"{"group":"G1","topic":"HttpSubTopic","backurl":"ftp://x/"}"#,
                                #"{"group":"G1","topic":"HttpSubTopic","backurl":"http://x/","concurrency":0}"#] {
                        try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: bad)) { response in
                            #expect(response.status == .badRequest, "\(bad)")
                            try #expect(Self.decode(ErrorBody.self, response).code == 400)
                        }
                    }
                    try await client.execute(uri: "/subscriptions", method: .post,
                                             body: ByteBuffer(string: #"{"group":"G1","topic":"Nope","backurl":"\#(baseURL)/a"}"#)) {
                        #expect($0.status == .notFound)
                    }
                    let create = #"{"group":"G_HTTP_SUB","topic":"HttpSubTopic","backurl":"\#(baseURL)/a","filter":"TagA || TagB","secret":"s3cret","rateLimit":100,"concurrency":4}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) { response in
                        #expect(response.status == .created)
                        let view = try Self.decode(SubscriptionView.self, response)
                        #expect(view.status == "ACTIVE" && view.hasSecret && view.filter == "TagA || TagB" && view.concurrency == 4)
                        #expect(!String(buffer: response.body).contains("s3cret"))
                    }
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .conflict)
                    }
                    try await client.execute(uri: "/subscriptions", method: .get) { response in
                        #expect(response.status == .ok)
                        let list = try Self.decode(SubscriptionList.self, response)
                        #expect(list.subscriptions.map(\.group) == ["G_HTTP_SUB"])
                    }
                }
                // Saved: a new gateway on the same directory has it, and serves it.
                let file = try String(contentsOfFile: data + "/subscriptions.json", encoding: .utf8)
                #expect(file.contains("G_HTTP_SUB") && file.contains("s3cret"))
                #expect(!FileManager.default.fileExists(atPath: data + "/subscriptions.json.tmp"))
                try await Self.withGateway(Self.configuration(namesrv, data: data)) { client, _ in
                    try await client.execute(uri: "/subscriptions/G_HTTP_SUB", method: .get) { response in
                        #expect(response.status == .ok)
                        let view = try Self.decode(SubscriptionView.self, response)
                        #expect(view.status == "ACTIVE" && view.topic == "HttpSubTopic")
                    }
                    try await client.execute(uri: "/subscriptions/G_HTTP_SUB", method: .delete) { #expect($0.status == .noContent) }
                    try await client.execute(uri: "/subscriptions/G_HTTP_SUB", method: .get) { #expect($0.status == .notFound) }
                    try await client.execute(uri: "/subscriptions/G_HTTP_SUB", method: .delete) { #expect($0.status == .notFound) }
                }
                let after = try String(contentsOfFile: data + "/subscriptions.json", encoding: .utf8)
                #expect(!after.contains("G_HTTP_SUB"))
            }
        }
    }
}
