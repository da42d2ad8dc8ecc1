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
import RocketMQModel

/// Java `ConsumerRunningInfo` as mqadmin reads a client's GET_CONSUMER_RUNNING_INFO answer (fastjson into
/// Properties, TreeSet and TreeMaps), from Java or C++ clients (C++ sends numbers as strings and the
/// mqTable with object keys).
struct ConsumerRunningInfo {
    struct Subscription { var topic: String; var subString: String; var classFilterMode: Bool }
    struct ProcessQueue {
        var commitOffset: Int64, cachedMsgMinOffset: Int64, cachedMsgMaxOffset: Int64
        var cachedMsgCount: Int64, cachedMsgSizeInMiB: Int64
        var transactionMsgMinOffset: Int64, transactionMsgMaxOffset: Int64, transactionMsgCount: Int64
        var locked: Bool, tryUnlockTimes: Int64, lastLockTimestamp: Int64, droped: Bool
        var lastPullTimestamp: Int64, lastConsumeTimestamp: Int64

        /// Java `ProcessQueueInfo.toString()`.
        var description: String {
            "ProcessQueueInfo [commitOffset=\(commitOffset), cachedMsgMinOffset=\(cachedMsgMinOffset), "
                + "cachedMsgMaxOffset=\(cachedMsgMaxOffset), cachedMsgCount=\(cachedMsgCount), cachedMsgSizeInMiB=\(cachedMsgSizeInMiB), "
                + "transactionMsgMinOffset=\(transactionMsgMinOffset), transactionMsgMaxOffset=\(transactionMsgMaxOffset), "
                + "transactionMsgCount=\(transactionMsgCount), locked=\(locked), tryUnlockTimes=\(tryUnlockTimes), "
                + "lastLockTimestamp=\(compactTime(lastLockTimestamp)), droped=\(droped), "
                + "lastPullTimestamp=\(compactTime(lastPullTimestamp)), lastConsumeTimestamp=\(compactTime(lastConsumeTimestamp))]"
        }
    }
    struct Status { var pullRT, pullTPS, consumeRT, consumeOKTPS, consumeFailedTPS: Double; var consumeFailedMsgs: Int64 }

    /// In the order Java's `Properties` iterates them on JDK 8, mqadmin 4.9.8's JDK (a Hashtable; JDK 9+ back it
    /// with a ConcurrentHashMap, whose order differs).
    var properties: [(key: String, value: String)]
    var subscriptions: [Subscription]
    var mqTable: [(queue: MessageQueue, info: ProcessQueue)]
    var statusTable: [(topic: String, status: Status)]
    var jstack: String?
    let raw: JSONValue

    init(body: ByteBuffer?) throws {
        guard let body else { throw AdminError("GET_CONSUMER_RUNNING_INFO answered without a body") }
        raw = try JSONValue.parse(body.readableBytesView)
        var pairs: [(key: String, value: String)] = []
        for member in raw.members("properties") {
            guard let key = member.key.stringValue else { continue }
            pairs.append((key, member.value.stringValue ?? JSONWriter().string(member.value)))
        }
        properties = hashtableOrder(pairs)
        var subscriptions: [Subscription] = []
        for item in raw["subscriptionSet"]?.arrayValue ?? [] {
            subscriptions.append(Subscription(topic: item["topic"]?.stringValue ?? "null", subString: item["subString"]?.stringValue ?? "null",
                                              classFilterMode: item["classFilterMode"]?.boolValue ?? false))
        }
        // TreeSet by `topic@subString` (SubscriptionData.compareTo), duplicates dropped.
        subscriptions.sort { javaLess($0.topic + "@" + $0.subString, $1.topic + "@" + $1.subString) }
        self.subscriptions = subscriptions.enumerated().filter { index, item in
            index == 0 || subscriptions[index - 1].topic + "@" + subscriptions[index - 1].subString != item.topic + "@" + item.subString
        }.map(\.element)
        var table: [(queue: MessageQueue, info: ProcessQueue)] = []
        for member in raw.members("mqTable") {
            let queue = try MessageQueue(json: member.key)
            let v = member.value
            func long(_ key: String) -> Int64 { v[key]?.int64Value ?? 0 }
            table.append((queue, ProcessQueue(
                commitOffset: long("commitOffset"), cachedMsgMinOffset: long("cachedMsgMinOffset"),
                cachedMsgMaxOffset: long("cachedMsgMaxOffset"), cachedMsgCount: long("cachedMsgCount"),
                cachedMsgSizeInMiB: long("cachedMsgSizeInMiB"), transactionMsgMinOffset: long("transactionMsgMinOffset"),
                transactionMsgMaxOffset: long("transactionMsgMaxOffset"), transactionMsgCount: long("transactionMsgCount"),
                locked: v["locked"]?.boolValue ?? false, tryUnlockTimes: long("tryUnlockTimes"),
                lastLockTimestamp: long("lastLockTimestamp"), droped: v["droped"]?.boolValue ?? false,
                lastPullTimestamp: long("lastPullTimestamp"), lastConsumeTimestamp: long("lastConsumeTimestamp"))))
        }
        mqTable = table.sorted { $0.queue < $1.queue }
        var status: [(topic: String, status: Status)] = []
        for member in raw.members("statusTable") {
            guard let topic = member.key.stringValue else { continue }
            let v = member.value
            func double(_ key: String) -> Double { v[key]?.doubleValue ?? 0 }
            status.append((topic, Status(pullRT: double("pullRT"), pullTPS: double("pullTPS"), consumeRT: double("consumeRT"),
                                         consumeOKTPS: double("consumeOKTPS"), consumeFailedTPS: double("consumeFailedTPS"),
                                         consumeFailedMsgs: v["consumeFailedMsgs"]?.int64Value ?? 0)))
        }
        statusTable = status.sorted { javaLess($0.topic, $1.topic) }
        if let value = raw["jstack"], value != .null { jstack = value.stringValue } else { jstack = nil }
    }

    func property(_ key: String) -> String? { properties.first { $0.key == key }?.value }

    var isPush: Bool { property("PROP_CONSUME_TYPE") == "CONSUME_PASSIVELY" }

    /// Java `ConsumerRunningInfo.formatString()`.
    func formatString() -> String {
        var text = "#Consumer Properties#\n"
        for (key, value) in properties { text += left(key, 40) + ": " + value + "\n" }
        text += "\n\n#Consumer Subscription#\n"
        for (index, item) in subscriptions.enumerated() {
            let number = String(index + 1)
            text += String(repeating: "0", count: max(0, 3 - number.count)) + number + " Topic: " + left(item.topic, 40)
                + " ClassFilter: " + left(item.classFilterMode, 8) + " SubExpression: " + item.subString + "\n"
        }
        text += "\n\n#Consumer Offset#\n"
        text += left("#Topic", 64) + "  " + left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Consumer Offset", 20) + "\n"
        for (queue, info) in mqTable {
            text += left(queue.topic, 32) + "  " + left(queue.brokerName, 32) + "  " + left(queue.queueId, 4) + "  " + left(info.commitOffset, 20) + "\n"
        }
        text += "\n\n#Consumer MQ Detail#\n"
        text += left("#Topic", 64) + "  " + left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#ProcessQueueInfo", 20) + "\n"
        for (queue, info) in mqTable {
            text += left(queue.topic, 64) + "  " + left(queue.brokerName, 32) + "  " + left(queue.queueId, 4) + "  " + info.description + "\n"
        }
        text += "\n\n#Consumer RT&TPS#\n"
        text += left("#Topic", 64) + "  " + right("#Pull RT", 14) + " " + right("#Pull TPS", 14) + " " + right("#Consume RT", 14) + " "
            + right("#ConsumeOK TPS", 14) + " " + right("#ConsumeFailed TPS", 18) + " " + right("#ConsumeFailedMsgsInHour", 25) + "\n"
        for (topic, s) in statusTable {
            text += left(topic, 32) + "  " + right(fixed(s.pullRT, 2), 14) + " " + right(fixed(s.pullTPS, 2), 14) + " "
                + right(fixed(s.consumeRT, 2), 14) + " " + right(fixed(s.consumeOKTPS, 2), 14) + " "
                + right(fixed(s.consumeFailedTPS, 2), 18) + " " + right(s.consumeFailedMsgs, 25) + "\n"
        }
        if let jstack { text += "\n\n#Consumer jstack#\n" + jstack }
        return text
    }

    /// Java `analyzeProcessQueue`: push consumers' queues that look stuck.
    func analyzeProcessQueue(clientId: String, now: Int64) -> String {
        guard isPush else { return "" }
        let orderly = property("PROP_CONSUMEORDERLY")?.lowercased() == "true"
        var text = ""
        for (queue, info) in mqTable {
            if orderly {
                if !info.locked {
                    text += "\(clientId) \(describe(queue)) can't lock for a while, \(now - info.lastLockTimestamp)ms\n"
                } else if info.droped && info.tryUnlockTimes > 0 {
                    text += "\(clientId) \(describe(queue)) unlock \(info.tryUnlockTimes) times, still failed\n"
                }
            } else {
                let diff = now - info.lastConsumeTimestamp
                if diff > 60_000 && info.cachedMsgCount > 0 {
                    text += "\(clientId) \(describe(queue)) can't consume for a while, maybe blocked, \(diff)ms\n"
                }
            }
        }
        return text
    }

    /// Java `analyzeSubscription`: push consumers started over 2 minutes ago must all subscribe alike, and to
    /// something.
    static func analyzeSubscription(_ table: [(clientId: String, info: ConsumerRunningInfo)], now: Int64) -> Bool {
        guard let first = table.first?.info, first.isPush else { return true }
        let started = Int64(first.property("PROP_CONSUMER_START_TIMESTAMP") ?? "") ?? 0
        guard now - started > 2 * 60 * 1000 else { return true }
        func keys(_ info: ConsumerRunningInfo) -> [String] { info.subscriptions.map { $0.topic + "@" + $0.subString } }
        for entry in table where keys(entry.info) != keys(first) { return false }
        return !(table.last?.info.subscriptions.isEmpty ?? true)
    }
}

/// Java `String.compareTo` (UTF-16 units).
func javaLess(_ a: String, _ b: String) -> Bool { a.utf16.lexicographicallyPrecedes(b.utf16) }

/// The order a JDK 8 `Hashtable` (what `Properties` is) iterates entries put in this order: buckets from the
/// last to the first, newest first within one; capacity 11, rehashed to 2n+1 when `count >= 0.75 n`.
func hashtableOrder(_ pairs: [(key: String, value: String)]) -> [(key: String, value: String)] {
    var buckets: [[(key: String, value: String)]] = Array(repeating: [], count: 11)
    var count = 0
    func index(_ key: String, _ size: Int) -> Int { Int(UInt32(bitPattern: JavaHash.hashCode(key)) & 0x7FFF_FFFF) % size }
    for pair in pairs {
        let size = buckets.count
        if let at = buckets[index(pair.key, size)].firstIndex(where: { $0.key == pair.key }) {
            buckets[index(pair.key, size)][at].value = pair.value
            continue
        }
        if count >= Int(Double(size) * 0.75) {
            // Rehash walks old buckets from the last, each chain from its head, inserting at the new heads.
            var grown: [[(key: String, value: String)]] = Array(repeating: [], count: size * 2 + 1)
            for old in buckets.reversed() {
                for entry in old { grown[index(entry.key, grown.count)].insert(entry, at: 0) }
            }
            buckets = grown
        }
        buckets[index(pair.key, buckets.count)].insert(pair, at: 0)
        count += 1
    }
    return buckets.reversed().flatMap { $0 }
}

/// Java `UtilAll.timeMillisToHumanString`: `yyyyMMddHHmmssSSS` in local time.
func compactTime(_ millis: Int64) -> String {
    var seconds = time_t(millis / 1000)
    var parts = tm()
    localtime_r(&seconds, &parts)
    func pad(_ n: Int, _ width: Int) -> String { let text = String(n); return String(repeating: "0", count: max(0, width - text.count)) + text }
    return pad(Int(parts.tm_year) + 1900, 4) + pad(Int(parts.tm_mon) + 1, 2) + pad(Int(parts.tm_mday), 2) + pad(Int(parts.tm_hour), 2)
        + pad(Int(parts.tm_min), 2) + pad(Int(parts.tm_sec), 2) + pad(Int(millis % 1000), 3)
}

extension AdminClient {
    /// Java `getConsumerRunningInfo`: GET_CONSUMER_RUNNING_INFO to the first broker of `%RETRY%group`'s route
    /// (its master, else any), which relays it to the client.
    func consumerRunningInfo(group: String, clientId: String, jstack: Bool) async throws -> ConsumerRunningInfo? {
        let route = try await topicRoute("%RETRY%" + group)
        for broker in route.brokerDatas {
            guard let address = broker.brokerAddrs[0] ?? broker.brokerAddrs.values.first else { continue }
            let header = GetConsumerRunningInfoRequestHeader(consumerGroup: group, clientId: clientId, jstackEnable: jstack)
            return try ConsumerRunningInfo(body: try await invoke(address, .getConsumerRunningInfo, header: header).body)
        }
        return nil
    }
}

// MARK: - consumerStatus

/// mqadmin `consumerStatus`: each connected client's running info (relayed by the broker), written as a file
/// `<now>/<clientId>` under the working directory as Java does, then the group's analysis; with `-i`, that
/// client's running info printed.
struct ConsumerStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consumerStatus", abstract: "Query consumer's internal data structure")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("g"), .customLong("consumerGroup")], help: "consumer group name")
    var consumerGroup: String
    @Option(name: [.customShort("i"), .customLong("clientId")], help: "The consumer's client id")
    var clientId: String?
    @Option(name: [.customShort("b"), .customLong("brokerAddr")], help: "broker address")
    var brokerAddr: String?
    @Flag(name: [.customShort("s"), .customLong("jstack")], help: "Run jstack command in the consumer progress")
    var jstack = false

    func run() async throws {
        try await withAdmin("ConsumerStatusSubCommand", common) { client in
            let group = consumerGroup.trimmed
            let connection = try await client.consumerConnection(group: group, brokerAddr: brokerAddr?.trimmed)
            if let clientId {
                guard let info = try await client.consumerRunningInfo(group: group, clientId: clientId.trimmed, jstack: jstack) else { return }
                if common.json { printJSON(info.raw) } else { out(info.formatString()) }
                return
            }
            let now = currentMillis()
            if !common.json { out(left("#Index", 10) + " " + left("#ClientId", 40) + " " + left("#Version", 20) + " #ConsumerRunningInfoFile\n") }
            var table: [(clientId: String, info: ConsumerRunningInfo)] = []
            var index = 1
            for conn in connection.connectionSet {
                do {
                    guard let info = try await client.consumerRunningInfo(group: group, clientId: conn.clientId, jstack: jstack) else { continue }
                    table.append((conn.clientId, info))
                    let path = "\(now)/\(conn.clientId)"
                    // Java's string2FileNotSafe: the directory made as needed, a failure to write only logged.
                    do {
                        try FileManager.default.createDirectory(atPath: "\(now)", withIntermediateDirectories: true)
                        try Data(info.formatString().utf8).write(to: URL(fileURLWithPath: path))
                    } catch { FileHandleStandardError.write("\(error)\n") }
                    if !common.json {
                        out(left(index, 10) + " " + left(conn.clientId, 40) + " " + left(MQVersion.description(of: conn.version), 20) + " " + path + "\n")
                    }
                    index += 1
                } catch {
                    // Java prints the exception's stack trace and goes on with the next client.
                    FileHandleStandardError.write("\(error)\n")
                }
            }
            // Java's TreeMap by client id.
            table.sort { javaLess($0.clientId, $1.clientId) }
            if common.json {
                var object = JSONObject()
                for entry in table { object.append(key: .string(entry.clientId), entry.info.raw) }
                printJSON(.object(object))
                return
            }
            guard !table.isEmpty else { return }
            if ConsumerRunningInfo.analyzeSubscription(table, now: currentMillis()) {
                out("\n\nSame subscription in the same group of consumer")
                out("\n\nRebalance OK\n")
                for entry in table { out(entry.info.analyzeProcessQueue(clientId: entry.clientId, now: currentMillis())) }
            } else {
                out("\n\nWARN: Different subscription in the same group of consumer!!!")
            }
        }
    }
}
