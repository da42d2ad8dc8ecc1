#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import RemotingCodec
import RocketMQClient

extension HTTPGateway {
    /// The API routes (the OpenAPI document at `/openapi.yaml` describes them).
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/health") { _, _ in
            try Self.json(["status": "UP"])
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.post("/topics/:topic/messages") { request, context in
            try await self.send(request, topic: context.parameters.require("topic"))
        }
        router.post("/topics/:topic/messages/batch") { request, context in
            try await self.sendBatch(request, topic: context.parameters.require("topic"))
        }
        router.post("/subscriptions") { request, _ in
            try await self.createSubscription(request)
        }
        router.get("/subscriptions") { _, _ in
            let all = await self.registry.list()
            var views: [SubscriptionView] = []
            for (record, status) in all { views.append(await self.view(record, status: status, withLag: true)) }
            return try Self.json(SubscriptionList(subscriptions: views))
        }
        router.get("/subscriptions/:group") { _, context in
            let (record, status) = try await self.registry.get(group: context.parameters.require("group"))
            return try Self.json(await self.view(record, status: status, withLag: true))
        }
        router.delete("/subscriptions/:group") { _, context in
            try await self.registry.delete(group: context.parameters.require("group"))
            return Response(status: .noContent)
        }
        router.post("/subscriptions/:group/confirm") { request, context in
            let group = try context.parameters.require("group")
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            var token = request.uri.queryParameters.get("token")
            if token == nil, body.readableBytes > 0 {
                token = try Self.decode(ConfirmationEcho.self, from: body).token
            }
            guard let token else { throw GatewayError.badRequest("give the token as ?token= or {\"token\": …}") }
            let status = try await self.registry.confirm(group: group, token: token)
            return try Self.json(["group": group, "status": status.rawValue])
        }
        return router
    }

    // MARK: send

    func send(_ request: Request, topic: String) async throws -> Response {
        var request = request
        let parameters = try SendParameters(headers: request.headers, query: Self.query(request))
        let body = try await request.collectBody(upTo: configuration.maxMessageSize)
        guard body.readableBytes > 0 else { throw GatewayError.badRequest("the message body is empty") }
        try await requireTopic(topic)
        let message = parameters.message(topic: topic, body: body)
        let result: SendResult
        do {
            if let key = parameters.shardingKey {
                result = try await producer.send(message, shardingKey: key)
            } else {
                result = try await producer.send(message)
            }
        } catch {
            throw GatewayError.from(error)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: SendAnswer(result).json))
    }

    func sendBatch(_ request: Request, topic: String) async throws -> Response {
        var request = request
        // JSON (and base64) costs more than the bodies: the sum of the bodies is checked below.
        let body = try await request.collectBody(upTo: configuration.maxMessageSize * 2 + 64 * 1024)
        let entries = try Self.decode([BatchEntryRequest].self, from: body)
        guard !entries.isEmpty else { throw GatewayError.badRequest("the batch is empty") }
        let messages = try entries.map { entry throws(GatewayError) in try entry.message(topic: topic) }
        let total = messages.reduce(0) { $0 + $1.body.readableBytes }
        guard total <= configuration.maxMessageSize else {
            throw GatewayError(.contentTooLarge, "the batch's bodies hold \(total) bytes, over maxMessageSize \(configuration.maxMessageSize)")
        }
        try await requireTopic(topic)
        let result: SendResult
        do { result = try await producer.send(batch: messages) } catch { throw GatewayError.from(error) }
        return try Self.json(BatchSendAnswer(result))
    }

    private func requireTopic(_ topic: String) async throws {
        let exists: Bool
        do { exists = try await instance.topicExists(topic) } catch { throw GatewayError.from(error) }
        guard exists else { throw GatewayError.notFound("topic \(topic) does not exist") }
    }

    // MARK: subscriptions

    func createSubscription(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let subscription = try Self.decode(PushSubscription.self, from: body)
        try subscription.validate()
        try await requireTopic(subscription.topic)
        let (record, status) = try await registry.create(subscription)
        return try Self.json(await view(record, status: status, withLag: false), status: .created)
    }

    func view(_ record: SubscriptionRecord, status: SubscriptionRegistry.Status, withLag: Bool) async -> SubscriptionView {
        var view = SubscriptionView(record, status: status)
        guard withLag else { return view }
        do {
            let stats = try await instance.consumeStats(group: record.subscription.group, topic: record.subscription.topic)
            let queues = stats.offsetTable.sorted { ($0.queue.brokerName, $0.queue.queueId) < ($1.queue.brokerName, $1.queue.queueId) }
                .map { entry in
                    QueueLag(brokerName: entry.queue.brokerName, queueId: entry.queue.queueId,
                             brokerOffset: entry.offsets.brokerOffset, consumerOffset: entry.offsets.consumerOffset,
                             lag: max(0, entry.offsets.brokerOffset - entry.offsets.consumerOffset))
                }
            view.lag = Lag(total: queues.reduce(0) { $0 + $1.lag }, queues: queues)
        } catch {
            // No offsets committed yet, or no broker reachable: the view says so instead of failing.
            view.lagError = "\(GatewayError.from(error).message)"
        }
        return view
    }

    // MARK: helpers

    static func query(_ request: Request) -> [(String, String)] {
        request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws(GatewayError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body.readableBytesView)) } catch {
            throw GatewayError.badRequest("malformed JSON: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): "\(context.debugDescription)"
        default: "\(error)"
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct ConfirmationEcho: Decodable {
    var token: String
}

/// A batch's answer: the ids of its messages in order (Java joins them with commas in one SendResult).
struct BatchSendAnswer: Codable, Equatable {
    var msgIds: [String]
    var offsetMsgIds: [String]
    var topic: String
    var brokerName: String
    var queueId: Int32
    /// The first message's offset; the others follow it.
    var queueOffset: Int64
    var status: String

    init(_ result: SendResult) {
        msgIds = result.msgId.split(separator: ",").map(String.init)
        offsetMsgIds = result.offsetMsgId.split(separator: ",").map(String.init)
        topic = result.messageQueue.topic
        brokerName = result.messageQueue.brokerName
        queueId = result.messageQueue.queueId
        queueOffset = result.queueOffset
        status = result.status.rawValue
    }
}

struct QueueLag: Codable, Equatable {
    var brokerName: String
    var queueId: Int32
    var brokerOffset: Int64
    var consumerOffset: Int64
    var lag: Int64
}

struct Lag: Codable, Equatable {
    var total: Int64
    var queues: [QueueLag]
}

/// A subscription as the API shows it: the secret never, only whether there is one.
struct SubscriptionView: Codable, Equatable {
    var group: String
    var topic: String
    var filter: String
    var filterType: String
    var backurl: String
    var orderly: Bool
    var maxReconsumeTimes: Int32
    var timeoutMs: Int64
    var concurrency: Int
    var rateLimit: Double
    var consumeFromWhere: String
    var confirm: Bool
    var hasSecret: Bool
    var status: String
    var createdAt: Int64
    var lag: Lag?
    var lagError: String?

    init(_ record: SubscriptionRecord, status: SubscriptionRegistry.Status) {
        let subscription = record.subscription
        group = subscription.group
        topic = subscription.topic
        filter = subscription.filter
        filterType = subscription.filterType.rawValue
        backurl = subscription.backurl
        orderly = subscription.orderly
        maxReconsumeTimes = subscription.maxReconsumeTimes
        timeoutMs = subscription.timeoutMs
        concurrency = subscription.concurrency
        rateLimit = subscription.rateLimit
        consumeFromWhere = subscription.consumeFromWhere
        confirm = subscription.confirm
        hasSecret = subscription.secret != nil
        self.status = status.rawValue
        createdAt = record.createdAt
    }
}

struct SubscriptionList: Codable {
    var subscriptions: [SubscriptionView]
}
