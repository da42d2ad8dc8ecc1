import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import RocketMQClient
import RocketMQModel

/// POSTs messages to backurls: the body as is, the metadata in `X-RocketMQ-*` headers, signed when the
/// subscription has a secret. A 2xx answer within `timeoutMs` acknowledges; anything else fails.
struct Delivery: Sendable {
    let httpClient: HTTPClient
    let logger: Logger

    /// `Notification` on a message, `SubscriptionConfirmation` on the handshake.
    static let messageTypeHeader = "X-RocketMQ-Message-Type"

    /// At most this much of an answer is read (only the confirmation handshake looks at it).
    static let maxAnswerBytes = 64 * 1024

    enum Outcome: Equatable, Sendable {
        case acknowledged
        case failed(String)
    }

    /// The headers of one delivery (user property values percent-encoded: they may hold any Unicode).
    static func headers(for message: ReceivedMessage, group: String, secret: String?, now: Int64) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(16 + message.properties.count)
        headers.add(name: "Content-Type", value: "application/octet-stream")
        headers.add(name: messageTypeHeader, value: "Notification")
        headers.add(name: "X-RocketMQ-Msg-Id", value: message.msgId)
        headers.add(name: "X-RocketMQ-Offset-Msg-Id", value: message.offsetMsgId)
        headers.add(name: "X-RocketMQ-Topic", value: message.topic)
        headers.add(name: "X-RocketMQ-Group", value: group)
        if let tags = message.tags { headers.add(name: "X-RocketMQ-Tags", value: PercentEncoding.encode(tags)) }
        if !message.keys.isEmpty {
            headers.add(name: "X-RocketMQ-Keys", value: PercentEncoding.encode(message.keys.joined(separator: " ")))
        }
        headers.add(name: "X-RocketMQ-Queue-Id", value: String(message.queue.queueId))
        headers.add(name: "X-RocketMQ-Queue-Offset", value: String(message.queueOffset))
        headers.add(name: "X-RocketMQ-Reconsume-Times", value: String(message.reconsumeTimes))
        headers.add(name: "X-RocketMQ-Born-Timestamp", value: String(message.bornTimestamp))
        headers.add(name: "X-RocketMQ-Store-Timestamp", value: String(message.storeTimestamp))
        for property in message.properties where !MessageConst.reservedNames.contains(property.name) {
            guard isToken(property.name) else { continue }
            headers.add(name: "X-RocketMQ-Property-" + property.name, value: PercentEncoding.encode(property.value))
        }
        if let secret {
            headers.add(name: DeliverySignature.timestampHeader, value: String(now))
            headers.add(name: DeliverySignature.signatureHeader,
                        value: DeliverySignature.sign(secret: secret, timestamp: now, body: message.body))
        }
        return headers
    }

    /// RFC 9110 token characters: what a header name may hold.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }

    func deliver(_ message: ReceivedMessage, subscription: PushSubscription) async -> Outcome {
        var request = HTTPClientRequest(url: subscription.backurl)
        request.method = .POST
        request.headers = Self.headers(for: message, group: subscription.group, secret: subscription.secret,
                                       now: SystemClock.currentTimeMillis())
        request.body = .bytes(message.body)
        return await post(request, timeoutMs: subscription.timeoutMs).outcome
    }

    /// POSTs and reads the answer (bounded), all within the timeout.
    func post(_ request: HTTPClientRequest, timeoutMs: Int64) async -> (outcome: Outcome, answer: ByteBuffer?) {
        let deadline = NIODeadline.now() + .milliseconds(timeoutMs)
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            let answer = try? await response.body.collect(upTo: Self.maxAnswerBytes)
            guard (200..<300).contains(response.status.code) else {
                return (.failed("backurl answered \(response.status.code)"), answer)
            }
            return (.acknowledged, answer)
        } catch {
            return (.failed("\(error)"), nil)
        }
    }
}
