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

// MARK: - resetOffsetByTime

struct ResetOffsetByTimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resetOffsetByTime", abstract: "Reset consumer offset by timestamp(without client restart).")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("g"), .customLong("group")], help: "set the consumer group")
    var group: String
    @Option(name: [.customShort("t"), .customLong("topic")], help: "set the topic")
    var topic: String
    @Option(name: [.customShort("s"), .customLong("timestamp")], help: "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]")
    var timestamp: String
    @Option(name: [.customShort("f"), .customLong("force")], help: "set the force rollback by timestamp switch[true|false]")
    var force: Bool = true
    @Flag(name: [.customShort("c"), .customLong("cplus")], help: "reset c++ client offset")
    var cplus = false

    /// `now` → -1, millis, or `yyyy-MM-dd#HH:mm:ss:SSS` in local time.
    static func parseTimestamp(_ text: String) throws -> Int64 {
        if text == "now" { return -1 }
        if let millis = Int64(text) { return millis }
        let parts = text.split(whereSeparator: { "-#:".contains($0) }).compactMap { Int32($0) }
        guard parts.count == 7 else { throw AdminError("timestamp must be now, milliseconds or yyyy-MM-dd#HH:mm:ss:SSS: \(text)") }
        var fields = tm()
        fields.tm_year = parts[0] - 1900
        fields.tm_mon = parts[1] - 1
        fields.tm_mday = parts[2]
        fields.tm_hour = parts[3]
        fields.tm_min = parts[4]
        fields.tm_sec = parts[5]
        fields.tm_isdst = -1
        return Int64(mktime(&fields)) * 1000 + Int64(parts[6])
    }

    func run() async throws {
        try await withAdmin("ResetOffsetByTimeCommand", common) { client in
            let group = self.group.trimmed
            let topic = self.topic.trimmed
            let stamp = try Self.parseTimestamp(timestamp.trimmed)
            let route = try await client.topicRoute(topic)
            var table: [(queue: MessageQueue, offset: Int64)] = []
            for broker in route.brokerDatas {
                guard let master = broker.brokerAddrs[0] else { continue }
                let header = ResetOffsetRequestHeader(topic: topic, group: group, timestamp: stamp, isForce: force)
                let response = try await client.invoke(master, .invokeBrokerToResetOffset, header: header)
                if let body = response.body, body.readableBytes > 0 { table += try ResetOffsetBody(body: body).offsetTable }
            }
            table.sort { $0.queue < $1.queue }
            if common.json { printJSON(ResetOffsetBody(offsetTable: table).json); return }
            out("rollback consumer offset by specified group[\(group)], topic[\(topic)], force[\(force)], "
                + "timestamp(string)[\(timestamp)], timestamp(long)[\(stamp)]\n")
            out(left("#brokerName", 40) + "  " + left("#queueId", 40) + "  " + left("#offset", 40) + "\n")
            for entry in table {
                out(left(front(entry.queue.brokerName, 32), 40) + "  " + left(entry.queue.queueId, 40) + "  " + left(entry.offset, 40) + "\n")
            }
        }
    }
}

// MARK: - name server commands

struct GetNamesrvConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "getNamesrvConfig", abstract: "Get configs of name server.")

    @OptionGroup var common: AdminCommonOptions

    func run() async throws {
        try await withAdmin("GetNamesrvConfigCommand", common) { client in
            var all = JSONObject()
            for address in client.nameServers {
                let response = try await client.invoke(address, .getNamesrvConfig)
                let config = response.body.map { parseProperties(String(buffer: $0)) } ?? []
                if common.json {
                    var object = JSONObject()
                    for entry in config { object.append(key: .string(entry.key), .string(entry.value)) }
                    all.append(key: .string(address), .object(object))
                    continue
                }
                out("============\(address)============\n")
                for entry in config { out(left(entry.key, 50) + "=  " + entry.value + "\n") }
            }
            if common.json { printJSON(.object(all)) }
        }
    }
}

struct UpdateKvConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "updateKvConfig", abstract: "Create or update KV config.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("s"), .customLong("namespace")], help: "set the namespace")
    var namespace: String
    @Option(name: [.customShort("k"), .customLong("key")], help: "set the key name")
    var key: String
    @Option(name: [.customShort("v"), .customLong("value")], help: "set the key value")
    var value: String

    func run() async throws {
        try await withAdmin("UpdateKvConfigCommand", common) { client in
            for address in client.nameServers {
                try await client.invoke(address, .putKVConfig, header: PutKVConfigRequestHeader(namespace: namespace, key: key, value: value))
            }
            if common.json { printJSON(.object(["namespace": .string(namespace), "key": .string(key), "value": .string(value)])) } else {
                out("create or update kv config to namespace success.\n")
            }
        }
    }
}

struct DeleteKvConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deleteKvConfig", abstract: "Delete KV config.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("s"), .customLong("namespace")], help: "set the namespace")
    var namespace: String
    @Option(name: [.customShort("k"), .customLong("key")], help: "set the key name")
    var key: String

    func run() async throws {
        try await withAdmin("DeleteKvConfigCommand", common) { client in
            for address in client.nameServers {
                try await client.invoke(address, .deleteKVConfig, header: DeleteKVConfigRequestHeader(namespace: namespace, key: key))
            }
            if common.json { printJSON(.object(["namespace": .string(namespace), "key": .string(key)])) } else {
                out("delete kv config from namespace success.\n")
            }
        }
    }
}

struct WipeWritePermCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wipeWritePerm", abstract: "Wipe write perm of broker in all name server")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerName")], help: "broker name")
    var brokerName: String

    func run() async throws {
        try await withAdmin("WipeWritePermSubCommand", common) { client in
            let name = brokerName.trimmed
            var results = JSONObject()
            for address in client.nameServers {
                do {
                    let response = try await client.invoke(address, .wipeWritePermOfBroker, header: WipeWritePermOfBrokerRequestHeader(brokerName: name))
                    let count = (try? response.decodeHeader(WipeWritePermOfBrokerResponseHeader.self))?.wipeTopicCount ?? 0
                    results.append(key: .string(address), .number("\(count)"))
                    if !common.json { out("wipe write perm of broker[\(name)] in name server[\(address)] OK, \(count)\n") }
                } catch {
                    results.append(key: .string(address), .null)
                    if !common.json { out("wipe write perm of broker[\(name)] in name server[\(address)] Failed\n") }
                    FileHandleStandardError.write("\(error)\n")
                }
            }
            if common.json { printJSON(.object(results)) }
        }
    }
}

struct CleanExpiredCQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cleanExpiredCQ", abstract: "Clean expired ConsumeQueue on broker.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "Broker address")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("cluster")], help: "clustername")
    var cluster: String?

    func run() async throws {
        try await withAdmin("CleanExpiredCQSubCommand", common) { client in
            var addresses: [String]
            if let brokerAddr { addresses = [brokerAddr.trimmed] } else if let cluster {
                addresses = try await client.masterAddresses(cluster: cluster.trimmed)
            } else {
                let info = try await client.clusterInfo()
                addresses = info.brokerAddrTable.keys.sorted().compactMap { info.brokerAddrTable[$0]?.brokerAddrs[0] }
            }
            var result = true
            for address in addresses {
                do { try await client.invoke(address, .cleanExpiredConsumeQueue) } catch {
                    result = false
                    FileHandleStandardError.write("\(error)\n")
                }
            }
            if common.json { printJSON(.object(["result": .bool(result)])) } else { out(result ? "success" : "false") }
        }
    }
}

/// mqadmin `cleanUnusedTopic`: CLEAN_UNUSED_TOPIC on `-b`, else on every broker (masters and slaves) of `-c`,
/// else of every cluster; as Java, the result printed is that of the last broker asked.
struct CleanUnusedTopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cleanUnusedTopic", abstract: "Clean unused topic on broker.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "Broker address")
    var brokerAddr: String?
    @Option(name: [.customShort("c"), .customLong("cluster")], help: "cluster name")
    var cluster: String?

    func run() async throws {
        try await withAdmin("CleanUnusedTopicCommand", common) { client in
            var result = false
            if let brokerAddr {
                // A failure on the one broker named fails the command (Java lets the exception through).
                try await client.invoke(brokerAddr.trimmed, .cleanUnusedTopic)
                result = true
            } else {
                let info = try await client.clusterInfo()
                let name = cluster?.trimmed ?? ""
                let clusters = name.isEmpty ? info.clusterAddrTable.keys.sorted() : [name]
                for cluster in clusters {
                    // Java `retrieveAllAddrByCluster`: every address of each broker; an unknown cluster has none.
                    for brokerName in Set(info.clusterAddrTable[cluster] ?? []).sorted() {
                        for address in (info.brokerAddrTable[brokerName]?.brokerAddrs ?? [:]).sorted(by: { $0.key < $1.key }).map(\.value) {
                            try await client.invoke(address, .cleanUnusedTopic)
                            result = true
                        }
                    }
                }
            }
            if common.json { printJSON(.object(["result": .bool(result)])) } else { out(result ? "success" : "false") }
        }
    }
}
