import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RemotingCodec

extension AdminClient {
    /// Java `examineConsumeStats(group)`: GET_CONSUME_STATS on every master of `%RETRY%group`'s route, merged.
    func consumeStats(group: String, topic: String? = nil) async throws -> ConsumeStats {
        let route = try await topicRoute("%RETRY%" + group)
        var merged = ConsumeStats(offsetTable: [], consumeTps: 0)
        for broker in route.brokerDatas {
            guard let master = broker.brokerAddrs[0] else { continue }
            let response = try await invoke(master, .getConsumeStats,
                                            header: GetConsumeStatsRequestHeader(consumerGroup: group, topic: topic))
            let stats = try ConsumeStats(body: response.body)
            merged.offsetTable += stats.offsetTable
            merged.consumeTps += stats.consumeTps
        }
        if merged.offsetTable.isEmpty {
            throw AdminError("Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message")
        }
        return merged
    }

    /// Java `examineConsumerConnectionInfo(group)`: asks a master of `%RETRY%group`'s route.
    func consumerConnection(group: String, brokerAddr: String? = nil) async throws -> ConsumerConnection {
        var address = brokerAddr
        if address == nil {
            let route = try await topicRoute("%RETRY%" + group)
            address = route.brokerDatas.lazy.compactMap { $0.brokerAddrs[0] }.first
        }
        guard let address else { throw AdminError("Not found the consumer group connection") }
        let response = try await invoke(address, .getConsumerConnectionList,
                                        header: GetConsumerConnectionListRequestHeader(consumerGroup: group))
        let connection = try ConsumerConnection(body: response.body)
        if connection.connectionSet.isEmpty { throw AdminError("Not found the consumer group connection") }
        return connection
    }

    /// Java `examineProducerConnectionInfo(group, topic)`: asks a master of the topic's route.
    func producerConnection(group: String, topic: String) async throws -> ProducerConnection {
        let route = try await topicRoute(topic)
        guard let address = route.brokerDatas.lazy.compactMap({ $0.brokerAddrs[0] }).first else {
            throw AdminError("Not found the producer group connection")
        }
        let response = try await invoke(address, .getProducerConnectionList,
                                        header: GetProducerConnectionListRequestHeader(producerGroup: group))
        let connection = try ProducerConnection(body: response.body)
        if connection.connectionSet.isEmpty { throw AdminError("Not found the producer group connection") }
        return connection
    }
}

/// Java `UtilAll.frontStringAtLeast`.
func front(_ text: String, _ size: Int) -> String { String(text.prefix(size)) }

// MARK: - consumerProgress

struct ConsumerProgressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consumerProgress", abstract: "Query consumers's progress, speed")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("g"), .customLong("groupName")], help: "consumer group name")
    var groupName: String?
    @Option(name: [.customShort("s"), .customLong("showClientIP")], help: "Show Client IP per Queue (not supported: printed as N/A)")
    var showClientIP: String?

    func run() async throws {
        try await withAdmin("ConsumerProgressSubCommand", common) { client in
            if let groupName {
                let group = groupName.trimmed
                var stats = try await client.consumeStats(group: group)
                stats.offsetTable.sort { $0.queue < $1.queue }
                if common.json { printJSON(stats.json); return }
                let showIP = showClientIP?.lowercased() == "true"
                if showIP {
                    out(left("#Topic", 64) + "  " + left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Broker Offset", 20)
                        + "  " + left("#Consumer Offset", 20) + "  " + left("#Client IP", 20) + " " + left("#Diff", 20) + "  #LastTime\n")
                } else {
                    out(left("#Topic", 64) + "  " + left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Broker Offset", 20)
                        + "  " + left("#Consumer Offset", 20) + "  " + left("#Diff", 20) + "  #LastTime\n")
                }
                var diffTotal: Int64 = 0
                for entry in stats.offsetTable {
                    let diff = entry.offsets.brokerOffset - entry.offsets.consumerOffset
                    diffTotal += diff
                    let last = entry.offsets.lastTimestamp == 0 ? "N/A" : humanTime(entry.offsets.lastTimestamp, withMillis: false)
                    var line = left(front(entry.queue.topic, 64), 64) + "  " + left(front(entry.queue.brokerName, 32), 32) + "  "
                        + left(entry.queue.queueId, 4) + "  " + left(entry.offsets.brokerOffset, 20) + "  "
                        + left(entry.offsets.consumerOffset, 20) + "  "
                    if showIP { line += left("N/A", 20) + " " } 
                    line += left(diff, 20) + "  " + last + "\n"
                    out(line)
                }
                out("\n")
                out("Consume TPS: \(fixed(stats.consumeTps, 2))\n")
                out("Diff Total: \(diffTotal)\n")
                return
            }
            // All groups: every %RETRY% topic's group.
            if !common.json {
                out(left("#Group", 64) + "  " + left("#Count", 6) + "  " + left("#Version", 24) + " " + left("#Type", 5) + "  "
                    + left("#Model", 14) + "  " + left("#TPS", 7) + "  #Diff Total\n")
            }
            var rows: [JSONValue] = []
            for topic in try await client.topicList().topicList where topic.hasPrefix("%RETRY%") {
                let group = String(topic.dropFirst("%RETRY%".count))
                let stats = try? await client.consumeStats(group: group)
                let connection = try? await client.consumerConnection(group: group)
                let count = connection?.connectionSet.count ?? 0
                let tps = Int64(stats?.consumeTps ?? 0)
                let diffTotal = stats?.offsetTable.reduce(Int64(0)) { $0 + $1.offsets.brokerOffset - $1.offsets.consumerOffset } ?? 0
                let version = count > 0
                    ? MQVersion.description(of: connection!.connectionSet.map(\.version).min() ?? 0) : "OFFLINE"
                let type: String = switch connection?.consumeType {
                case .consumeActively?: "PULL"
                case .consumePassively?: "PUSH"
                default: ""
                }
                let model = connection?.messageModel?.rawValue ?? ""
                if common.json {
                    rows.append(.object([
                        "group": .string(group), "count": .number("\(count)"), "version": .string(version),
                        "type": .string(type), "model": .string(model), "tps": .number("\(tps)"), "diffTotal": .number("\(diffTotal)"),
                    ]))
                } else {
                    out(left(front(group, 64), 64) + "  " + left(count, 6) + "  " + left(version, 24) + " " + left(type, 5) + "  "
                        + left(model, 14) + "  " + left(tps, 7) + "  \(diffTotal)\n")
                }
            }
            if common.json { printJSON(.array(rows)) }
        }
    }
}

// MARK: - consumerConnection

struct ConsumerConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consumerConnection", abstract: "Query consumer's socket connection, client version and subscription")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("g"), .customLong("consumerGroup")], help: "consumer group name")
    var consumerGroup: String
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "broker address")
    var brokerAddr: String?

    func run() async throws {
        try await withAdmin("ConsumerConnectionSubCommand", common) { client in
            let connection = try await client.consumerConnection(
                group: consumerGroup.trimmed, brokerAddr: brokerAddr?.trimmed)
            if common.json { printJSON(connection.json); return }
            out(left("#ClientId", 36) + " " + left("#ClientAddr", 22) + " " + left("#Language", 10) + " #Version\n")
            for conn in connection.connectionSet {
                out(left(conn.clientId, 36) + " " + left(conn.clientAddr, 22) + " " + left(conn.language.description, 10) + " "
                    + MQVersion.description(of: conn.version) + "\n")
            }
            out("\nBelow is subscription:\n")
            out(left("#Topic", 20) + " #SubExpression\n")
            for data in connection.subscriptionTable {
                out(left(data.topic, 20) + " " + data.subString + "\n")
            }
            out("\n")
            out("ConsumeType: \(connection.consumeType?.rawValue ?? "null")\n")
            out("MessageModel: \(connection.messageModel?.rawValue ?? "null")\n")
            out("ConsumeFromWhere: \(connection.consumeFromWhere?.rawValue ?? "null")\n")
        }
    }
}

// MARK: - producerConnection

struct ProducerConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "producerConnection", abstract: "Query producer's socket connection and client version")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("g"), .customLong("producerGroup")], help: "producer group name")
    var producerGroup: String
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String

    func run() async throws {
        try await withAdmin("ProducerConnectionSubCommand", common) { client in
            let connection = try await client.producerConnection(
                group: producerGroup.trimmed, topic: topic.trimmed)
            if common.json { printJSON(connection.json); return }
            for (index, conn) in connection.connectionSet.enumerated() {
                let number = String(index + 1)
                out(String(repeating: "0", count: max(0, 4 - number.count)) + number + "  " + left(conn.clientId, 32) + " "
                    + left(conn.clientAddr, 22) + " " + left(conn.language.description, 8) + " "
                    + MQVersion.description(of: conn.version) + "\n")
            }
        }
    }
}

// MARK: - updateSubGroup

struct UpdateSubGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "updateSubGroup", abstract: "Update or create subscription group")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "create subscription group to which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "create subscription group to which cluster")
    var clusterName: String?
    @Option(name: [.customShort("g"), .customLong("groupName")], help: "consumer group name")
    var groupName: String
    @Option(name: [.customShort("s"), .customLong("consumeEnable")], help: "consume enable")
    var consumeEnable: Bool?
    @Option(name: [.customShort("m"), .customLong("consumeFromMinEnable")], help: "from min offset")
    var consumeFromMinEnable: Bool?
    @Option(name: [.customShort("d"), .customLong("consumeBroadcastEnable")], help: "broadcast")
    var consumeBroadcastEnable: Bool?
    @Option(name: [.customShort("q"), .customLong("retryQueueNums")], help: "retry queue nums")
    var retryQueueNums: Int32?
    @Option(name: [.customShort("r"), .customLong("retryMaxTimes")], help: "retry max times")
    var retryMaxTimes: Int32?
    @Option(name: [.customShort("i"), .customLong("brokerId")], help: "consumer from which broker id")
    var brokerId: Int64?
    @Option(name: [.customShort("w"), .customLong("whichBrokerWhenConsumeSlowly")], help: "which broker id when consume slowly")
    var whichBrokerWhenConsumeSlowly: Int64?
    @Option(name: [.customShort("a"), .customLong("notifyConsumerIdsChanged")], help: "notify consumerId changed")
    var notifyConsumerIdsChanged: Bool?

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("UpdateSubGroupSubCommand", common) { client in
            var config = SubscriptionGroupConfig(
                groupName: groupName.trimmed, consumeFromMinEnable: false, consumeBroadcastEnable: false)
            if let consumeEnable { config.consumeEnable = consumeEnable }
            if let consumeFromMinEnable { config.consumeFromMinEnable = consumeFromMinEnable }
            if let consumeBroadcastEnable { config.consumeBroadcastEnable = consumeBroadcastEnable }
            if let retryQueueNums { config.retryQueueNums = retryQueueNums }
            if let retryMaxTimes { config.retryMaxTimes = retryMaxTimes }
            if let brokerId { config.brokerId = brokerId }
            if let whichBrokerWhenConsumeSlowly { config.whichBrokerWhenConsumeSlowly = whichBrokerWhenConsumeSlowly }
            if let notifyConsumerIdsChanged { config.notifyConsumerIdsChangedEnable = notifyConsumerIdsChanged }
            let addresses: [String]
            if let brokerAddr { addresses = [brokerAddr.trimmed] } else {
                addresses = try await client.masterAddresses(cluster: clusterName!.trimmed)
            }
            for address in addresses {
                try await client.invoke(address, .updateAndCreateSubscriptionGroup, body: config.encoded())
                if !common.json { out("create subscription group to \(address) success.\n") }
            }
            if common.json {
                printJSON(.object(["brokers": .array(addresses.map(JSONValue.string)), "subscriptionGroupConfig": config.json]))
            } else {
                out("SubscriptionGroupConfig [groupName=\(config.groupName), consumeEnable=\(config.consumeEnable), "
                    + "consumeFromMinEnable=\(config.consumeFromMinEnable), consumeBroadcastEnable=\(config.consumeBroadcastEnable), "
                    + "retryQueueNums=\(config.retryQueueNums), retryMaxTimes=\(config.retryMaxTimes), brokerId=\(config.brokerId), "
                    + "whichBrokerWhenConsumeSlowly=\(config.whichBrokerWhenConsumeSlowly), "
                    + "notifyConsumerIdsChangedEnable=\(config.notifyConsumerIdsChangedEnable)]")
            }
        }
    }
}

// MARK: - deleteSubGroup

struct DeleteSubGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deleteSubGroup", abstract: "Delete subscription group from broker.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "delete subscription group from which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "delete subscription group from which cluster")
    var clusterName: String?
    @Option(name: [.customShort("g"), .customLong("groupName")], help: "subscription group name")
    var groupName: String
    @Option(name: [.customShort("r"), .customLong("removeOffset")], help: "remove offset")
    var removeOffset: Bool = false

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("DeleteSubscriptionGroupCommand", common) { client in
            let group = groupName.trimmed
            let header = DeleteSubscriptionGroupRequestHeader(groupName: group, removeOffset: removeOffset)
            if let brokerAddr {
                let address = brokerAddr.trimmed
                try await client.invoke(address, .deleteSubscriptionGroup, header: header)
                out("delete subscription group [\(group)] from broker [\(address)] success.\n")
                return
            }
            let cluster = clusterName!.trimmed
            for master in try await client.masterAddresses(cluster: cluster) {
                try await client.invoke(master, .deleteSubscriptionGroup, header: header)
                out("delete subscription group [\(group)] from broker [\(master)] in cluster [\(cluster)] success.\n")
            }
            // As mqadmin: the group's retry and DLQ topics go too.
            for topic in ["%RETRY%" + group, "%DLQ%" + group] {
                do {
                    for master in try await client.masterAddresses(cluster: cluster) {
                        try await client.invoke(master, .deleteTopicInBroker, header: DeleteTopicRequestHeader(topic: topic))
                    }
                    out("delete topic [\(topic)] from cluster [\(cluster)] success.\n")
                    for address in client.nameServers {
                        try await client.invoke(address, .deleteTopicInNamesrv,
                                                header: DeleteTopicFromNamesrvRequestHeader(topic: topic, clusterName: cluster))
                    }
                    out("delete topic [\(topic)] from NameServer success.\n")
                } catch {
                    FileHandleStandardError.write("\(error)\n")
                }
            }
        }
    }
}
