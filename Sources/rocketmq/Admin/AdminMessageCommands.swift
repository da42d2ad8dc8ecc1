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

// MARK: - sendMessage

/// mqadmin `sendMessage`: one message by SEND_MESSAGE to a master of the topic's route.
struct SendMessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sendMessage", abstract: "Send a message")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "Topic name")
    var topic: String
    @Option(name: [.customShort("p"), .customLong("body")], help: "UTF-8 string format of the message body")
    var body: String
    @Option(name: [.customShort("k"), .customLong("key")], help: "Message keys")
    var key: String?
    @Option(name: [.customShort("c"), .customLong("tags")], help: "Message tags")
    var tags: String?
    @Option(name: [.customShort("b"), .customLong("broker")], help: "Send message to target broker")
    var broker: String?
    @Option(name: [.customShort("i"), .customLong("qid")], help: "Send message to target queue")
    var qid: Int32?
    @Option(name: [.customShort("m"), .customLong("msgTraceEnable")], help: "Message Trace Enable, Default: false (ignored)")
    var msgTraceEnable: Bool = false

    func run() async throws {
        try await withAdmin("SendMessageCommand", common) { client in
            let topic = self.topic.trimmed
            let route = try await client.topicRoute(topic)
            // The queues we may write: (brokerName, master, writeQueueNums).
            var targets: [(name: String, master: String, queues: Int32)] = []
            for queueData in route.queueDatas.sorted(by: { $0.brokerName < $1.brokerName }) where queueData.perm & 2 != 0 {
                guard let data = route.brokerDatas.first(where: { $0.brokerName == queueData.brokerName }),
                      let master = data.brokerAddrs[0] else { continue }
                targets.append((queueData.brokerName, master, queueData.writeQueueNums))
            }
            if let broker { targets = targets.filter { $0.name == broker.trimmed } }
            guard !targets.isEmpty else { throw AdminError("No route info of this topic: \(topic)") }
            let now = currentMillis()
            let target = targets[Int(now % Int64(targets.count))]
            let queueId = qid ?? Int32(now % Int64(max(1, target.queues)))
            var generator = UniqueKeyGenerator(ipAddress: [127, 0, 0, 1], pid: getpid(), hash: Int32(truncatingIfNeeded: now))
            let uniqueKey = generator.next(nowMillis: now)
            var properties = ""
            func add(_ name: String, _ value: String) { properties += name + "\u{1}" + value + "\u{2}" }
            if let key { add("KEYS", key) }
            if let tags { add("TAGS", tags) }
            add("WAIT", "true")
            add("UNIQ_KEY", uniqueKey)
            let header = SendMessageRequestHeader(
                producerGroup: "PID_MQADMIN", topic: topic, queueId: queueId, bornTimestamp: now, properties: properties)
            var status = "SEND_OK"
            var offset: Int64 = -1
            do {
                let response = try await client.invoke(target.master, .sendMessage, header: header,
                                                       body: ByteBuffer(string: body), accept: [ResponseCode(10), ResponseCode(11), ResponseCode(12)])
                switch response.code {
                case 10: status = "FLUSH_DISK_TIMEOUT"
                case 11: status = "SLAVE_NOT_AVAILABLE"
                case 12: status = "FLUSH_SLAVE_TIMEOUT"
                default: break
                }
                if let decoded = try? response.decodeHeader(SendMessageResponseHeader.self) { offset = decoded.queueOffset }
            } catch {
                if common.json { throw error }
                out(left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Send Result", 20) + "    #MsgId\n")
                out(left("Unknown", 32) + "  " + left("Unknown", 4) + "  " + left("Failed", 20) + "    None\n")
                FileHandleStandardError.write("\(error)\n")
                throw ExitCode.failure
            }
            if common.json {
                printJSON(.object([
                    "sendStatus": .string(status), "msgId": .string(uniqueKey), "queueOffset": .number("\(offset)"),
                    "messageQueue": MessageQueue(topic: topic, brokerName: target.name, queueId: queueId).json,
                ]))
                return
            }
            out(left("#Broker Name", 32) + "  " + left("#QID", 4) + "  " + left("#Send Result", 20) + "    #MsgId\n")
            out(left(target.name, 32) + "  " + left(queueId, 4) + "  " + left(status, 20) + "    " + uniqueKey + "\n")
        }
    }
}

// MARK: - message queries

/// `ip:port` (Java `RemotingHelper.parseSocketAddressAddr`).
func hostText(_ host: MessageHost) -> String {
    let bytes = host.addressBytes
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") + ":\(host.port)" }
    var groups: [String] = []
    for index in stride(from: 0, to: bytes.count, by: 2) {
        groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
    }
    return groups.joined(separator: ":") + ":\(host.port)"
}

/// The id a client shows for a message (Java `MessageClientExt.getMsgId`): its UNIQ_KEY, else the offset id.
func clientMsgId(_ message: StoredMessage) -> String {
    message.properties["UNIQ_KEY"] ?? message.offsetMsgId
}

func messageJSON(_ message: StoredMessage) -> JSONValue {
    var properties = JSONObject()
    for property in message.properties { properties.append(key: .string(property.name), .string(property.value)) }
    return .object([
        "msgId": .string(clientMsgId(message)), "offsetMsgId": .string(message.offsetMsgId), "topic": .string(message.topic),
        "tags": message.tags.map(JSONValue.string) ?? .null, "keys": message.properties["KEYS"].map(JSONValue.string) ?? .null,
        "queueId": .number("\(message.queueId)"), "queueOffset": .number("\(message.queueOffset)"),
        "commitLogOffset": .number("\(message.physicalOffset)"), "reconsumeTimes": .number("\(message.reconsumeTimes)"),
        "bornTimestamp": .number("\(message.bornTimestamp)"), "storeTimestamp": .number("\(message.storeTimestamp)"),
        "bornHost": .string(hostText(message.bornHost)), "storeHost": .string(hostText(message.storeHost)),
        "sysFlag": .number("\(message.sysFlag.rawValue)"), "properties": .object(properties),
        "body": .string(String(decoding: message.body.readableBytesView, as: UTF8.self)),
    ])
}

/// Java `QueryMsgByIdSubCommand.printMsg` (the message track follows it in `queryMsgById`). `extra` are the
/// properties a pull consumer adds (MIN_OFFSET, MAX_OFFSET); all are printed in Java's HashMap order.
func printMessage(_ message: StoredMessage, extra: [(String, String)] = []) {
    func line(_ label: String, _ value: String) { out(left(label, 20) + " " + value + "\n") }
    let directory = "/tmp/rocketmq/msgbodys"
    var path = directory + "/" + clientMsgId(message)
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(message.body.readableBytesView).write(to: URL(fileURLWithPath: path))
    } catch { path = "(not written: \(error))" }
    line("OffsetID:", message.offsetMsgId)
    line("Topic:", message.topic)
    line("Tags:", "[\(message.tags ?? "null")]")
    line("Keys:", "[\(message.properties["KEYS"] ?? "null")]")
    line("Queue ID:", "\(message.queueId)")
    line("Queue Offset:", "\(message.queueOffset)")
    line("CommitLog Offset:", "\(message.physicalOffset)")
    line("Reconsume Times:", "\(message.reconsumeTimes)")
    line("Born Timestamp:", humanTime(message.bornTimestamp))
    line("Store Timestamp:", humanTime(message.storeTimestamp))
    line("Born Host:", hostText(message.bornHost))
    line("Store Host:", hostText(message.storeHost))
    line("System Flag:", "\(message.sysFlag.rawValue)")
    var pairs = message.properties.map { ($0.name, $0.value) }
    pairs.removeAll { pair in extra.contains { $0.0 == pair.0 } }
    pairs += extra
    let values = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    let properties = javaHashOrder(pairs.map(\.0), hashCode: JavaHash.hashCode).map { "\($0)=\(values[$0] ?? "")" }
    line("Properties:", "{" + properties.joined(separator: ", ") + "}")
    line("Message Body Path:", path)
}

extension AdminClient {
    /// QUERY_MESSAGE on every master of the topic's route (by key, or by unique key).
    func queryMessages(topic: String, key: String, unique: Bool, maxNum: Int32 = 64,
                       begin: Int64 = 0, end: Int64 = Int64.max) async throws -> [StoredMessage] {
        let route = try await topicRoute(topic)
        var messages: [StoredMessage] = []
        for broker in route.brokerDatas {
            guard let master = broker.brokerAddrs[0] else { continue }
            let header = QueryMessageRequestHeader(topic: topic, key: key, maxNum: maxNum, beginTimestamp: begin, endTimestamp: end,
                                                   uniqueKeyQuery: unique ? "true" : nil)
            let response = try await invoke(master, .queryMessage, header: header, accept: [.queryNotFound])
            guard response.code == ResponseCode.success.rawValue, let body = response.body else { continue }
            messages += try StoredMessage.decodeAll(body)
        }
        // As Java's client: only messages of the topic whose keys (or unique key) match.
        return messages.filter { message in
            guard message.topic == topic else { return false }
            if unique { return message.properties["UNIQ_KEY"] == key }
            let keys = (message.properties["KEYS"] ?? "").split(separator: " ").map(String.init)
            return keys.contains(key)
        }
    }

    /// VIEW_MESSAGE_BY_ID at the store host the offset message id names.
    func viewMessage(offsetMsgId: String) async throws -> StoredMessage {
        guard let decoded = MessageId.decodeOffsetMsgId(offsetMsgId) else { throw AdminError("Illegal message id: \(offsetMsgId)") }
        let response = try await invoke(hostText(decoded.host), .viewMessageById,
                                        header: ViewMessageRequestHeader(offset: decoded.physicalOffset))
        guard let body = response.body, let message = try StoredMessage.decodeAll(body).first else {
            throw AdminError("Message not found: \(offsetMsgId)")
        }
        return message
    }
}

struct QueryMsgByKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queryMsgByKey", abstract: "Query Message by Key")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("k"), .customLong("msgKey")], help: "Message Key")
    var msgKey: String
    @Option(name: [.customShort("b"), .customLong("beginTimestamp")], help: "Begin timestamp(ms). default:0")
    var beginTimestamp: Int64 = 0
    @Option(name: [.customShort("e"), .customLong("endTimestamp")], help: "End timestamp(ms). default:Long.MAX_VALUE")
    var endTimestamp: Int64 = Int64.max
    @Option(name: [.customShort("c"), .customLong("maxNum")], help: "The maximum number of messages returned by the query, default:64")
    var maxNum: Int32 = 64

    func run() async throws {
        try await withAdmin("QueryMsgByKeySubCommand", common) { client in
            let messages = try await client.queryMessages(
                topic: topic.trimmed, key: msgKey.trimmed, unique: false,
                maxNum: maxNum, begin: beginTimestamp, end: endTimestamp)
            if common.json { printJSON(.array(messages.map(messageJSON))); return }
            out(left("#Message ID", 50) + " " + right("#QID", 4) + " " + right("#Offset", 40) + "\n")
            for message in messages {
                out(left(clientMsgId(message), 50) + " " + right(message.queueId, 4) + " " + right(message.queueOffset, 40) + "\n")
            }
        }
    }
}

struct QueryMsgByIdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queryMsgById", abstract: "Query Message by Id")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("i"), .customLong("msgId")], help: "Message Id")
    var msgId: String

    func run() async throws {
        try await withAdmin("QueryMsgByIdSubCommand", common) { client in
            var messages: [StoredMessage] = []
            for id in msgId.split(separator: ",").map({ $0.trimmed }) where !id.isEmpty {
                messages.append(try await client.viewMessage(offsetMsgId: id))
            }
            var tracks: [[MessageTrack]?] = []
            for message in messages {
                do {
                    tracks.append(try await client.messageTrackDetail(message))
                } catch {
                    // mqadmin prints the failure and goes on: the message was found.
                    FileHandleStandardError.write("\(error)\n")
                    tracks.append(nil)
                }
            }
            if common.json {
                printJSON(.array(zip(messages, tracks).map { message, tracks in
                    var json = messageJSON(message)
                    if case .object(var object) = json {
                        object.append("messageTracks", tracks.map { .array($0.map(\.json)) } ?? .null)
                        json = .object(object)
                    }
                    return json
                }))
                return
            }
            for (message, tracks) in zip(messages, tracks) {
                printMessage(message)
                printTracks(tracks)
            }
        }
    }
}

/// As mqadmin: the tracks follow the message on one line, without a final newline (nil: they failed).
func printTracks(_ tracks: [MessageTrack]?) {
    guard let tracks else { return }
    if tracks.isEmpty { out("\n\nWARN: No Consumer") } else { out("\n\n" + tracks.map(\.description).joined()) }
}

/// Java `MessageTrack`: what a consumer group of the message's topic did with it.
struct MessageTrack: CustomStringConvertible {
    var consumerGroup: String
    var trackType = "UNKNOWN"
    var exceptionDesc: String?

    var description: String { "MessageTrack [consumerGroup=\(consumerGroup), trackType=\(trackType), exceptionDesc=\(exceptionDesc ?? "null")]" }

    var json: JSONValue {
        .object(["consumerGroup": .string(consumerGroup), "trackType": .string(trackType), "exceptionDesc": exceptionDesc.map(JSONValue.string) ?? .null])
    }
}

extension AdminClient {
    /// Java `DefaultMQAdminExtImpl.messageTrackDetail`: for each group consuming the message's topic, PULL for a
    /// pull consumer, NOT_ONLINE, CONSUMED (or CONSUMED_BUT_FILTERED when its tags do not match) once the
    /// group's offset on the message's queue of its store host is past it, else NOT_CONSUME_YET.
    func messageTrackDetail(_ message: StoredMessage) async throws -> [MessageTrack] {
        let route = try await topicRoute(message.topic)
        guard let address = route.brokerDatas.lazy.compactMap({ $0.brokerAddrs[0] ?? $0.brokerAddrs.values.first }).first else { return [] }
        let response = try await invoke(address, .queryTopicConsumeByWho, header: QueryTopicConsumeByWhoRequestHeader(topic: message.topic))
        var tracks: [MessageTrack] = []
        for group in try GroupList(body: response.body).groupList {
            var track = MessageTrack(consumerGroup: group)
            let connection: ConsumerConnection
            do {
                connection = try await consumerConnection(group: group)
            } catch let error as AdminResponseError {
                if error.code == ResponseCode.consumerNotOnline.rawValue { track.trackType = "NOT_ONLINE" }
                track.exceptionDesc = "CODE:\(error.code) DESC:\(error.remark ?? "null")"
                tracks.append(track)
                continue
            } catch {
                track.exceptionDesc = "\(error)"
                tracks.append(track)
                continue
            }
            switch connection.consumeType {
            case .consumeActively: track.trackType = "PULL"
            case .consumePassively:
                do {
                    guard try await consumed(message, group: group) else {
                        track.trackType = "NOT_CONSUME_YET"
                        break
                    }
                    track.trackType = "CONSUMED"
                    if let subscription = connection.subscriptionTable.first(where: { $0.topic == message.topic }),
                       !(subscription.tagsSet.contains(message.tags ?? "") || subscription.tagsSet.contains("*") || subscription.tagsSet.isEmpty) {
                        track.trackType = "CONSUMED_BUT_FILTERED"
                    }
                } catch let error as AdminResponseError {
                    if error.code == ResponseCode.consumerNotOnline.rawValue { track.trackType = "NOT_ONLINE" }
                    track.exceptionDesc = "CODE:\(error.code) DESC:\(error.remark ?? "null")"
                } catch {
                    // Java's examineConsumeStats fails with CONSUMER_NOT_ONLINE when no offsets came back.
                    track.trackType = "NOT_ONLINE"
                    track.exceptionDesc = "CODE:\(ResponseCode.consumerNotOnline.rawValue) DESC:\(error)"
                }
            case nil: break
            }
            tracks.append(track)
        }
        return tracks
    }

    /// Java `consumed`: the group's offset on the message's queue, at the master that stored it, is past it.
    func consumed(_ message: StoredMessage, group: String) async throws -> Bool {
        let stats = try await consumeStats(group: group)
        let info = try await clusterInfo()
        let storeHost = hostText(message.storeHost)
        return stats.offsetTable.contains { entry in
            entry.queue.topic == message.topic && entry.queue.queueId == message.queueId
                && info.brokerAddrTable[entry.queue.brokerName]?.brokerAddrs[0] == storeHost
                && entry.offsets.consumerOffset > message.queueOffset
        }
    }
}

struct QueryMsgByUniqueKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queryMsgByUniqueKey", abstract: "Query Message by Unique key")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("i"), .customLong("msgId")], help: "Message Id")
    var msgId: String
    @Option(name: [.customShort("t"), .customLong("topic")], help: "The topic of msg")
    var topic: String
    @Option(name: [.customShort("a"), .customLong("showAll")], help: "Print all message, the limit is 32")
    var showAll: Bool = false

    func run() async throws {
        try await withAdmin("QueryMsgByUniqueKeySubCommand", common) { client in
            var messages = try await client.queryMessages(
                topic: topic.trimmed, key: msgId.trimmed, unique: true,
                maxNum: 32)
            messages.sort { $0.storeTimestamp < $1.storeTimestamp }
            if !showAll { messages = Array(messages.prefix(1)) }
            if messages.isEmpty { throw AdminError("Query message by unique key failed: no message \(msgId) in \(topic)") }
            if common.json { printJSON(.array(messages.map(messageJSON))); return }
            for message in messages { printMessage(message); out("\n") }
        }
    }
}

// MARK: - queryMsgByOffset

/// mqadmin `queryMsgByOffset`: a pull of one message (TOOLS_CONSUMER, `*`) at the offset of the queue of the
/// broker named; printed as queryMsgById (with the pull's MIN_OFFSET/MAX_OFFSET properties and the message
/// track). Nothing is printed when the pull finds no message there, as in Java.
struct QueryMsgByOffsetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queryMsgByOffset", abstract: "Query Message by offset")

    @OptionGroup var common: AdminCommonOptions
    @Option(name: [.customShort("t"), .customLong("topic")], help: "topic name")
    var topic: String
    @Option(name: [.customShort("b"), .customLong("brokerName")], help: "Broker Name")
    var brokerName: String
    @Option(name: [.customShort("i"), .customLong("queueId")], help: "Queue Id")
    var queueId: String
    @Option(name: [.customShort("o"), .customLong("offset")], help: "Queue Offset")
    var offset: String

    func run() async throws {
        try await withAdmin("QueryMsgByOffsetSubCommand", common) { client in
            let topic = self.topic.trimmed, brokerName = self.brokerName.trimmed
            let queueText = queueId.trimmed, offsetText = offset.trimmed
            guard let queueId = Int32(queueText) else { throw AdminError("java.lang.NumberFormatException: For input string: \"\(queueText)\"") }
            guard let offset = Int64(offsetText) else { throw AdminError("java.lang.NumberFormatException: For input string: \"\(offsetText)\"") }
            // The pull consumer's broker look-up: the master of that name in the topic's route, else its lowest id;
            // a topic without a route has no broker either.
            let route = try? await client.topicRoute(topic)
            guard let data = route?.brokerDatas.first(where: { $0.brokerName == brokerName }),
                  let address = data.brokerAddrs[0] ?? data.brokerAddrs.sorted(by: { $0.key < $1.key }).first?.value else {
                throw AdminError("The broker[\(brokerName)] not exist")
            }
            let queue = MessageQueue(topic: topic, brokerName: brokerName, queueId: queueId)
            let result = try await client.pull(address, group: MixAll.toolsConsumerGroup, queue: queue, subExpression: "*",
                                               offset: offset, maxNums: 1)
            guard result.status == "FOUND", let message = result.messages.first else {
                if common.json { printJSON(.object(["pullStatus": .string(result.status), "message": .null])) }
                return
            }
            let extra = [("MIN_OFFSET", String(result.minOffset)), ("MAX_OFFSET", String(result.maxOffset))]
            var tracks: [MessageTrack]?
            do { tracks = try await client.messageTrackDetail(message) } catch {
                FileHandleStandardError.write("\(error)\n")
            }
            if common.json {
                printJSON(.object(["pullStatus": .string(result.status), "message": messageJSON(message),
                                   "messageTracks": tracks.map { .array($0.map(\.json)) } ?? .null]))
                return
            }
            printMessage(message, extra: extra)
            printTracks(tracks)
        }
    }
}
