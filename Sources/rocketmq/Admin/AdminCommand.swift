import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RemotingCodec

/// `rocketmq admin <command>`: mqadmin's commands (4.9.8 names, options and output), plus `--json`.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer a RocketMQ name server and brokers (mqadmin-compatible).",
        subcommands: [
            ClusterListCommand.self, TopicListCommand.self, TopicRouteCommand.self, TopicStatusCommand.self,
            UpdateTopicCommand.self, UpdateTopicPermCommand.self, DeleteTopicCommand.self, BrokerStatusCommand.self, GetBrokerConfigCommand.self,
            UpdateBrokerConfigCommand.self,
            ConsumerProgressCommand.self, ConsumerConnectionCommand.self, ProducerConnectionCommand.self,
            UpdateSubGroupCommand.self, DeleteSubGroupCommand.self, SendMessageCommand.self,
            QueryMsgByKeyCommand.self, QueryMsgByIdCommand.self, QueryMsgByUniqueKeyCommand.self,
            ResetOffsetByTimeCommand.self, GetNamesrvConfigCommand.self, UpdateKvConfigCommand.self, DeleteKvConfigCommand.self,
            WipeWritePermCommand.self, CleanExpiredCQCommand.self, PrintMsgCommand.self, ConsumeMessageCommand.self,
            StatsAllCommand.self, QueryCqCommand.self, CleanUnusedTopicCommand.self, QueryMsgByOffsetCommand.self,
            ConsumerStatusCommand.self,
        ]
    )
}

// MARK: - clusterList

struct ClusterListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clusterList", abstract: "List all of clusters")

    @OptionGroup var common: AdminCommonOptions
    @Flag(name: [.customShort("m"), .customLong("moreStats")], help: "Print more stats")
    var moreStats = false

    func run() async throws {
        try await withAdmin("ClusterListSubCommand", common) { client in
            let info = try await client.clusterInfo()
            var rows: [JSONValue] = []
            if !common.json {
                if moreStats {
                    out(left("#Cluster Name", 16) + "  " + left("#Broker Name", 32) + " " + right("#InTotalYest", 14) + " "
                        + right("#OutTotalYest", 14) + " " + right("#InTotalToday", 14) + " " + right("#OutTotalToday", 14) + "\n")
                } else {
                    out(left("#Cluster Name", 16) + "  " + left("#Broker Name", 22) + "  " + left("#BID", 4) + "  "
                        + left("#Addr", 22) + " " + left("#Version", 16) + " " + right("#InTPS(LOAD)", 19) + " "
                        + right("#OutTPS(LOAD)", 19) + " " + right("#PCWait(ms)", 10) + " " + right("#Hour", 5) + " "
                        + right("#SPACE", 6) + "\n")
                }
            }
            for cluster in info.clusterAddrTable.keys.sorted() {
                for brokerName in Set(info.clusterAddrTable[cluster] ?? []).sorted() {
                    guard let data = info.brokerAddrTable[brokerName] else { continue }
                    for (id, address) in data.brokerAddrs.sorted(by: { $0.key < $1.key }) {
                        let table = (try? await client.brokerRuntimeInfo(address))?.table ?? [:]
                        if moreStats {
                            if id != 0 { continue }
                            let inYest = delta(table["msgPutTotalTodayMorning"], table["msgPutTotalYesterdayMorning"])
                            let outYest = delta(table["msgGetTotalTodayMorning"], table["msgGetTotalYesterdayMorning"])
                            let inToday = delta(table["msgPutTotalTodayNow"], table["msgPutTotalTodayMorning"])
                            let outToday = delta(table["msgGetTotalTodayNow"], table["msgGetTotalTodayMorning"])
                            if common.json {
                                rows.append(.object([
                                    "cluster": .string(cluster), "brokerName": .string(brokerName),
                                    "inTotalYest": .number("\(inYest)"), "outTotalYest": .number("\(outYest)"),
                                    "inTotalToday": .number("\(inToday)"), "outTotalToday": .number("\(outToday)"),
                                ]))
                            } else {
                                out(left(cluster, 16) + "  " + left(brokerName, 32) + " " + right(inYest, 14) + " "
                                    + right(outYest, 14) + " " + right(inToday, 14) + " " + right(outToday, 14) + "\n")
                            }
                            continue
                        }
                        let inTps = firstDouble(table["putTps"])
                        let outTps = firstDouble(table["getTransferedTps"])
                        var hour = 0.0
                        if let earliest = table["earliestMessageTimeStamp"], let value = Int64(earliest) {
                            hour = Double(currentMillis() - value) / 1000.0 / 60.0 / 60.0
                        }
                        let space = Double(table["commitLogDiskRatio"] ?? "") ?? 0
                        let version = table["brokerVersionDesc"] ?? ""
                        let inText = right(fixed(inTps, 2), 9) + "(\(table["sendThreadPoolQueueSize"] ?? "null"),\(table["sendThreadPoolQueueHeadWaitTimeMills"] ?? "null")ms)"
                        let outText = right(fixed(outTps, 2), 9) + "(\(table["pullThreadPoolQueueSize"] ?? "null"),\(table["pullThreadPoolQueueHeadWaitTimeMills"] ?? "null")ms)"
                        let pcWait = table["pageCacheLockTimeMills"] ?? "null"
                        if common.json {
                            rows.append(.object([
                                "cluster": .string(cluster), "brokerName": .string(brokerName), "brokerId": .number("\(id)"),
                                "addr": .string(address), "version": .string(version), "inTps": .number(fixed(inTps, 2)),
                                "outTps": .number(fixed(outTps, 2)),
                                "sendThreadPoolQueueSize": .string(table["sendThreadPoolQueueSize"] ?? ""),
                                "pullThreadPoolQueueSize": .string(table["pullThreadPoolQueueSize"] ?? ""),
                                "pageCacheLockTimeMills": .string(pcWait), "hour": .number(fixed(hour, 2)),
                                "space": .number(fixed(space, 4)),
                            ]))
                        } else {
                            out(left(cluster, 16) + "  " + left(brokerName, 22) + "  " + left(id, 4) + "  " + left(address, 22)
                                + " " + left(version, 16) + " " + right(inText, 19) + " " + right(outText, 19) + " "
                                + right(pcWait, 10) + " " + right(fixed(hour, 2), 5) + " " + right(fixed(space, 4), 6) + "\n")
                        }
                    }
                }
            }
            if common.json { printJSON(.object(["clusterInfo": info.json, "brokers": .array(rows)])) }
        }
    }

    private func delta(_ a: String?, _ b: String?) -> Int64 { (Int64(a ?? "") ?? 0) - (Int64(b ?? "") ?? 0) }
    private func firstDouble(_ text: String?) -> Double {
        guard let text, let first = text.split(separator: " ").first else { return 0 }
        return Double(first) ?? 0
    }
}

func currentMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}

// MARK: - topicList

struct TopicListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topicList", abstract: "Fetch all topic list from name server")

    @OptionGroup var common: AdminCommonOptions
    @Flag(name: [.customShort("c"), .customLong("clusterModel")], help: "clusterModel")
    var clusterModel = false

    func run() async throws {
        try await withAdmin("TopicListSubCommand", common) { client in
            let list = try await client.topicList()
            if !clusterModel {
                if common.json { printJSON(list.json); return }
                for topic in list.topicList { out("\(topic)\n") }
                return
            }
            // -c: cluster, topic and the consumer groups of each topic's retry/normal groups (as mqadmin).
            let info = try await client.clusterInfo()
            var rows: [JSONValue] = []
            if !common.json { out(left("#Cluster Name", 20) + "  " + left("#Topic", 48) + "  " + left("#Consumer Group", 48) + "\n") }
            for topic in list.topicList {
                if topic.hasPrefix("%RETRY%") || topic.hasPrefix("%DLQ%") { continue }
                var clusterName = ""
                var groups: [String] = []
                if let route = try? await client.topicRoute(topic), let brokerName = route.brokerDatas.first?.brokerName {
                    clusterName = info.clusterAddrTable.first(where: { $0.value.contains(brokerName) })?.key ?? ""
                    if let master = route.brokerDatas.lazy.compactMap({ $0.brokerAddrs[0] }).first,
                       let response = try? await client.invoke(master, .queryTopicConsumeByWho,
                                                               header: QueryTopicConsumeByWhoRequestHeader(topic: topic)),
                       let list = try? GroupList(body: response.body) {
                        groups = list.groupList
                    }
                }
                if common.json {
                    rows.append(.object(["cluster": .string(clusterName), "topic": .string(topic),
                                         "consumerGroups": .array(groups.map(JSONValue.string))]))
                    continue
                }
                for group in groups.isEmpty ? [""] : groups {
                    out(left(front(clusterName, 20), 20) + "  " + left(front(topic, 64), 64) + "  " + left(front(group, 64), 64) + "\n")
                }
            }
            if common.json { printJSON(.array(rows)) }
        }
    }
}

// MARK: - topicRoute

struct TopicRouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topicRoute", abstract: "Examine topic route info")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String

    func run() async throws {
        try await withAdmin("TopicRouteSubCommand", common) { client in
            let route = try await client.topicRoute(topic.trimmed)
            if common.json { printJSON(route.json) } else { out(fastjsonPretty(route.json) + "\n") }
        }
    }
}

// MARK: - topicStatus

struct TopicStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topicStatus", abstract: "Examine topic Status info")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String

    func run() async throws {
        try await withAdmin("TopicStatusSubCommand", common) { client in
            let topic = self.topic.trimmed
            let route = try await client.topicRoute(topic)
            var entries: [(queue: MessageQueue, offsets: TopicOffset)] = []
            for broker in route.brokerDatas {
                guard let master = broker.brokerAddrs[0] else { continue }
                entries += try await client.topicStats(master, topic: topic).offsetTable
            }
            entries.sort { $0.queue < $1.queue }
            if common.json { printJSON(TopicStatsTable(offsetTable: entries).json); return }
            out(left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Min Offset", 20) + "  " + left("#Max Offset", 20)
                + "    #Last Updated\n")
            for entry in entries {
                let stamp = entry.offsets.lastUpdateTimestamp > 0 ? humanTime(entry.offsets.lastUpdateTimestamp) : ""
                out(left(entry.queue.brokerName, 32) + "  " + left(entry.queue.queueId, 4) + "  " + left(entry.offsets.minOffset, 20)
                    + "  " + left(entry.offsets.maxOffset, 20) + "    " + stamp + "\n")
            }
        }
    }
}

// MARK: - updateTopic

struct UpdateTopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "updateTopic", abstract: "Update or create topic")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "create topic to which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "create topic to which cluster")
    var clusterName: String?
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("r"), .customLong("readQueueNums")], help: "set read queue nums")
    var readQueueNums: Int32 = 8
    @Option(name: [.customShort("w"), .customLong("writeQueueNums")], help: "set write queue nums")
    var writeQueueNums: Int32 = 8
    @Option(name: [.customShort("p"), .customLong("perm")], help: "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]")
    var perm: Int32 = 6
    @Option(name: [.customShort("o"), .customLong("order")], help: "set topic's order(true|false)")
    var order: Bool = false
    @Option(name: [.customShort("u"), .customLong("unit")], help: "is unit topic (true|false)")
    var unit: Bool = false
    @Option(name: [.customShort("s"), .customLong("hasUnitSub")], help: "has unit sub (true|false)")
    var hasUnitSub: Bool = false

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("UpdateTopicSubCommand", common) { client in
            var sysFlag: Int32 = 0
            if unit { sysFlag |= 1 }
            if hasUnitSub { sysFlag |= 2 }
            let config = TopicConfig(
                topicName: topic.trimmed, readQueueNums: readQueueNums,
                writeQueueNums: writeQueueNums, perm: perm, topicSysFlag: sysFlag, order: order)
            let header = CreateTopicRequestHeader(
                topic: config.topicName, defaultTopic: "TBW102", readQueueNums: config.readQueueNums,
                writeQueueNums: config.writeQueueNums, perm: config.perm, topicFilterType: config.topicFilterType.rawValue,
                topicSysFlag: config.topicSysFlag, order: config.order)
            let addresses: [String]
            if let brokerAddr { addresses = [brokerAddr.trimmed] } else {
                addresses = try await client.masterAddresses(cluster: clusterName!.trimmed)
            }
            for address in addresses {
                try await client.invoke(address, .updateAndCreateTopic, header: header)
                if !common.json { out("create topic to \(address) success.\n") }
            }
            if common.json {
                printJSON(.object(["brokers": .array(addresses.map(JSONValue.string)), "topicConfig": config.json]))
            } else {
                out(describe(config))
            }
        }
    }
}

// MARK: - updateTopicPerm

/// mqadmin `updateTopicPerm`: the topic's queue counts and flag from its route (first queue data), re-sent as
/// UPDATE_AND_CREATE_TOPIC with the new perm. Like Java, the perm is not checked against 2|4|6 here nor by
/// the broker: the help text is all that names them.
struct UpdateTopicPermCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "updateTopicPerm", abstract: "Update topic perm")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "create topic to which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "create topic to which cluster")
    var clusterName: String?
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("p"), .customLong("perm")], help: "set topic's permission(2|4|6), intro[2:W; 4:R; 6:RW]")
    var perm: String

    func run() async throws {
        try await withAdmin("UpdateTopicPermSubCommand", common) { client in
            let topic = self.topic.trimmed
            let route = try await client.topicRoute(topic)
            guard let first = route.queueDatas.first else { throw AdminError("No queue data in the route of \(topic)") }
            let permText = perm.trimmed
            guard let perm = Int32(permText) else { throw AdminError("java.lang.NumberFormatException: For input string: \"\(permText)\"") }
            let config = TopicConfig(topicName: topic, readQueueNums: first.readQueueNums, writeQueueNums: first.writeQueueNums,
                                     perm: perm, topicSysFlag: first.topicSysFlag)
            let header = CreateTopicRequestHeader(
                topic: topic, defaultTopic: "TBW102", readQueueNums: config.readQueueNums, writeQueueNums: config.writeQueueNums,
                perm: perm, topicFilterType: config.topicFilterType.rawValue, topicSysFlag: config.topicSysFlag, order: config.order)
            var updated: [JSONValue] = []
            func report(_ oldPerm: Int32, _ address: String) {
                updated.append(.object(["broker": .string(address), "oldPerm": .number("\(oldPerm)"), "perm": .number("\(perm)")]))
                if !common.json { out("update topic perm from \(oldPerm) to \(perm) in \(address) success.\n") }
            }
            if let brokerAddr {
                let address = brokerAddr.trimmed
                // Only a master of the topic's route (broker id 0 at that address) is updated.
                guard let brokerName = route.brokerDatas.first(where: { $0.brokerAddrs[0] == address })?.brokerName else {
                    if common.json { throw AdminError("updateTopicPerm error broker not exit or broker is not master!.") }
                    out("updateTopicPerm error broker not exit or broker is not master!.\n")
                    return
                }
                let oldPerm = route.queueDatas.first { $0.brokerName == brokerName }?.perm ?? 0
                if oldPerm == perm {
                    if common.json { printJSON(.object(["updated": .array([]), "topicConfig": config.json])); return }
                    out("new perm equals to the old one!\n")
                    return
                }
                try await client.invoke(address, .updateAndCreateTopic, header: header)
                report(oldPerm, address)
                if common.json { printJSON(.object(["updated": .array(updated), "topicConfig": config.json])) } else { out(describe(config) + ".\n") }
            } else if let clusterName {
                // As Java: the old perm shown is the first queue data's, whatever the broker.
                for address in try await client.masterAddresses(cluster: clusterName.trimmed) {
                    try await client.invoke(address, .updateAndCreateTopic, header: header)
                    report(first.perm, address)
                }
                if common.json { printJSON(.object(["updated": .array(updated), "topicConfig": config.json])) }
            } else {
                // Java prints its usage when neither -b nor -c is given.
                out(Self.helpMessage() + "\n")
            }
        }
    }
}

// MARK: - deleteTopic

struct DeleteTopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deleteTopic", abstract: "Delete topic from broker and NameServer.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "delete topic from which cluster")
    var clusterName: String

    func run() async throws {
        try await withAdmin("DeleteTopicSubCommand", common) { client in
            let topic = self.topic.trimmed
            let cluster = clusterName.trimmed
            let masters = try await client.masterAddresses(cluster: cluster)
            for address in masters {
                try await client.invoke(address, .deleteTopicInBroker, header: DeleteTopicRequestHeader(topic: topic))
            }
            if !common.json { out("delete topic [\(topic)] from cluster [\(cluster)] success.\n") }
            for address in client.nameServers {
                try await client.invoke(address, .deleteTopicInNamesrv,
                                        header: DeleteTopicFromNamesrvRequestHeader(topic: topic, clusterName: cluster))
            }
            if common.json {
                printJSON(.object(["topic": .string(topic), "cluster": .string(cluster),
                                   "brokers": .array(masters.map(JSONValue.string)),
                                   "nameServers": .array(client.nameServers.map(JSONValue.string))]))
            } else {
                out("delete topic [\(topic)] from NameServer success.\n")
            }
        }
    }
}

// MARK: - brokerStatus

struct BrokerStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "brokerStatus", abstract: "Fetch broker runtime status data")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "Broker address")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "which cluster")
    var clusterName: String?

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("BrokerStatusSubCommand", common) { client in
            if let brokerAddr {
                let table = try await client.brokerRuntimeInfo(brokerAddr.trimmed)
                if common.json { printJSON(table.json); return }
                for key in table.table.keys.sorted() { out(left(key, 32) + ": " + table.table[key]! + "\n") }
                return
            }
            let addresses = try await client.allAddresses(cluster: clusterName!.trimmed)
            var all = JSONObject()
            for address in addresses {
                let table: KVTable
                do { table = try await client.brokerRuntimeInfo(address) } catch {
                    FileHandleStandardError.write("Fetch broker runtime status data failed: \(address) \(error)\n")
                    continue
                }
                if common.json { all.append(key: .string(address), table.json); continue }
                for key in table.table.keys.sorted() {
                    out(left(address, 24) + " " + left(key, 32) + ": " + table.table[key]! + "\n")
                }
            }
            if common.json { printJSON(.object(all)) }
        }
    }
}

// MARK: - getBrokerConfig

struct GetBrokerConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "getBrokerConfig", abstract: "Get broker config by cluster or special broker!")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "get which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "get which cluster")
    var clusterName: String?

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("GetBrokerConfigCommand", common) { client in
            var all = JSONObject()
            func show(_ address: String, _ title: String) async throws {
                let config = try await client.brokerConfig(address)
                if common.json {
                    var object = JSONObject()
                    for entry in config { object.append(key: .string(entry.key), .string(entry.value)) }
                    all.append(key: .string(address), .object(object))
                    return
                }
                out(title)
                if config.isEmpty { out("Broker[\(address)] has no config property!\n"); return }
                for entry in config { out(left(entry.key, 50) + "=  " + entry.value + "\n") }
                out("\n")
            }
            if let brokerAddr {
                let address = brokerAddr.trimmed
                try await show(address, "============\(address)============\n")
            } else {
                for group in try await client.mastersAndSlaves(cluster: clusterName!.trimmed) {
                    try await show(group.master, "============Master: \(group.master)============\n")
                    for slave in group.slaves {
                        try await show(slave, "============My Master: \(group.master)=====Slave: \(slave)============\n")
                    }
                }
            }
            if common.json { printJSON(.object(all)) }
        }
    }
}

// MARK: - updateBrokerConfig

struct UpdateBrokerConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "updateBrokerConfig", abstract: "Update broker's config")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "update which broker")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("clusterName")], help: "update which cluster")
    var clusterName: String?
    @Option(name: [.customShort("k"), .customLong("key")], help: "config key")
    var key: String
    @Option(name: [.customShort("v"), .customLong("value")], help: "config value")
    var value: String

    func validate() throws {
        if brokerAddr == nil && clusterName == nil { throw ValidationError("Missing -b brokerAddr or -c clusterName") }
    }

    func run() async throws {
        try await withAdmin("UpdateBrokerConfigSubCommand", common) { client in
            let addresses: [String]
            if let brokerAddr { addresses = [brokerAddr.trimmed] } else {
                addresses = try await client.allAddresses(cluster: clusterName!.trimmed)
            }
            let body = ByteBuffer(string: "\(key.trimmed)=\(value.trimmed)\n")
            for address in addresses {
                try await client.invoke(address, .updateBrokerConfig, body: body)
                if !common.json { out("update broker config success, \(address)\n") }
            }
            if common.json {
                printJSON(.object(["key": .string(key), "value": .string(value), "brokers": .array(addresses.map(JSONValue.string))]))
            }
        }
    }
}
