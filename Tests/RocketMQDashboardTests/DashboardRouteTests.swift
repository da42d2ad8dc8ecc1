import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import RocketMQDashboard

/// A cluster as the source reports it: fixed figures, and a record of the test messages sent, so that the
/// pages can be checked for exactly what the source holds (the real source is checked end to end by the
/// Chromium Interop test).
final class RecordedCluster: DashboardSource {
    let sent = NIOLockedValueBox<[String]>([])
    let failing: Bool

    init(failing: Bool = false) { self.failing = failing }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connect to 127.0.0.1:9876 refused" }
    }

    func cluster() async throws -> ClusterView {
        if failing { throw Unreachable() }
        return ClusterView(nameServers: ["127.0.0.1:9876"], brokers: [
            BrokerRow(cluster: "DefaultCluster", brokerName: "broker-a", brokerId: 0, role: "ASYNC_MASTER", address: "127.0.0.1:10911",
                      version: "V4_9_8", putTps: "1234.5", getTps: "1200.0", msgPutTotalTodayNow: "100", msgGetTotalTodayNow: "90",
                      diskRatio: "42 %"),
            BrokerRow(cluster: "DefaultCluster", brokerName: "broker-a", brokerId: 1, role: "SLAVE", address: "127.0.0.1:10921",
                      version: "V4_9_8", putTps: "0.0", getTps: "0.0", msgPutTotalTodayNow: "0", msgGetTotalTodayNow: "0",
                      diskRatio: "42 %", behindMaster: "4096"),
        ])
    }

    func topics() async throws -> [TopicRow] {
        [TopicRow(topic: "OrderTopic", brokers: "broker-a", readQueueNums: 4, writeQueueNums: 4, messages: 160),
         TopicRow(topic: "<script>alert(1)</script>", brokers: "broker-a", readQueueNums: 1, writeQueueNums: 1, messages: 0)]
    }

    func topic(_ name: String) async throws -> TopicView {
        TopicView(
            topic: name, routes: [.init(brokerName: "broker-a", addresses: "0: 127.0.0.1:10911", readQueueNums: 4, writeQueueNums: 4, perm: "RW")],
            queues: (0..<4).map { .init(brokerName: "broker-a", queueId: $0, minOffset: 0, maxOffset: 40, lastUpdate: "2026-11-26 06:00:00,000") },
            putTps: "12.50", consumerGroups: ["OrderGroup"])
    }

    func groups() async throws -> [GroupRow] {
        [GroupRow(group: "OrderGroup", members: 2, consumeType: "CONSUME_PASSIVELY", messageModel: "CLUSTERING", consumeTps: "3.00", lag: 17)]
    }

    func group(_ name: String) async throws -> GroupView {
        GroupView(
            group: name, consumeType: "CONSUME_PASSIVELY", messageModel: "CLUSTERING",
            members: [.init(clientId: "10.0.0.1@1234", clientAddr: "10.0.0.1:50000", language: "CPP", version: "V4_9_8")],
            subscriptions: [.init(topic: "OrderTopic", expression: "TagA || TagB")],
            queues: [.init(topic: "OrderTopic", brokerName: "broker-a", queueId: 0, brokerOffset: 40, consumerOffset: 23, lag: 17, lastTimestamp: "")],
            consumeTps: "3.00", totalLag: 17, notes: [])
    }

    func messages(topic: String, key: String?, msgId: String?) async throws -> [MessageView] {
        guard key == "KEY-1" else { return [] }
        return [MessageView(
            offsetMsgId: "7F00000100002A9F0000000000000000", uniqKey: "0A00000100002A9F0000000000000001", topic: topic, tags: "TagA",
            keys: "KEY-1", brokerName: "broker-a", queueId: 1, queueOffset: 7, storeTime: "2026-11-26 06:00:00,000",
            storeHost: "127.0.0.1:10911", body: "hello <b>", tracks: [.init(consumerGroup: "OrderGroup", trackType: "CONSUMED")])]
    }

    func sendTestMessage(topic: String, tags: String?, keys: String?, body: String) async throws -> String {
        sent.withLockedValue { $0.append("\(topic)|\(tags ?? "-")|\(keys ?? "-")|\(body)") }
        return "SEND_OK msgId=ABC"
    }

    func throughput() async throws -> Throughput { Throughput(inTps: 1000, outTps: 250) }
}

@Suite struct DashboardRouteTests {
    static func withDashboard(
        _ source: RecordedCluster = RecordedCluster(), actionsEnabled: Bool = false,
        _ body: @escaping @Sendable (any TestClientProtocol, Dashboard) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dashboard = try Dashboard(source: source, actionsEnabled: actionsEnabled, logger: logger)
        let router = Router()
        dashboard.addRoutes(to: router)
        let app = Application(router: router, logger: logger)
        try await app.test(.router) { client in try await body(client, dashboard) }
    }

    static func page(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get) { response in (response.status, String(buffer: response.body)) }
    }

    @Test func clusterPageShowsBrokersAndTheTPSChart() async throws {
        try await Self.withDashboard { client, dashboard in
            await dashboard.sample()
            await dashboard.sample()
            let (status, html) = try await Self.page(client, "/")
            #expect(status == .ok)
            #expect(html.contains("<td>broker-a</td>"))
            #expect(html.contains("<td>ASYNC_MASTER</td>"))
            #expect(html.contains("1234.5"))
            #expect(html.contains("42 %"))
            // The slave's row says how far behind its master it is.
            #expect(html.contains("<td>SLAVE</td>"))
            #expect(html.contains("<td class=\"n behind\">4096</td>"))
            #expect(html.contains("<li>127.0.0.1:9876</li>"))
            // Two samples of 1000 in / 250 out: both lines drawn, the axis topped at 1000.
            #expect(html.contains("<polyline class=\"tps-in\""))
            #expect(html.contains("<polyline class=\"tps-out\""))
            #expect(html.contains(">1000</text>"))
            // Offline: no script, nothing loaded from elsewhere.
            #expect(!html.contains("<script"))
            #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"))
        }
    }

    @Test func topicsAreListedAndEscaped() async throws {
        try await Self.withDashboard { client, _ in
            let (status, html) = try await Self.page(client, "/topics")
            #expect(status == .ok)
            #expect(html.contains("<a href=\"/topic?name=OrderTopic\">OrderTopic</a>"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert(1)"))
        }
    }

    @Test func topicPageShowsRouteQueuesAndGroups() async throws {
        try await Self.withDashboard { client, _ in
            let (status, html) = try await Self.page(client, "/topic?name=OrderTopic")
            #expect(status == .ok)
            #expect(html.contains("Topic OrderTopic"))
            #expect(html.contains("0: 127.0.0.1:10911"))
            #expect(html.components(separatedBy: "<td class=\"n\">40</td>").count - 1 == 4, "four queues at max offset 40")
            #expect(html.contains("<a href=\"/group?name=OrderGroup\">OrderGroup</a>"))
            #expect(html.contains("<b id=\"putTps\">12.50</b>"))
        }
    }

    @Test func groupsAndGroupPageShowLag() async throws {
        try await Self.withDashboard { client, _ in
            let (_, list) = try await Self.page(client, "/groups")
            #expect(list.contains("<td class=\"n lag\">17</td>"))
            let (status, html) = try await Self.page(client, "/group?name=OrderGroup")
            #expect(status == .ok)
            #expect(html.contains("<b id=\"totalLag\">17</b>"))
            #expect(html.contains("10.0.0.1@1234"))
            #expect(html.contains("TagA || TagB"))
        }
    }

    @Test func messageLookupShowsBodyAndConsumption() async throws {
        try await Self.withDashboard { client, _ in
            let (empty, form) = try await Self.page(client, "/messages")
            #expect(empty == .ok)
            #expect(form.contains("<form method=\"get\" action=\"/messages\">"))
            let (status, html) = try await Self.page(client, "/messages?topic=OrderTopic&key=KEY-1")
            #expect(status == .ok)
            #expect(html.contains("1 message(s) found."))
            #expect(html.contains("<pre>hello &lt;b&gt;</pre>"))
            #expect(html.contains("OrderGroup: <b>CONSUMED</b>"))
            let (_, none) = try await Self.page(client, "/messages?topic=OrderTopic&key=OTHER")
            #expect(none.contains("0 message(s) found."))
        }
    }

    @Test func sendIsReadOnlyByDefault() async throws {
        let source = RecordedCluster()
        try await Self.withDashboard(source) { client, _ in
            let (status, html) = try await Self.page(client, "/send")
            #expect(status == .ok)
            #expect(html.contains("id=\"readonly\""))
            #expect(!html.contains("method=\"post\""))
            let posted = try await client.execute(
                uri: "/send", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "topic=OrderTopic&body=hi")) { $0.status }
            #expect(posted == .forbidden)
        }
        #expect(source.sent.withLockedValue { $0 }.isEmpty)
    }

    @Test func sendWithActionsEnabledSendsTheFormsMessage() async throws {
        let source = RecordedCluster()
        try await Self.withDashboard(source, actionsEnabled: true) { client, _ in
            let (_, form) = try await Self.page(client, "/send?topic=OrderTopic")
            #expect(form.contains("<form method=\"post\" action=\"/send\">"))
            let (status, html) = try await client.execute(
                uri: "/send", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "topic=OrderTopic&tags=TagA&keys=K%201&body=Hello+RocketMQ%21")) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(status == .ok)
            #expect(html.contains("Sent: <code>SEND_OK msgId=ABC</code>"))
        }
        #expect(source.sent.withLockedValue { $0 } == ["OrderTopic|TagA|K 1|Hello RocketMQ!"])
    }

    @Test func anUnreachableClusterIsABadGatewayWithTheReason() async throws {
        try await Self.withDashboard(RecordedCluster(failing: true)) { client, _ in
            let (status, html) = try await Self.page(client, "/")
            #expect(status == .badGateway)
            #expect(html.contains("connect to 127.0.0.1:9876 refused"))
        }
    }

    @Test func historyKeepsTheLastSamplesOnly() {
        let history = TPSHistory(capacity: 3)
        for second in 0..<5 { history.add(.init(time: Int64(second), throughput: .init(inTps: Double(second), outTps: 0))) }
        #expect(history.all.map(\.time) == [2, 3, 4])
        #expect(history.svg().contains("−2 s"))
    }
}
