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

    init(headers: HTTPFields, query: [(String, String)]) throws(GatewayError) {
        func value(_ header: String, _ parameter: String) -> String? {
            if let found = query.last(where: { $0.0 == parameter }) { return found.1 }
            return HTTPField.Name(header).flatMap { headers[$0] }
        }
        tags = value("X-RocketMQ-Tags", "tags").flatMap { $0.isEmpty ? nil : $0 }
        if let keys = value("X-RocketMQ-Keys", "keys") {
            // Keys are space-separated on the wire (Java KEY_SEPARATOR); commas are accepted too.
            self.keys = keys.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
        if let level = value("X-RocketMQ-Delay-Level", "delayLevel") {
            guard let parsed = Int32(level), parsed > 0 else {
                throw GatewayError.badRequest("delayLevel must be a positive integer, got \(level)")
            }
            delayTimeLevel = parsed
        }
        if let time = value("X-RocketMQ-Deliver-Time", "deliverTimeMillis") {
            guard let parsed = Int64(time), parsed > 0 else {
                throw GatewayError.badRequest("deliverTimeMillis must be ms since the epoch, got \(time)")
            }
            deliverTimeMillis = parsed
        }
        if delayTimeLevel != nil && deliverTimeMillis != nil {
            throw GatewayError.badRequest("give a delay level or a delivery time, not both")
        }
        shardingKey = value("X-RocketMQ-Sharding-Key", "shardingKey").flatMap { $0.isEmpty ? nil : $0 }
        for field in headers {
            let name = field.name.rawName
            guard name.count > Self.propertyHeaderPrefix.count, name.lowercased().hasPrefix(Self.propertyHeaderPrefix) else { continue }
            // HTTP header names are case-insensitive, and clients re-case them (Python's http.client sends
            // X-Rocketmq-Property-Note, HTTP/2 lower-cases): lower-case for a predictable property name. The
            // query form keeps the case.
            let property = String(name.dropFirst(Self.propertyHeaderPrefix.count)).lowercased()
            properties.append((property, PercentEncoding.decode(field.value)))
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
    var jsonText: String {
        "{\"brokerName\":\(JSONText.quoted(brokerName)),\"msgId\":\(JSONText.quoted(msgId)),"
            + "\"offsetMsgId\":\(JSONText.quoted(offsetMsgId)),\"queueId\":\(queueId),\"queueOffset\":\(queueOffset),"
            + "\"status\":\(JSONText.quoted(status)),\"topic\":\(JSONText.quoted(topic))}"
    }
}

/// JSON string literals as Foundation's `JSONEncoder` writes them (`/` escaped, short escapes, other
/// control characters as `\u00XX`).
enum JSONText {
    static func quoted(_ string: String) -> String {
        var result = "\""
        result.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "/": result += "\\/"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{8}": result += "\\b"
            case "\u{C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
