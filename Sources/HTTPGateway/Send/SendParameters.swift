#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import RocketMQClient
import RocketMQModel

/// The message attributes of `POST /topics/{topic}/messages`, each as a header or a query parameter
/// (the query wins): tags, keys, user properties, delay level or delivery time, sharding key.
struct SendParameters: Equatable {
    var tags: String?
    var keys: [String] = []
    var properties: [(String, String)] = []
    var delayTimeLevel: Int32?
    var deliverTimeMillis: Int64?
    var shardingKey: String?

    static func == (lhs: SendParameters, rhs: SendParameters) -> Bool {
        lhs.tags == rhs.tags && lhs.keys == rhs.keys && lhs.delayTimeLevel == rhs.delayTimeLevel
            && lhs.deliverTimeMillis == rhs.deliverTimeMillis && lhs.shardingKey == rhs.shardingKey
            && lhs.properties.elementsEqual(rhs.properties) { $0 == $1 }
    }

    /// Header prefix of a user property (`X-RocketMQ-Property-color: red`); the name is lower-cased, the
    /// value percent-decoded.
    static let propertyHeaderPrefix = "x-rocketmq-property-"
    /// Query prefix of a user property (`?property.color=red`).
    static let propertyQueryPrefix = "property."

    init() {}

    /// The attribute headers (names made once: a name is validated when made).
    enum Header {
        static let tags = HTTPField.Name("X-RocketMQ-Tags")!
        static let keys = HTTPField.Name("X-RocketMQ-Keys")!
        static let delayLevel = HTTPField.Name("X-RocketMQ-Delay-Level")!
        static let deliverTime = HTTPField.Name("X-RocketMQ-Deliver-Time")!
        static let shardingKey = HTTPField.Name("X-RocketMQ-Sharding-Key")!
    }

    init(headers: HTTPFields, query: [(String, String)]) throws(GatewayError) {
        func value(_ header: HTTPField.Name, _ parameter: String) -> String? {
            if !query.isEmpty, let found = query.last(where: { $0.0 == parameter }) { return found.1 }
            return headers[header]
        }
        tags = value(Header.tags, "tags").flatMap { $0.isEmpty ? nil : $0 }
        if let keys = value(Header.keys, "keys") {
            // Keys are space-separated on the wire (Java KEY_SEPARATOR); commas are accepted too.
            self.keys = keys.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
        if let level = value(Header.delayLevel, "delayLevel") {
            guard let parsed = Int32(level), parsed > 0 else {
                throw GatewayError.badRequest("delayLevel must be a positive integer, got \(level)")
            }
            delayTimeLevel = parsed
        }
        if let time = value(Header.deliverTime, "deliverTimeMillis") {
            guard let parsed = Int64(time), parsed > 0 else {
                throw GatewayError.badRequest("deliverTimeMillis must be ms since the epoch, got \(time)")
            }
            deliverTimeMillis = parsed
        }
        if delayTimeLevel != nil && deliverTimeMillis != nil {
            throw GatewayError.badRequest("give a delay level or a delivery time, not both")
        }
        shardingKey = value(Header.shardingKey, "shardingKey").flatMap { $0.isEmpty ? nil : $0 }
        for field in headers {
            // HTTP header names are case-insensitive, and clients re-case them (Python's http.client sends
            // X-Rocketmq-Property-Note, HTTP/2 lower-cases): the lower-cased name gives a predictable
            // property name. The query form keeps the case.
            let name = field.name.canonicalName
            guard name.utf8.count > Self.propertyHeaderPrefix.utf8.count, name.hasPrefix(Self.propertyHeaderPrefix) else { continue }
            properties.append((String(name.dropFirst(Self.propertyHeaderPrefix.count)), PercentEncoding.decode(field.value)))
        }
        for (name, value) in query where name.hasPrefix(Self.propertyQueryPrefix) && name.count > Self.propertyQueryPrefix.count {
            properties.append((String(name.dropFirst(Self.propertyQueryPrefix.count)), value))
        }
        for (name, _) in properties where MessageConst.reservedNames.contains(name) {
            throw GatewayError.badRequest("the property name \(name) is reserved by RocketMQ")
        }
    }

    /// The message to send, `body` as is.
    func message(topic: String, body: ByteBuffer) -> Message {
        var message = Message(topic: topic, body: body, tags: tags, keys: keys)
        for (name, value) in properties { message[property: name] = value }
        message.delayTimeLevel = delayTimeLevel
        message.deliverTimeMillis = deliverTimeMillis
        return message
    }
}

/// One entry of the batch form, `POST /topics/{topic}/messages/batch` with a JSON array.
struct BatchEntryRequest: Decodable {
    /// The body as text (UTF-8)…
    var body: String?
    /// …or as base64, for binary bodies.
    var bodyBase64: String?
    var tags: String?
    var keys: [String]?
    var properties: [String: String]?

    func message(topic: String) throws(GatewayError) -> Message {
        let bytes: ByteBuffer
        switch (body, bodyBase64) {
        case (let text?, nil): bytes = ByteBuffer(string: text)
        case (nil, let encoded?):
            guard let data = Data(base64Encoded: encoded) else { throw GatewayError.badRequest("bodyBase64 is not base64") }
            bytes = ByteBuffer(bytes: data)
        default: throw GatewayError.badRequest("each batch entry needs one of body or bodyBase64")
        }
        var message = Message(topic: topic, body: bytes, tags: tags, keys: keys ?? [])
        for (name, value) in (properties ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !MessageConst.reservedNames.contains(name) else {
                throw GatewayError.badRequest("the property name \(name) is reserved by RocketMQ")
            }
            message[property: name] = value
        }
        return message
    }
}

/// The answer to a send (Java `SendResult`).
struct SendAnswer: Codable, Equatable {
    var msgId: String
    var offsetMsgId: String
    var topic: String
    var brokerName: String
    var queueId: Int32
    var queueOffset: Int64
    var status: String

    init(_ result: SendResult) {
        msgId = result.msgId
        offsetMsgId = result.offsetMsgId
        topic = result.messageQueue.topic
        brokerName = result.messageQueue.brokerName
        queueId = result.messageQueue.queueId
        queueOffset = result.queueOffset
        status = result.status.rawValue
    }

    /// What `JSONEncoder` with sorted keys writes, without running Foundation's encoder on every send.
    var json: ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 160 + msgId.utf8.count + offsetMsgId.utf8.count + topic.utf8.count)
        buffer.writeStaticString("{\"brokerName\":")
        JSONText.writeQuoted(brokerName, into: &buffer)
        buffer.writeStaticString(",\"msgId\":")
        JSONText.writeQuoted(msgId, into: &buffer)
        buffer.writeStaticString(",\"offsetMsgId\":")
        JSONText.writeQuoted(offsetMsgId, into: &buffer)
        buffer.writeStaticString(",\"queueId\":")
        buffer.writeString(String(queueId))
        buffer.writeStaticString(",\"queueOffset\":")
        buffer.writeString(String(queueOffset))
        buffer.writeStaticString(",\"status\":")
        JSONText.writeQuoted(status, into: &buffer)
        buffer.writeStaticString(",\"topic\":")
        JSONText.writeQuoted(topic, into: &buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    var jsonText: String { String(buffer: json) }
}

/// JSON string literals as Foundation's `JSONEncoder` writes them (`/` escaped, short escapes, other
/// control characters as `\u00xx`), written as runs of bytes that need no escape.
enum JSONText {
    static func writeQuoted(_ string: String, into buffer: inout ByteBuffer) {
        var string = string
        buffer.writeInteger(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                let escape: StaticString
                var hexDigits = false
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/"): escape = "\\/"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0..<0x20:
                    escape = "\\u00"
                    hexDigits = true
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart..<index]))
                buffer.writeStaticString(escape)
                if hexDigits {
                    let hex: StaticString = "0123456789abcdef"
                    buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
                    buffer.writeInteger(hex.utf8Start[Int(byte & 0xF)])
                }
                runStart = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
