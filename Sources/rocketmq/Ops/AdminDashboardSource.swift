#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RocketMQClient
import RocketMQDashboard
import RocketMQModel

/// The dashboard's figures from a cluster, asked the way mqadmin asks them (any 4.x cluster, ours or
/// Apache's). Each page opens its own admin connections and closes them when rendered.
struct AdminDashboardSource: DashboardSource {
    let nameServers: [String]
    /// The producer the "send a test message" form uses (started on first use, only with actions enabled).
    let producer: TestMessageProducer?

    private func withClient<T>(_ body: (AdminClient) async throws -> T) async throws -> T {
        let client = AdminClient(nameServers: nameServers)
        defer { client.close() }
        return try await body(client)
    }

    func cluster() async throws -> ClusterView {
        try await withClient { client in
            let info = try await client.clusterInfo()
            var rows: [BrokerRow] = []
            for (cluster, brokerNames) in info.clusterAddrTable.sorted(by: { $0.key < $1.key }) {
                for brokerName in brokerNames.sorted() {
                    guard let data = info.brokerAddrTable[brokerName] else { continue }
                    // The master's commit-log end (id 0, read first), for its slaves' rows.
                    var masterMaxOffset: Int64?
                    for (brokerId, address) in data.brokerAddrs.sorted(by: { $0.key < $1.key }) {
                        var row = BrokerRow(
                            cluster: cluster, brokerName: brokerName, brokerId: brokerId, role: brokerId == 0 ? "MASTER" : "SLAVE",
                            address: address, version: "", putTps: "", getTps: "", msgPutTotalTodayNow: "", msgGetTotalTodayNow: "",
                            diskRatio: "")
                        do {
                            let runtime = try await client.brokerRuntimeInfo(address).table
                            let config = try await client.brokerConfig(address)
                            row.role = config.first { $0.key == "brokerRole" }?.value ?? row.role
                            row.version = runtime["brokerVersionDesc"] ?? ""
                            row.putTps = Self.firstRate(runtime["putTps"])
                            row.getTps = Self.firstRate(runtime["getTransferedTps"])
                            row.msgPutTotalTodayNow = runtime["msgPutTotalTodayNow"] ?? ""
                            row.msgGetTotalTodayNow = runtime["msgGetTotalTodayNow"] ?? ""
                            if let ratio = runtime["commitLogDiskRatio"].flatMap(Double.init) { row.diskRatio = fixed(ratio * 100, 0) + " %" }
                            let maxOffset = runtime["commitLogMaxOffset"].flatMap { Int64($0) }
                            if brokerId == 0 {
                                masterMaxOffset = maxOffset
                            } else if let master = masterMaxOffset, let maxOffset {
                                row.behindMaster = String(max(0, master - maxOffset))
                            }
                        } catch {
                            row.error = "\(error)"
                        }
                        rows.append(row)
                    }
                }
            }
            return ClusterView(nameServers: nameServers, brokers: rows)
        }
    }

    /// The 10-second figure of a "putTps"-style value ("10s 60s 600s").
    static func firstRate(_ text: String?) -> String {
        guard let first = text?.split(separator: " ").first, let value = Double(first) else { return "0" }
        return fixed(value, 1)
    }

    func throughput() async throws -> Throughput {
        try await withClient { client in
            let info = try await client.clusterInfo()
            var result = Throughput(inTps: 0, outTps: 0)
            for data in info.brokerAddrTable.values {
                guard let master = data.brokerAddrs[0] else { continue }
                let runtime = try await client.brokerRuntimeInfo(master).table
                result.inTps += runtime["putTps"]?.split(separator: " ").first.flatMap { Double($0) } ?? 0
                result.outTps += runtime["getTransferedTps"]?.split(separator: " ").first.flatMap { Double($0) } ?? 0
            }
            return result
        }
    }

    /// Topics an operator made (not retry, DLQ, or system topics, nor the cluster and broker names the name
    /// server lists as topics).
    static func isUserTopic(_ topic: String, info: ClusterInfo) -> Bool {
        !topic.hasPrefix(MixAll.retryGroupTopicPrefix) && !topic.hasPrefix(MixAll.dlqGroupTopicPrefix)
            && !TopicValidator.isSystemTopic(topic) && info.clusterAddrTable[topic] == nil && info.brokerAddrTable[topic] == nil
    }

    func topics() async throws -> [TopicRow] {
        try await withClient { client in
            let info = try await client.clusterInfo()
            var rows: [TopicRow] = []
            for topic in try await client.topicList().topicList.sorted() where Self.isUserTopic(topic, info: info) {
                guard let route = try? await client.topicRoute(topic) else { continue }
                var messages: Int64 = 0
                for broker in route.brokerDatas {
                    guard let master = broker.brokerAddrs[0], let stats = try? await client.topicStats(master, topic: topic) else { continue }
                    messages += stats.offsetTable.reduce(0) { $0 + $1.offsets.maxOffset }
                }
                rows.append(TopicRow(
                    topic: topic, brokers: route.queueDatas.map(\.brokerName).sorted().joined(separator: ", "),
                    readQueueNums: route.queueDatas.reduce(0) { $0 + $1.readQueueNums },
                    writeQueueNums: route.queueDatas.reduce(0) { $0 + $1.writeQueueNums }, messages: messages))
            }
            return rows
        }
    }

    func topic(_ name: String) async throws -> TopicView {
        try await withClient { client in
            let route = try await client.topicRoute(name)
            var routes: [TopicView.Route] = []
            for queue in route.queueDatas.sorted(by: { $0.brokerName < $1.brokerName }) {
                let addresses = route.brokerDatas.first { $0.brokerName == queue.brokerName }?.brokerAddrs
                    .sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") ?? ""
                routes.append(.init(brokerName: queue.brokerName, addresses: addresses, readQueueNums: queue.readQueueNums,
                                    writeQueueNums: queue.writeQueueNums, perm: permString(queue.perm)))
            }
            var queues: [TopicView.Queue] = []
            var putTps = 0.0
            var groups: Set<String> = []
            for broker in route.brokerDatas.sorted(by: { $0.brokerName < $1.brokerName }) {
                guard let master = broker.brokerAddrs[0] else { continue }
                let stats = try await client.topicStats(master, topic: name)
                for entry in stats.offsetTable.sorted(by: { $0.queue.queueId < $1.queue.queueId }) {
                    queues.append(.init(
                        brokerName: entry.queue.brokerName, queueId: entry.queue.queueId, minOffset: entry.offsets.minOffset,
                        maxOffset: entry.offsets.maxOffset,
                        lastUpdate: entry.offsets.lastUpdateTimestamp > 0 ? humanTime(entry.offsets.lastUpdateTimestamp) : ""))
                }
                if let response = try? await client.invoke(
                    master, .viewBrokerStatsData, header: ViewBrokerStatsDataRequestHeader(statsName: "TOPIC_PUT_NUMS", statsKey: name)),
                    let data = try? BrokerStatsData(body: response.body) {
                    putTps += data.statsMinute.tps
                }
                if let who = try? await client.invoke(master, .queryTopicConsumeByWho, header: QueryTopicConsumeByWhoRequestHeader(topic: name)),
                   let list = try? GroupList(body: who.body) {
                    groups.formUnion(list.groupList)
                }
            }
            return TopicView(topic: name, routes: routes, queues: queues, putTps: fixed(putTps, 2), consumerGroups: groups.sorted())
        }
    }

    /// Java's dashboard hides the groups its own tools use.
    static func isUserGroup(_ group: String) -> Bool {
        ![MixAll.toolsConsumerGroup, MixAll.filterServerConsumerGroup, MixAll.monitorConsumerGroup, MixAll.selfTestConsumerGroup,
          MixAll.clientInnerProducerGroup, MixAll.selfTestProducerGroup, MixAll.defaultConsumerGroup].contains(group)
            && !MixAll.isSysConsumerGroup(group) && !group.hasPrefix("CID_ONSAPI_")
    }

    func groups() async throws -> [GroupRow] {
        try await withClient { client in
            let info = try await client.clusterInfo()
            var names: Set<String> = []
            for data in info.brokerAddrTable.values {
                guard let master = data.brokerAddrs[0] else { continue }
                let response = try await client.invoke(master, .getAllSubscriptionGroupConfig)
                names.formUnion(try SubscriptionGroupWrapper(body: response.body).subscriptionGroupTable.map(\.groupName))
            }
            var rows: [GroupRow] = []
            for group in names.sorted() where Self.isUserGroup(group) {
                let connection = try? await client.consumerConnection(group: group)
                let stats = try? await client.consumeStats(group: group)
                rows.append(GroupRow(
                    group: group, members: connection?.connectionSet.count ?? 0,
                    consumeType: connection?.consumeType?.rawValue ?? "", messageModel: connection?.messageModel?.rawValue ?? "",
                    consumeTps: fixed(stats?.consumeTps ?? 0, 2),
                    lag: stats?.offsetTable.reduce(0) { $0 + max(0, $1.offsets.brokerOffset - $1.offsets.consumerOffset) } ?? 0))
            }
            return rows
        }
    }

    func group(_ name: String) async throws -> GroupView {
        try await withClient { client in
            var notes: [String] = []
            var connection: ConsumerConnection?
            do { connection = try await client.consumerConnection(group: name) } catch { notes.append("members: \(error)") }
            var stats: ConsumeStats?
            do { stats = try await client.consumeStats(group: name) } catch { notes.append("offsets: \(error)") }
            let queues = (stats?.offsetTable ?? [])
                .sorted { ($0.queue.topic, $0.queue.brokerName, $0.queue.queueId) < ($1.queue.topic, $1.queue.brokerName, $1.queue.queueId) }
                .map { entry in
                    GroupView.Queue(
                        topic: entry.queue.topic, brokerName: entry.queue.brokerName, queueId: entry.queue.queueId,
                        brokerOffset: entry.offsets.brokerOffset, consumerOffset: entry.offsets.consumerOffset,
                        lag: max(0, entry.offsets.brokerOffset - entry.offsets.consumerOffset),
                        lastTimestamp: entry.offsets.lastTimestamp > 0 ? humanTime(entry.offsets.lastTimestamp) : "")
                }
            return GroupView(
                group: name, consumeType: connection?.consumeType?.rawValue ?? "", messageModel: connection?.messageModel?.rawValue ?? "",
                members: (connection?.connectionSet ?? []).map {
                    .init(clientId: $0.clientId, clientAddr: $0.clientAddr, language: "\($0.language)", version: MQVersion.description(of: $0.version))
                },
                subscriptions: (connection?.subscriptionTable ?? []).map { .init(topic: $0.topic, expression: $0.subString) },
                queues: queues, consumeTps: fixed(stats?.consumeTps ?? 0, 2), totalLag: queues.reduce(0) { $0 + $1.lag }, notes: notes)
        }
    }

    func messages(topic: String, key: String?, msgId: String?) async throws -> [MessageView] {
        try await withClient { client in
            var found: [StoredMessage] = []
            if let msgId {
                // An offset message id names its store host; otherwise it is a unique key (the client's msgId).
                if MessageId.decodeOffsetMsgId(msgId) != nil, let message = try? await client.viewMessage(offsetMsgId: msgId) {
                    found = [message]
                } else {
                    found = try await client.queryMessages(topic: topic, key: msgId, unique: true)
                }
            } else if let key {
                found = try await client.queryMessages(topic: topic, key: key, unique: false)
            }
            let info = try await client.clusterInfo()
            var views: [MessageView] = []
            for message in found.prefix(32) {
                let storeHost = hostText(message.storeHost)
                let brokerName = info.brokerAddrTable.values.first { $0.brokerAddrs.values.contains(storeHost) }?.brokerName ?? ""
                let tracks = (try? await client.messageTrackDetail(message)) ?? []
                views.append(MessageView(
                    offsetMsgId: message.offsetMsgId, uniqKey: message.properties["UNIQ_KEY"] ?? "", topic: message.topic,
                    tags: message.tags ?? "", keys: message.properties["KEYS"] ?? "", brokerName: brokerName, queueId: message.queueId,
                    queueOffset: message.queueOffset, storeTime: humanTime(message.storeTimestamp), storeHost: storeHost,
                    body: String(decoding: message.body.readableBytesView.prefix(4096), as: UTF8.self),
                    tracks: tracks.map { .init(consumerGroup: $0.consumerGroup, trackType: $0.trackType) }))
            }
            return views
        }
    }

    func sendTestMessage(topic: String, tags: String?, keys: String?, body: String) async throws -> String {
        guard let producer else { throw DashboardError("actions are disabled") }
        return try await producer.send(topic: topic, tags: tags, keys: keys, body: body)
    }
}

/// One producer for the dashboard's test messages (group `DASHBOARD_TEST_PRODUCER`), started on first use.
final class TestMessageProducer: Sendable {
    private let producer: Producer
    private let started = NIOLockedValueBox(false)

    init(namesrvAddr: String) {
        var logger = Logger(label: "rocketmq.dashboard.producer")
        logger.logLevel = .warning
        producer = Producer(
            configuration: ProducerConfiguration(group: "DASHBOARD_TEST_PRODUCER"),
            instance: ClientInstance(configuration: ClientConfiguration(namesrvAddr: namesrvAddr), logger: logger))
    }

    func send(topic: String, tags: String?, keys: String?, body: String) async throws -> String {
        if !started.withLockedValue({ $0 }) {
            try await producer.start()
            started.withLockedValue { $0 = true }
        }
        let message = Message(
            topic: topic, body: body, tags: tags, keys: keys.map { $0.split(separator: " ").map(String.init) } ?? [])
        let result = try await producer.send(message)
        return "\(result.status.rawValue) msgId=\(result.msgId) offsetMsgId=\(result.offsetMsgId) queue=\(result.messageQueue.brokerName)/"
            + "\(result.messageQueue.queueId) queueOffset=\(result.queueOffset)"
    }

    func shutdown() async { await producer.shutdown() }
}
