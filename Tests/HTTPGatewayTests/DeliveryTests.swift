import ClusterSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import HTTPGateway
import NIOCore
import RocketMQClient
import Testing

/// Push delivery to a real receiving HTTP server: headers, signature, retries through %RETRY%, the
/// confirmation handshake.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct DeliveryTests {
    typealias Routes = HTTPGatewayRouteTests

    static func producer(_ namesrv: String) async throws -> Producer {
        let producer = Producer(configuration: ProducerConfiguration(group: "PG_DELIVERY"),
                                client: ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1"))
        try await producer.start()
        return producer
    }

    @Test func aProducedMessageReachesTheBackurlWithMetadataAndSignature() async throws {
        try await TestCluster.with { namesrv in
            try await Routes.createTopic("PushTopic", namesrv: namesrv)
            try await Receiver.with { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    let create = #"{"group":"G_PUSH","topic":"PushTopic","backurl":"\#(baseURL)/hook","filter":"TagA","secret":"k3y"}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .created)
                    }
                    let producer = try await Self.producer(namesrv)
                    _ = try await producer.send(Message(topic: "PushTopic", body: "not for us", tags: "TagB"))
                    var message = Message(topic: "PushTopic", body: [0xFF, 0x00, 0x41], tags: "TagA", keys: ["k1", "k2"])
                    message[property: "note"] = "ü 1"
                    let sent = try await producer.send(message)
                    await producer.shutdown()

                    let got = await inbox.wait(for: 1)
                    let request = try #require(got.first)
                    #expect(request.path == "/hook")
                    #expect(Array(request.body.readableBytesView) == [0xFF, 0x00, 0x41])
                    #expect(request[header: "X-RocketMQ-Msg-Id"] == sent.msgId)
                    #expect(request[header: "X-RocketMQ-Offset-Msg-Id"] == sent.offsetMsgId)
                    #expect(request[header: "X-RocketMQ-Topic"] == "PushTopic")
                    #expect(request[header: "X-RocketMQ-Tags"] == "TagA")
                    #expect(request[header: "X-RocketMQ-Keys"] == "k1%20k2")
                    #expect(request[header: "X-RocketMQ-Queue-Id"] == String(sent.messageQueue.queueId))
                    #expect(request[header: "X-RocketMQ-Queue-Offset"] == String(sent.queueOffset))
                    #expect(request[header: "X-RocketMQ-Reconsume-Times"] == "0")
                    #expect(request[header: "X-RocketMQ-Property-note"].map(PercentEncoding.decode) == "ü 1")
                    #expect(request[header: "X-RocketMQ-Message-Type"] == "Notification")
                    let timestamp = try #require(request[header: "X-RocketMQ-Timestamp"].flatMap { Int64($0) })
                    let signature = try #require(request[header: "X-RocketMQ-Signature"])
                    #expect(DeliverySignature.verify(secret: "k3y", timestamp: timestamp, body: request.body, signature: signature))
                    #expect(!DeliverySignature.verify(secret: "wrong", timestamp: timestamp, body: request.body, signature: signature))

                    // Acknowledged: the lag drops to 0 once the offset is committed (every 5 s, or at shutdown).
                    try await client.execute(uri: "/subscriptions/G_PUSH", method: .get) { response in
                        #expect(response.status == .ok)
                    }
                }
                #expect(inbox.all.count == 1)
            }
        }
    }

    @Test func failuresComeBackThroughTheRetryTopicWithGrowingDelays() async throws {
        try await TestCluster.with(properties: [("messageDelayLevel", "1s 1s 1s 2s 3s 4s")]) { namesrv in
            try await Routes.createTopic("FlakyTopic", namesrv: namesrv)
            // 500, 500, then 200 (the setup message is acknowledged at once).
            try await Receiver.with(answer: { request, _ in
                let attempt = request[header: "X-RocketMQ-Reconsume-Times"].flatMap { Int($0) } ?? 0
                return String(buffer: request.body) != "setup" && attempt < 2 ? (.internalServerError, "no") : (.ok, "")
            }) { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    let create = #"{"group":"G_FLAKY","topic":"FlakyTopic","backurl":"\#(baseURL)/flaky"}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .created)
                    }
                    let producer = try await Self.producer(namesrv)
                    let sent = try await producer.send(Message(topic: "FlakyTopic", body: "again and again"))
                    await producer.shutdown()
                    // A new group starts at offset 0 of a queue never consumed (Java): the setup message comes too.
                    let got = await inbox.wait(for: 4, timeout: .seconds(40)).filter { $0[header: "X-RocketMQ-Msg-Id"] == sent.msgId }
                    #expect(got.count == 3)
                    #expect(got.map { $0[header: "X-RocketMQ-Msg-Id"] } == Array(repeating: sent.msgId, count: 3))
                    #expect(got.map { $0[header: "X-RocketMQ-Reconsume-Times"] } == ["0", "1", "2"])
                    #expect(got.allSatisfy { String(buffer: $0.body) == "again and again" && $0[header: "X-RocketMQ-Topic"] == "FlakyTopic" })
                    if got.count == 3 {
                        // Level 3 (1 s) then level 4 (2 s).
                        let first = got[0].at.duration(to: got[1].at), second = got[1].at.duration(to: got[2].at)
                        #expect(first >= .milliseconds(800) && second >= .milliseconds(1800) && second > first,
                                "gaps \(first) then \(second)")
                    }
                }
            }
        }
    }

    @Test func aBackurlSlowerThanTimeoutMsCountsAsAFailure() async throws {
        try await TestCluster.with(properties: [("messageDelayLevel", "1s 1s 1s 1s")]) { namesrv in
            try await Routes.createTopic("SlowTopic", namesrv: namesrv)
            // The first delivery of each message takes 2 s (its 200 comes too late); the retry is answered at once.
            try await Receiver.with(answer: { request, _ in
                if request[header: "X-RocketMQ-Reconsume-Times"] == "0" { try? await Task.sleep(for: .seconds(2)) }
                return (.ok, "")
            }) { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    let create = #"{"group":"G_SLOW","topic":"SlowTopic","backurl":"\#(baseURL)/slow","timeoutMs":300}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .created)
                    }
                    let producer = try await Self.producer(namesrv)
                    let sent = try await producer.send(Message(topic: "SlowTopic", body: "slow"))
                    await producer.shutdown()
                    // The setup message and this one, each twice.
                    let got = await inbox.wait(for: 4, timeout: .seconds(30)).filter { $0[header: "X-RocketMQ-Msg-Id"] == sent.msgId }
                    #expect(got.map { $0[header: "X-RocketMQ-Reconsume-Times"] } == ["0", "1"])
                }
            }
        }
    }

    @Test func confirmationHandshakeGatesDelivery() async throws {
        try await TestCluster.with { namesrv in
            try await Routes.createTopic("ConfirmTopic", namesrv: namesrv)
            // /echo answers the token it got; /silent does not.
            try await Receiver.with(answer: { request, _ in
                guard request.path == "/echo", request[header: "X-RocketMQ-Message-Type"] == "SubscriptionConfirmation",
                      let object = try? JSONSerialization.jsonObject(with: Data(request.body.readableBytesView)) as? [String: Any],
                      let token = object["token"] as? String else { return (.ok, "") }
                return (.ok, #"{"token":"\#(token)"}"#)
            }) { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    let echo = #"{"group":"G_ECHO","topic":"ConfirmTopic","backurl":"\#(baseURL)/echo","confirm":true}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: echo)) { response in
                        #expect(response.status == .created)
                        try #expect(Routes.decode(SubscriptionView.self, response).status == "ACTIVE")
                    }
                    let silent = #"{"group":"G_SILENT","topic":"ConfirmTopic","backurl":"\#(baseURL)/silent","confirm":true}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: silent)) { response in
                        try #expect(Routes.decode(SubscriptionView.self, response).status == "PENDING_CONFIRMATION")
                    }
                    let handshakes = inbox.all.filter { $0.path == "/silent" }
                    #expect(handshakes.count == 1)
                    let token = try #require(handshakes.first.flatMap {
                        try? JSONSerialization.jsonObject(with: Data($0.body.readableBytesView)) as? [String: Any]
                    }?["token"] as? String)
                    try await client.execute(uri: "/subscriptions/G_SILENT/confirm?token=wrong", method: .post) {
                        #expect($0.status == .forbidden)
                    }
                    try await client.execute(uri: "/subscriptions/G_SILENT/confirm", method: .post,
                                             body: ByteBuffer(string: #"{"token":"\#(token)"}"#)) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains("ACTIVE"))
                    }
                    let producer = try await Self.producer(namesrv)
                    _ = try await producer.send(Message(topic: "ConfirmTopic", body: "after confirmation"))
                    await producer.shutdown()
                    // Two handshakes, then the message once to each subscription (and the setup message, from offset 0).
                    let got = await inbox.wait(for: 6)
                    let notifications = got.filter {
                        $0[header: "X-RocketMQ-Message-Type"] == "Notification" && String(buffer: $0.body) != "setup"
                    }
                    #expect(Set(notifications.map(\.path)) == ["/echo", "/silent"])
                    #expect(notifications.allSatisfy { String(buffer: $0.body) == "after confirmation" })
                }
            }
        }
    }
}

/// Pure pieces: parameters, percent-encoding, signature.
struct GatewayUnitTests {
    @Test func sendParametersFromHeadersAndQuery() throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-RocketMQ-Tags")!] = "TagA"
        headers[HTTPField.Name("X-RocketMQ-Keys")!] = "a,b c"
        headers[HTTPField.Name("X-RocketMQ-Delay-Level")!] = "3"
        headers[HTTPField.Name("X-RocketMQ-Property-Color")!] = "r%C3%B6t"
        let parameters = try SendParameters(headers: headers, query: [("tags", "TagQ"), ("property.size", "L")])
        #expect(parameters.tags == "TagQ")  // the query wins
        #expect(parameters.keys == ["a", "b", "c"])
        #expect(parameters.delayTimeLevel == 3)
        // Header names lower-cased (clients re-case them); query names as given.
        #expect(parameters.properties.map(\.0) == ["color", "size"] && parameters.properties.map(\.1) == ["röt", "L"])
        let message = parameters.message(topic: "T", body: ByteBuffer(string: "x"))
        #expect(message.delayTimeLevel == 3 && message[property: "color"] == "röt" && message.tags == "TagQ")
        #expect(throws: GatewayError.self) { try SendParameters(headers: [:], query: [("delayLevel", "1"), ("deliverTimeMillis", "5")]) }
        #expect(throws: GatewayError.self) { try SendParameters(headers: [:], query: [("deliverTimeMillis", "-5")]) }
        #expect(throws: GatewayError.self) { try SendParameters(headers: [:], query: [("property.KEYS", "x")]) }
    }

    @Test func percentEncodingRoundTrips() {
        for text in ["plain", "with space", "ü 1 %", "%zz", "emoji 🚀", ""] {
            let encoded = PercentEncoding.encode(text)
            #expect(encoded.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            #expect(PercentEncoding.decode(encoded) == text)
        }
        #expect(PercentEncoding.decode("%4") == "%4")
    }

    @Test func signatureIsHMACSHA256OverTimestampDotBody() {
        // RFC 4231 style check against a value computed independently (Python: hmac.new(b"key",
        // b"1700000000000.hello", hashlib.sha256).hexdigest()).
        let signature = DeliverySignature.sign(secret: "key", timestamp: 1_700_000_000_000, body: ByteBuffer(string: "hello"))
        #expect(signature == "sha256=" + Self.expectedHex)
        #expect(DeliverySignature.verify(secret: "key", timestamp: 1_700_000_000_000, body: ByteBuffer(string: "hello"), signature: signature))
        #expect(!DeliverySignature.verify(secret: "key", timestamp: 1_700_000_000_001, body: ByteBuffer(string: "hello"), signature: signature))
    }

    static let expectedHex = "cd61e22295aa6acf7fe4b86d3a490cdcfda2a09ffd8df6e7488ddaf6c761bfc2"
}
