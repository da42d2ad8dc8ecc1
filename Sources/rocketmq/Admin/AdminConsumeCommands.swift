import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RemotingCodec
import RocketMQModel

// MARK: - pulling as Java's DefaultMQPullConsumer

/// One PULL_MESSAGE answer as Java's `PullResult`: its status name, offsets and the messages left after the
/// client's own tag check.
struct PullOutcome {
    var status: String
    var nextBeginOffset: Int64
    var minOffset: Int64
    var maxOffset: Int64
    var messages: [StoredMessage]
}

extension AdminClient {
    /// Java `fetchSubscribeMessageQueues`: every read queue of a readable broker of the topic's route, with the
    /// address the pull consumer would use (the master, else the lowest broker id), in the order of Java's
    /// HashSet of them.
    func subscribeQueues(topic: String) async throws -> [(queue: MessageQueue, address: String)] {
        let route = try await topicRoute(topic)
        var queues: [(queue: MessageQueue, address: String)] = []
        for data in route.queueDatas where data.perm & 4 != 0 {
            guard let broker = route.brokerDatas.first(where: { $0.brokerName == data.brokerName }),
                  let address = broker.brokerAddrs[0] ?? broker.brokerAddrs.sorted(by: { $0.key < $1.key }).first?.value else { continue }
            for queueId in 0..<max(0, data.readQueueNums) {
                queues.append((MessageQueue(topic: topic, brokerName: data.brokerName, queueId: queueId), address))
            }
        }
        if queues.isEmpty { throw AdminError("Can not find Message Queue for this topic, \(topic)") }
        return javaHashOrder(queues) { javaHashCode($0.queue) }
    }

    func minOffset(_ address: String, _ queue: MessageQueue) async throws -> Int64 {
        let response = try await invoke(address, .getMinOffset, header: GetMinOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId))
        return try response.decodeHeader(GetMinOffsetResponseHeader.self).offset
    }

    func maxOffset(_ address: String, _ queue: MessageQueue) async throws -> Int64 {
        let response = try await invoke(address, .getMaxOffset, header: GetMaxOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId))
        return try response.decodeHeader(GetMaxOffsetResponseHeader.self).offset
    }

    func searchOffset(_ address: String, _ queue: MessageQueue, timestamp: Int64) async throws -> Int64 {
        let header = SearchOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId, timestamp: timestamp)
        return try await invoke(address, .searchOffsetByTimestamp, header: header).decodeHeader(SearchOffsetResponseHeader.self).offset
    }

    /// Java `DefaultMQPullConsumer.pull` (not blocking): the subscription travels with the pull, and the
    /// client keeps only messages whose tag the expression names (`FilterAPI`, `PullAPIWrapper`).
    func pull(_ address: String, group: String, queue: MessageQueue, subExpression: String, offset: Int64, maxNums: Int32) async throws -> PullOutcome {
        let header = PullMessageRequestHeader(
            consumerGroup: group, topic: queue.topic, queueId: queue.queueId, queueOffset: offset, maxMsgNums: maxNums,
            sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 20_000, subscription: subExpression, subVersion: 0, expressionType: "TAG")
        let response = try await invoke(address, .pullMessage, header: header,
                                        accept: [.pullNotFound, .pullRetryImmediately, .pullOffsetMoved])
        let fields = try response.decodeHeader(PullMessageResponseHeader.self)
        let status: String
        switch ResponseCode(response.code) {
        case .success: status = "FOUND"
        case .pullNotFound: status = "NO_NEW_MSG"
        case .pullRetryImmediately: status = "NO_MATCHED_MSG"
        default: status = "OFFSET_ILLEGAL"
        }
        var messages: [StoredMessage] = []
        if status == "FOUND", let body = response.body { messages = try StoredMessage.decodeAll(body) }
        let tags = Set(subExpression.components(separatedBy: "||").map { $0.trimmed }.filter { !$0.isEmpty })
        if !tags.isEmpty && !tags.contains("*") {
            messages = messages.filter { $0.tags.map(tags.contains) ?? false }
        }
        return PullOutcome(status: status, nextBeginOffset: fields.nextBeginOffset, minOffset: fields.minOffset,
                           maxOffset: fields.maxOffset, messages: messages)
    }
}

/// The order Java's `HashMap` / `HashSet` iterates its entries in: by bucket of the spread `hashCode` at the
/// table's size (16, doubled while more than 3/4 full), then in insertion order.
func javaHashOrder<Element>(_ items: [Element], hashCode: (Element) -> Int32) -> [Element] {
    var capacity = 16
    while Double(items.count) > Double(capacity) * 0.75 { capacity *= 2 }
    let buckets = items.map { item -> Int in
        let hash = UInt32(bitPattern: hashCode(item))
        return Int((hash ^ (hash >> 16)) & UInt32(capacity - 1))
    }
    return items.indices.sorted { (buckets[$0], $0) < (buckets[$1], $1) }.map { items[$0] }
}

/// Java `MessageQueue.hashCode()`.
func javaHashCode(_ queue: MessageQueue) -> Int32 {
    var result: Int32 = 1
    result = 31 &* result &+ JavaHash.hashCode(queue.brokerName)
    result = 31 &* result &+ queue.queueId
    return 31 &* result &+ JavaHash.hashCode(queue.topic)
}

/// A pulled message as Java's client prints it: `MessageExt.toString()` with the MIN_OFFSET / MAX_OFFSET
/// properties the pull consumer adds, and its body (decompressed as the client does).
func pulledMessageLine(_ message: StoredMessage, brokerName: String, minOffset: Int64, maxOffset: Int64, printBody: Bool = true) -> String {
    var pairs = message.properties.map { ($0.name, $0.value) }
    pairs.removeAll { $0.0 == "MIN_OFFSET" || $0.0 == "MAX_OFFSET" }
    pairs += [("MIN_OFFSET", String(minOffset)), ("MAX_OFFSET", String(maxOffset))]
    let values = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    let properties = javaHashOrder(pairs.map(\.0), hashCode: JavaHash.hashCode).map { "\($0)=\(values[$0] ?? "")" }.joined(separator: ", ")
    let body = (try? message.uncompressedBody(maxSize: 64 * 1024 * 1024)) ?? message.body
    let bytes = Array(body.readableBytesView)
    let transactionId = message.properties["TRAN_MSG"] == "true" ? message.properties.uniqueKey ?? "null" : "null"
    let text = "MessageExt [brokerName=\(brokerName), queueId=\(message.queueId), storeSize=\(message.storeSize), "
        + "queueOffset=\(message.queueOffset), sysFlag=\(message.sysFlag.rawValue), bornTimestamp=\(message.bornTimestamp), "
        + "bornHost=/\(hostText(message.bornHost)), storeTimestamp=\(message.storeTimestamp), storeHost=/\(hostText(message.storeHost)), "
        + "msgId=\(message.offsetMsgId), commitLogOffset=\(message.physicalOffset), bodyCRC=\(message.bodyCRC), "
        + "reconsumeTimes=\(message.reconsumeTimes), preparedTransactionOffset=\(message.preparedTransactionOffset), "
        + "toString()=Message{topic='\(message.topic)', flag=\(message.flag), properties={\(properties)}, "
        + "body=[\(bytes.map { String(Int8(bitPattern: $0)) }.joined(separator: ", "))], transactionId='\(transactionId)'}]"
    let bodyText = printBody ? String(decoding: bytes, as: UTF8.self) : "NOT PRINT BODY"
    return "MSGID: \(clientMsgId(message)) \(text) BODY: \(bodyText)\n"
}

/// Java `MessageQueue.toString()`.
func describe(_ queue: MessageQueue) -> String {
    "MessageQueue [topic=\(queue.topic), brokerName=\(queue.brokerName), queueId=\(queue.queueId)]"
}

// MARK: - printMsg

/// mqadmin `printMsg`: every message of every read queue, from the min (or `-b` time) to the max (or `-e`).
struct PrintMsgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "printMsg", abstract: "Print Message Detail")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("c"), .customLong("charsetName")], help: "CharsetName(eg: UTF-8,GBK); UTF-8 only here")
    var charsetName: String = "UTF-8"
    @Option(name: [.customShort("s"), .customLong("subExpression")], help: "Subscribe Expression(eg: TagA || TagB)")
    var subExpression: String = "*"
    @Option(name: [.customShort("b"), .customLong("beginTimestamp")], help: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]")
    var beginTimestamp: String?
    @Option(name: [.customShort("e"), .customLong("endTimestamp")], help: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]")
    var endTimestamp: String?
    @Option(name: [.customShort("d"), .customLong("printBody")], help: "print body")
    var printBody: Bool = true

    func run() async throws {
        try await withAdmin("PrintMessageSubCommand", common) { client in
            let topic = self.topic.trimmed
            var printed: [JSONValue] = []
            for (queue, address) in try await client.subscribeQueues(topic: topic) {
                var minOffset = try await client.minOffset(address, queue)
                var maxOffset = try await client.maxOffset(address, queue)
                if let beginTimestamp {
                    minOffset = try await client.searchOffset(address, queue, timestamp: try ResetOffsetByTimeCommand.parseTimestamp(beginTimestamp.trimmed))
                }
                if let endTimestamp {
                    maxOffset = try await client.searchOffset(address, queue, timestamp: try ResetOffsetByTimeCommand.parseTimestamp(endTimestamp.trimmed))
                }
                if !common.json { out("minOffset=\(minOffset), maxOffset=\(maxOffset), \(describe(queue))\n") }
                var offset = minOffset
                readQueue: while offset < maxOffset {
                    let result = try await client.pull(
                        address, group: MixAll.toolsConsumerGroup, queue: queue, subExpression: subExpression.trimmed, offset: offset, maxNums: 32)
                    offset = result.nextBeginOffset
                    switch result.status {
                    case "FOUND":
                        for message in result.messages {
                            if common.json {
                                printed.append(messageJSON(message))
                            } else {
                                out(pulledMessageLine(message, brokerName: queue.brokerName, minOffset: result.minOffset,
                                                      maxOffset: result.maxOffset, printBody: printBody))
                            }
                        }
                    case "NO_MATCHED_MSG":
                        if !common.json { out("\(describe(queue)) no matched msg. status=\(result.status), offset=\(offset)\n") }
                    default:
                        if !common.json { out("\(describe(queue)) print msg finished. status=\(result.status), offset=\(offset)\n") }
                        break readQueue
                    }
                }
                if !common.json { out("--------------------------------------------------------\n") }
            }
            if common.json { printJSON(.array(printed)) }
        }
    }
}

// MARK: - consumeMessage

/// mqadmin `consumeMessage`: up to `-c` messages (128) pulled from the topic's queues, or from one queue
/// (`-b -i`) from an offset (`-o`), as the tools consumer group or `-g`.
struct ConsumeMessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consumeMessage", abstract: "Consume message")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "Topic name")
    var topic: String
    @Option(name: [.customShort("b"), .customLong("brokerName")], help: "Broker name")
    var brokerName: String?
    @Option(name: [.customShort("i"), .customLong("queueId")], help: "Queue Id")
    var queueId: Int32?
    @Option(name: [.customShort("o"), .customLong("offset")], help: "Queue offset")
    var offset: Int64?
    @Option(name: [.customShort("g"), .customLong("consumerGroup")], help: "Consumer group name")
    var consumerGroup: String?
    @Option(name: [.customShort("s"), .customLong("beginTimestamp")], help: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]")
    var beginTimestamp: String?
    @Option(name: [.customShort("e"), .customLong("endTimestamp")], help: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]")
    var endTimestamp: String?
    @Option(name: [.customShort("c"), .customLong("MessageNumber")], help: "Number of message to be consumed")
    var messageNumber: Int64 = 128

    func run() async throws {
        try await withAdmin("ConsumeMessageCommand", common) { client in
            // Java's argument checks print a line and end the command normally.
            guard messageNumber > 0 else { out("Please input a positive messageNumber!"); return }
            if queueId != nil && brokerName == nil { out("Please set the brokerName before queueId!"); return }
            if offset != nil && queueId == nil { out("Please set queueId before offset!"); return }
            let now = currentMillis()
            var begin: Int64 = 0
            var end: Int64 = 0
            if let beginTimestamp {
                begin = try ResetOffsetByTimeCommand.parseTimestamp(beginTimestamp.trimmed)
                if begin > now { out("Please set the beginTimestamp before now!"); return }
            }
            if let endTimestamp {
                end = try ResetOffsetByTimeCommand.parseTimestamp(endTimestamp.trimmed)
                if end > now { out("Please set the endTimestamp before now!"); return }
                if begin > end { out("Please make sure that the beginTimestamp is less than or equal to the endTimestamp"); return }
            }
            let topic = self.topic.trimmed
            let group = consumerGroup?.trimmed ?? MixAll.toolsConsumerGroup
            var consumed: [JSONValue] = []
            let queues = try await client.subscribeQueues(topic: topic)

            func bounds(_ queue: MessageQueue, _ address: String) async throws -> (Int64, Int64) {
                var low = try await client.minOffset(address, queue)
                var high = try await client.maxOffset(address, queue)
                if begin > 0 { low = try await client.searchOffset(address, queue, timestamp: begin) }
                if end > 0 { high = try await client.searchOffset(address, queue, timestamp: end) }
                return (low, high)
            }
            func pullQueue(_ queue: MessageQueue, _ address: String, from low: Int64, to high: Int64) async throws {
                var offset = low
                readQueue: while offset <= high {
                    let result = try await client.pull(
                        address, group: group, queue: queue, subExpression: "*", offset: offset, maxNums: Int32(clamping: high - offset + 1))
                    offset = result.nextBeginOffset
                    switch result.status {
                    case "FOUND":
                        if common.json { consumed += result.messages.map(messageJSON); continue }
                        out("Consume ok\n")
                        for message in result.messages {
                            out(pulledMessageLine(message, brokerName: queue.brokerName, minOffset: result.minOffset, maxOffset: result.maxOffset))
                        }
                    case "NO_MATCHED_MSG":
                        if !common.json { out("\(describe(queue)) no matched msg. status=\(result.status), offset=\(offset)\n") }
                    default:
                        if !common.json { out("\(describe(queue)) print msg finished. status=\(result.status), offset=\(offset)\n") }
                        break readQueue
                    }
                }
            }

            if let brokerName, let queueId {
                let queue = MessageQueue(topic: topic, brokerName: brokerName.trimmed, queueId: queueId)
                guard let address = queues.first(where: { $0.queue.brokerName == queue.brokerName })?.address else {
                    throw AdminError("The broker[\(queue.brokerName)] not exist")
                }
                var (low, high) = try await bounds(queue, address)
                let from = offset ?? 0
                if from > high {
                    if !common.json { out("\(describe(queue)) no matched msg, offset=\(from)\n") }
                } else {
                    low = max(low, from)
                    if high - low > messageNumber {
                        if !common.json { out("The oldler \(messageNumber) message will be provided\n") }
                        high = low + messageNumber - 1
                    }
                    try await pullQueue(queue, address, from: low, to: high)
                }
            } else {
                var left = messageNumber
                for (queue, address) in queues {
                    if left == 0 { break }
                    var (low, high) = try await bounds(queue, address)
                    if high - low > left {
                        if !common.json { out("The older \(left) message of the \(queue.queueId) queue will be provided\n") }
                        high = low + left - 1
                        left = 0
                    } else {
                        left = left - (high - low) - 1
                    }
                    try await pullQueue(queue, address, from: low, to: high)
                }
            }
            if common.json { printJSON(.array(consumed)) }
        }
    }
}

// MARK: - statsAll

/// mqadmin `statsAll`: per topic and consumer group, the lag and the put/get rates and 24-hour counts the
/// brokers' stats items hold (VIEW_BROKER_STATS_DATA).
struct StatsAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statsAll", abstract: "Topic and Consumer tps stats")

    @OptionGroup var common: AdminCommonOptions
    @Flag(name: [.customShort("a"), .customLong("activeTopic")], help: "print active topic only")
    var activeTopic = false
    @Option(name: [.customShort("t"), .customLong("topic")], help: "print select topic only")
    var topic: String?

    /// Java `compute24HourSum`: the day's sum, else the hour's, else the minute's.
    static func daySum(_ data: BrokerStatsData) -> Int64 {
        if data.statsDay.sum != 0 { return data.statsDay.sum }
        if data.statsHour.sum != 0 { return data.statsHour.sum }
        return data.statsMinute.sum
    }

    func run() async throws {
        try await withAdmin("StatsAllSubCommand", common) { client in
            var rows: [JSONValue] = []
            if !common.json {
                out(left("#Topic", 64) + "  " + left("#Consumer Group", 64) + " " + right("#Accumulation", 12) + " " + right("#InTPS", 11)
                    + " " + right("#OutTPS", 11) + " " + right("#InMsg24Hour", 14) + " " + right("#OutMsg24Hour", 14) + "\n")
            }
            let selected = topic?.trimmed ?? ""
            for topic in try await client.topicList().topicList {
                if topic.hasPrefix("%RETRY%") || topic.hasPrefix("%DLQ%") { continue }
                if !selected.isEmpty && topic != selected { continue }
                // Java skips a topic whose route or consumer list cannot be read.
                guard let route = try? await client.topicRoute(topic),
                      let whoAddress = route.brokerDatas.lazy.compactMap({ $0.brokerAddrs[0] ?? $0.brokerAddrs.values.first }).first,
                      let who = try? await client.invoke(whoAddress, .queryTopicConsumeByWho, header: QueryTopicConsumeByWhoRequestHeader(topic: topic)),
                      let groups = try? GroupList(body: who.body).groupList else { continue }
                let masters = route.brokerDatas.compactMap { $0.brokerAddrs[0] }
                func stats(_ name: String, _ key: String) async -> (tps: Double, day: Int64) {
                    var result = (tps: 0.0, day: Int64(0))
                    for master in masters {
                        guard let response = try? await client.invoke(master, .viewBrokerStatsData, header: ViewBrokerStatsDataRequestHeader(statsName: name, statsKey: key)),
                              let data = try? BrokerStatsData(body: response.body) else { continue }
                        result.tps += data.statsMinute.tps
                        result.day += Self.daySum(data)
                    }
                    return result
                }
                let put = await stats("TOPIC_PUT_NUMS", topic)
                if groups.isEmpty {
                    if activeTopic && put.day <= 0 { continue }
                    if common.json {
                        rows.append(.object(["topic": .string(topic), "inTps": .number(put.tps), "inMsg24Hour": .number(put.day)]))
                    } else {
                        out(left(front(topic, 64), 64) + "  " + left("", 64) + " " + right(0, 12) + " " + right(fixed(put.tps, 2), 11) + " "
                            + right("", 11) + " " + right(put.day, 14) + " " + right("NO_CONSUMER", 14) + "\n")
                    }
                    continue
                }
                for group in groups {
                    let get = await stats("GROUP_GET_NUMS", "\(topic)@\(group)")
                    var accumulation: Int64 = 0
                    if let consume = try? await client.consumeStats(group: group, topic: topic) {
                        accumulation = max(0, consume.offsetTable.reduce(0) { $0 + $1.offsets.brokerOffset - $1.offsets.consumerOffset })
                    }
                    if activeTopic && put.day <= 0 && get.day <= 0 { continue }
                    if common.json {
                        rows.append(.object([
                            "topic": .string(topic), "consumerGroup": .string(group), "accumulation": .number(accumulation),
                            "inTps": .number(put.tps), "outTps": .number(get.tps), "inMsg24Hour": .number(put.day),
                            "outMsg24Hour": .number(get.day),
                        ]))
                    } else {
                        out(left(front(topic, 64), 64) + "  " + left(front(group, 64), 64) + " " + right(accumulation, 12) + " "
                            + right(fixed(put.tps, 2), 11) + " " + right(fixed(get.tps, 2), 11) + " " + right(put.day, 14) + " "
                            + right(get.day, 14) + "\n")
                    }
                }
            }
            if common.json { printJSON(.array(rows)) }
        }
    }
}

// MARK: - queryCq

/// mqadmin `queryCq`: consume-queue units of one queue (QUERY_CONSUME_QUEUE), on `-b` or the topic's first
/// broker.
struct QueryCqCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queryCq", abstract: "Query cq command.")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("q"), .customLong("queue")], help: "queue num, ie. 1")
    var queue: Int32
    @Option(name: [.customShort("i"), .customLong("index")], help: "start queue index.")
    var index: Int64
    @Option(name: [.customShort("c"), .customLong("count")], help: "how many.")
    var count: Int32 = 10
    @Option(name: [.customShort("b"), .customLong("broker")], help: "broker addr.")
    var broker: String?
    @Option(name: [.customShort("g"), .customLong("consumer")], help: "consumer group.")
    var consumer: String?

    func run() async throws {
        try await withAdmin("QueryConsumeQueueCommand", common) { client in
            let topic = self.topic.trimmed
            var address = broker?.trimmed ?? ""
            if address.isEmpty {
                let route = try await client.topicRoute(topic)
                guard let first = route.brokerDatas.first?.brokerAddrs[0] else { throw AdminError("No topic route data!") }
                address = first
            }
            let header = QueryConsumeQueueRequestHeader(topic: topic, queueId: queue, index: index, count: count, consumerGroup: consumer?.trimmed)
            let response = try await client.invoke(address, .queryConsumeQueue, header: header)
            guard let bodyBuffer = response.body else {
                // Past the queue's end Java's broker answers with a remark and no body, which mqadmin cannot print.
                throw AdminError(response.remark ?? "no consume queue data")
            }
            let body = try QueryConsumeQueueResponseBody(body: bodyBuffer)
            if common.json { printJSON(body.json); return }
            if let subscription = body.subscriptionData {
                out("Subscription data: \n\(fastjsonPretty(subscription.json))\n======================================\n")
            }
            if let filterData = body.filterData { out("Filter data: \n\(filterData)\n======================================\n") }
            out("Queue data: \nmax: \(body.maxQueueIndex), min: \(body.minQueueIndex)\n======================================\n")
            var position = index
            for unit in body.queueData ?? [] {
                func quoted(_ text: String?) -> String { "'\(text ?? "null")'" }
                out("idx: \(position)\nConsumeQueueData{physicOffset=\(unit.physicOffset), physicSize=\(unit.physicSize), "
                    + "tagsCode=\(unit.tagsCode), extendDataJson=\(quoted(unit.extendDataJson)), bitMap=\(quoted(unit.bitMap)), "
                    + "eval=\(unit.eval), msg=\(quoted(unit.msg))}\n======================================\n")
                position += 1
            }
        }
    }
}
