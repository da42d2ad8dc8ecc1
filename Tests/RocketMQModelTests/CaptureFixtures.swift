import FixtureSupport
import Foundation
import NIOCore
import Testing

/// A captured remoting frame whose body holds stored messages (PROTOCOL.md §4.8): a SUCCESS answer to
/// PULL_MESSAGE, QUERY_MESSAGE or VIEW_MESSAGE_BY_ID, or a CHECK_TRANSACTION_STATE request.
struct MessageBodyFrame: Sendable, CustomTestStringConvertible {
    let frame: FixtureFrame
    let kind: String

    var scenario: String { frame.scenario }
    var file: String { frame.file }
    var bodyLength: Int { frame.meta["body_length"]?.intValue ?? 0 }
    var testDescription: String { frame.description }

    func body() throws -> ByteBuffer { try frame.body() }

    static let all: [MessageBodyFrame] = Fixtures.frames.compactMap { frame in
        if frame.isResponse, frame.codeName == "SUCCESS", let name = frame.requestCodeName,
           ["PULL_MESSAGE", "QUERY_MESSAGE", "VIEW_MESSAGE_BY_ID"].contains(name) {
            return MessageBodyFrame(frame: frame, kind: name)
        }
        if frame.isRequest, frame.codeName == "CHECK_TRANSACTION_STATE" {
            return MessageBodyFrame(frame: frame, kind: frame.codeName)
        }
        return nil
    }

    /// Any captured frame's body, by scenario and file name.
    static func body(_ scenario: String, _ file: String) throws -> ByteBuffer {
        try #require(Fixtures.frame(scenario, file)).body()
    }
}

/// What a client program printed about one message (its `client-output.txt`).
struct PrintedMessage {
    var topic: String?
    var queueId: Int32?
    var queueOffset: Int64?
    var tags: String?
    var keys: String?
    var uniqueKey: String?
    var reconsumeTimes: Int32?
    var sysFlag: Int32?
    var bodyLength: Int?
    var body: String?
    var physicalOffset: Int64?
}

/// Parses the message lines of a scenario's `client-output.txt`, keyed by offsetMsgId (Java programs and
/// mqadmin `queryMsgById`) or by UNIQ_KEY (`queryMsgByKey`, the Python client).
struct ClientOutput {
    var byOffsetMsgId: [String: PrintedMessage] = [:]
    var byUniqueKey: [String: PrintedMessage] = [:]

    init(scenario: String) {
        guard let text = try? String(contentsOf: Fixtures.url(scenario, "client-output.txt"), encoding: .utf8) else {
            return
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let javaKeys = ["topic", "q", "off", "tags", "keys", "msgId", "offsetMsgId", "reconsume", "sysFlag", "bodyLen", "props"]
        var adminFields: [String: String] = [:]
        var sawMessageIdHeader = false
        for line in lines {
            if line.hasPrefix("RECV ") || line.hasPrefix("CHECK TX ") {
                let fields = Self.fields(of: line, keys: javaKeys)
                var printed = PrintedMessage()
                printed.topic = fields["topic"]
                printed.queueId = fields["q"].flatMap { Int32($0) }
                printed.queueOffset = fields["off"].flatMap { Int64($0) }
                printed.tags = fields["tags"]
                printed.keys = fields["keys"]
                printed.reconsumeTimes = fields["reconsume"].flatMap { Int32($0) }
                printed.sysFlag = fields["sysFlag"].flatMap { Int32($0) }
                printed.bodyLength = fields["bodyLen"].flatMap { Int($0) }
                if line.hasPrefix("CHECK TX "), let id = fields["msgId"] {
                    // The check listener's msgId is the offsetMsgId of the check copy (§4.6).
                    self.byOffsetMsgId[id] = printed
                } else if let id = fields["offsetMsgId"] {
                    printed.uniqueKey = fields["msgId"]
                    self.byOffsetMsgId[id] = printed
                }
            } else if line.hasPrefix("recv ") {
                // Python: recv <UNIQ_KEY> <topic> b'<tags>' b'<keys>' b'<body>' seq=b'<i>' q=<q> off=<off>
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count >= 9 else { continue }
                var printed = PrintedMessage()
                printed.uniqueKey = parts[1]
                printed.topic = parts[2]
                printed.tags = Self.pythonBytes(parts[3])
                printed.keys = Self.pythonBytes(parts[4])
                if let keysStart = line.range(of: "' b'"),
                    let bodyStart = line.range(of: "' b'", range: keysStart.upperBound..<line.endIndex),
                    let bodyEnd = line.range(of: "' seq=", range: bodyStart.upperBound..<line.endIndex)
                {
                    printed.body = String(line[bodyStart.upperBound..<bodyEnd.lowerBound])
                }
                for part in parts {
                    if part.hasPrefix("q=") { printed.queueId = Int32(part.dropFirst(2)) }
                    if part.hasPrefix("off=") { printed.queueOffset = Int64(part.dropFirst(4)) }
                }
                self.byUniqueKey[parts[1]] = printed
            } else if line.hasPrefix("#Message ID") {
                sawMessageIdHeader = true
            } else if sawMessageIdHeader {
                // mqadmin queryMsgByKey: <UNIQ_KEY> <QID> <Offset>
                let parts = line.split(separator: " ").map(String.init)
                if parts.count == 3 {
                    var printed = PrintedMessage()
                    printed.uniqueKey = parts[0]
                    printed.queueId = Int32(parts[1])
                    printed.queueOffset = Int64(parts[2])
                    self.byUniqueKey[parts[0]] = printed
                }
            } else if let colon = line.firstIndex(of: ":"), !line.hasPrefix(" ") {
                // mqadmin queryMsgById: "Label:   value"
                let label = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                adminFields[label] = value
            }
        }
        if let id = adminFields["OffsetID"] {
            var printed = PrintedMessage()
            printed.topic = adminFields["Topic"]
            printed.tags = adminFields["Tags"].map { String($0.dropFirst().dropLast()) }
            printed.keys = adminFields["Keys"].map { String($0.dropFirst().dropLast()) }
            printed.queueId = adminFields["Queue ID"].flatMap { Int32($0) }
            printed.queueOffset = adminFields["Queue Offset"].flatMap { Int64($0) }
            printed.physicalOffset = adminFields["CommitLog Offset"].flatMap { Int64($0) }
            printed.reconsumeTimes = adminFields["Reconsume Times"].flatMap { Int32($0) }
            printed.sysFlag = adminFields["System Flag"].flatMap { Int32($0) }
            self.byOffsetMsgId[id] = printed
        }
    }

    /// `key=value` pairs of a Java printout line; a value runs up to the next ` <key>=`.
    static func fields(of line: String, keys: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for (offset, key) in keys.enumerated() {
            guard let start = line.range(of: " \(key)=") ?? (line.hasPrefix("\(key)=") ? line.range(of: "\(key)=") : nil)
            else { continue }
            var end = line.endIndex
            for next in keys[(offset + 1)...] {
                if let range = line.range(of: " \(next)=", range: start.upperBound..<line.endIndex) {
                    end = range.lowerBound
                    break
                }
            }
            result[key] = String(line[start.upperBound..<end])
        }
        return result
    }

    /// `b'abc'` → `abc`.
    static func pythonBytes(_ text: String) -> String? {
        guard text.hasPrefix("b'"), text.hasSuffix("'"), text.count >= 3 else { return nil }
        return String(text.dropFirst(2).dropLast())
    }
}
