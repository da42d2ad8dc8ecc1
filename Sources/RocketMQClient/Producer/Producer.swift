#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Java `DefaultMQProducer`'s settings.
public struct ProducerConfiguration: Sendable {
    public var group: String
    /// Java `sendMsgTimeout`: the whole send, retries included.
    public var sendTimeout: Duration = .seconds(3)
    /// Java `retryTimesWhenSendFailed`: extra attempts of a sync send, each on another broker if possible.
    public var retryTimesWhenSendFailed = 2
    /// Java `retryAnotherBrokerWhenNotStoreOK`.
    public var retryAnotherBrokerWhenNotStoreOK = false
    /// Java `compressMsgBodyOverHowmuch`.
    public var compressMsgBodyOverHowmuch = MessageCompression.defaultCompressThreshold
    public var compressLevel: Int32 = MessageCompression.defaultLevel
    /// Java `maxMessageSize`.
    public var maxMessageSize = 4 * 1024 * 1024
    /// Java `defaultTopicQueueNums`: queues of a topic the first send creates.
    public var defaultTopicQueueNums: Int32 = 4
    /// Java `sendLatencyFaultEnable`: avoid brokers that were slow or failed lately.
    public var sendLatencyFaultEnable = false

    public init(group: String) { self.group = group }
}

/// Chooses the queue of an ordered send (Java `MessageQueueSelector`).
public typealias MessageQueueSelector = @Sendable (_ queues: [MessageQueue], _ message: Message) -> MessageQueue

/// A producer (Java `DefaultMQProducer` / `TransactionMQProducer`): sync, oneway, callback, batch,
/// ordered and transactional sends over any RocketMQ 4.x cluster.
public final class Producer: Sendable {
    public let configuration: ProducerConfiguration
    public let instance: ClientInstance
    private let checker: (@Sendable (ReceivedMessage) async -> LocalTransactionState)?

    private struct State {
        var running = false
        var queueIndex = Int.random(in: 0..<1024)
        var uniqueKeys: UniqueKeyGenerator
    }
    private let state: NIOLockedValueBox<State>

    /// - Parameter transactionChecker: answers the broker's CHECK_TRANSACTION_STATE for half messages
    ///   of this group (Java `TransactionListener.checkLocalTransaction`); required for
    ///   ``sendInTransaction(_:execute:)``.
    public init(configuration: ProducerConfiguration, instance: ClientInstance,
                transactionChecker: (@Sendable (ReceivedMessage) async -> LocalTransactionState)? = nil) {
        self.configuration = configuration
        self.instance = instance
        self.checker = transactionChecker
        let ip = MessageHost(ipv4: instance.configuration.clientIP, port: 0)?.addressBytes ?? [127, 0, 0, 1]
        self.state = NIOLockedValueBox(State(uniqueKeys: UniqueKeyGenerator(
            ipAddress: ip, pid: getpid(), hash: Int32.random(in: .min ... .max))))
    }

    public convenience init(configuration: ProducerConfiguration, client: ClientConfiguration,
                            transactionChecker: (@Sendable (ReceivedMessage) async -> LocalTransactionState)? = nil) {
        self.init(configuration: configuration, instance: ClientInstance(configuration: client),
                  transactionChecker: transactionChecker)
    }

    var hasTransactionChecker: Bool { checker != nil }

    public func start() async throws {
        guard TopicValidator.isTopicOrGroupIllegal(configuration.group) == false, !configuration.group.isEmpty else {
            throw MQClientError.messageIllegal("the specified group[\(configuration.group)] contains illegal characters")
        }
        var handler: TransactionCheckHandler?
        if let checker = self.checker {
            handler = { message, _ in await checker(message) }
        }
        try instance.registerProducer(group: configuration.group, checker: handler)
        state.withLockedValue { $0.running = true }
        instance.retain()
        await instance.sendHeartbeatToAllBrokers()
    }

    public func shutdown() async {
        let wasRunning = state.withLockedValue { state -> Bool in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        await instance.unregisterProducer(group: configuration.group)
        await instance.release()
    }

    /// The writable queues of `topic` (Java `fetchPublishMessageQueues`).
    public func fetchPublishQueues(topic: String) async throws -> [MessageQueue] {
        try await instance.publishInfo(topic, defaultTopicQueueNums: configuration.defaultTopicQueueNums).queues
    }

    // MARK: sends

    /// Sends and waits for the broker's answer, retrying on another broker when a send fails
    /// (`retryTimesWhenSendFailed`).
    public func send(_ message: Message) async throws -> SendResult {
        try await sendWithRetries(prepare(message), attempts: 1 + configuration.retryTimesWhenSendFailed)
    }

    /// Sends without waiting in the caller; `completion` gets the answer (Java's async send).
    public func send(_ message: Message, completion: @escaping @Sendable (Result<SendResult, any Error>) -> Void) {
        Task(executorPreference: instance.configuration.taskExecutor) {
            do { completion(.success(try await self.send(message))) } catch { completion(.failure(error)) }
        }
    }

    /// Sends to one queue, once (Java `send(msg, mq)`): ordered messages go this way.
    public func send(_ message: Message, to queue: MessageQueue) async throws -> SendResult {
        guard queue.topic == message.topic else {
            throw MQClientError.messageIllegal("message's topic not equal mq's topic")
        }
        let prepared = try prepare(message)
        return try await sendKernel(prepared, to: queue, timeout: configuration.sendTimeout)
    }

    /// Sends to the queue `selector` picks among the topic's writable queues (Java `send(msg, selector, arg)`).
    public func send(_ message: Message, selector: MessageQueueSelector) async throws -> SendResult {
        let info = try await instance.publishInfo(message.topic, defaultTopicQueueNums: configuration.defaultTopicQueueNums)
        let queue = selector(info.queues, message)
        return try await send(message, to: queue)
    }

    /// Ordered send by sharding key: equal keys go to one queue (Java `SelectMessageQueueByHash`).
    public func send(_ message: Message, shardingKey: String) async throws -> SendResult {
        try await send(message) { queues, _ in
            queues[Int(JavaHash.hashCode(shardingKey).magnitude % UInt32(queues.count))]
        }
    }

    /// Sends once without waiting for any answer (Java `sendOneway`).
    public func sendOneway(_ message: Message) async throws {
        let prepared = try prepare(message)
        let queue = try await selectQueue(topic: message.topic, lastBrokerName: nil)
        let (_, connection) = try await masterConnection(queue, topic: message.topic)
        connection.sendOneway(makeRequest(prepared, queue: queue))
    }

    /// Sends messages of one topic as one SEND_BATCH_MESSAGE (Java `send(Collection<Message>)`).
    public func send(batch messages: [Message]) async throws -> SendResult {
        guard let first = messages.first else { throw MQClientError.messageIllegal("the message batch is empty") }
        var entries: [BatchEntry] = []
        var keys: [String] = []
        for message in messages {
            guard message.topic == first.topic else {
                throw MQClientError.messageIllegal("The topic of the messages in one batch should be the same")
            }
            guard message.delayTimeLevel == nil else {
                throw MQClientError.messageIllegal("TimeDelayLevel is not supported for batching")
            }
            guard !MixAll.isRetryTopic(message.topic) else {
                throw MQClientError.messageIllegal("Retry Group is not supported for batching")
            }
            try validate(message)
            var properties = message.properties
            let key = nextUniqueKey()
            properties[MessageConst.uniqueClientMessageIdKeyIndex] = key
            keys.append(key)
            entries.append(BatchEntry(flag: message.flag, body: message.body, properties: properties))
        }
        let body: ByteBuffer
        do { body = try MessageBatch.encode(entries) } catch { throw MQClientError.messageIllegal("\(error)") }
        guard body.readableBytes <= configuration.maxMessageSize else {
            throw MQClientError.messageIllegal("the message body size over max value, MAX: \(configuration.maxMessageSize)")
        }
        var batchProperties = MessageProperties()
        batchProperties[MessageConst.waitStoreMsgOK] = first.waitStoreMsgOK ? "true" : "false"
        let prepared = PreparedMessage(
            topic: first.topic, body: body, flag: 0, properties: batchProperties, sysFlag: 0,
            uniqueKey: keys.joined(separator: ","), batch: true)
        return try await sendWithRetries(prepared, attempts: 1 + configuration.retryTimesWhenSendFailed)
    }

    // MARK: internals

    /// A message ready for the wire: UNIQ_KEY set, body compressed when large, sysFlag made.
    struct PreparedMessage: Sendable {
        var topic: String
        var body: ByteBuffer
        var flag: Int32
        var properties: MessageProperties
        var sysFlag: Int32
        var uniqueKey: String
        var batch: Bool
    }

    func nextUniqueKey() -> String {
        let now = SystemClock.currentTimeMillis()
        return state.withLockedValue { $0.uniqueKeys.next(nowMillis: now) }
    }

    /// Java `Validators.checkMessage` and the checks of `sendKernelImpl`.
    private func validate(_ message: Message) throws {
        if let violation = TopicValidator.validate(message.topic) { throw MQClientError.messageIllegal(violation.remark) }
        guard !TopicValidator.notAllowedSendTopics.contains(message.topic) else {
            throw MQClientError.messageIllegal("Sending message to topic[\(message.topic)] is forbidden.")
        }
        guard message.body.readableBytes > 0 else { throw MQClientError.messageIllegal("the message body length is zero") }
        guard message.body.readableBytes <= configuration.maxMessageSize else {
            throw MQClientError.messageIllegal("the message body size over max value, MAX: \(configuration.maxMessageSize)")
        }
    }

    func prepare(_ message: Message) throws -> PreparedMessage {
        guard state.withLockedValue({ $0.running }) else { throw MQClientError.notRunning }
        return try prepareForWire(message)
    }

    func prepareForWire(_ message: Message) throws -> PreparedMessage {
        try validate(message)
        var properties = message.properties
        let key = properties[MessageConst.uniqueClientMessageIdKeyIndex] ?? nextUniqueKey()
        properties[MessageConst.uniqueClientMessageIdKeyIndex] = key
        var sysFlag: Int32 = 0
        var body = message.body
        if body.readableBytes > configuration.compressMsgBodyOverHowmuch,
           let compressed = try? MessageCompression.deflate(body, level: configuration.compressLevel) {
            body = compressed
            sysFlag |= MessageSysFlag.compressed.rawValue
        }
        if properties[MessageConst.transactionPrepared] == "true" {
            sysFlag |= MessageSysFlag.TransactionType.prepared.rawValue
        }
        return PreparedMessage(topic: message.topic, body: body, flag: message.flag, properties: properties,
                               sysFlag: sysFlag, uniqueKey: key, batch: false)
    }

    /// The SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE request Java's client builds (compact header names).
    func makeRequest(_ message: PreparedMessage, queue: MessageQueue,
                     bornTimestamp: Int64 = SystemClock.currentTimeMillis()) -> RemotingCommand {
        var properties = message.properties
        var reconsumeTimes: Int32 = 0
        var maxReconsumeTimes: Int32?
        if MixAll.isRetryTopic(message.topic) {
            // A retry-topic resend carries its counters in the header, not the properties (Java).
            if let value = properties[MessageConst.reconsumeTime] {
                reconsumeTimes = Int32(value) ?? 0
                properties[MessageConst.reconsumeTime] = nil
            }
            if let value = properties[MessageConst.maxReconsumeTimes] {
                maxReconsumeTimes = Int32(value)
                properties[MessageConst.maxReconsumeTimes] = nil
            }
        }
        let header = SendMessageRequestHeader(
            producerGroup: configuration.group, topic: message.topic, defaultTopic: MixAll.defaultTopic,
            defaultTopicQueueNums: configuration.defaultTopicQueueNums, queueId: queue.queueId,
            sysFlag: message.sysFlag, bornTimestamp: bornTimestamp, flag: message.flag,
            properties: properties.encoded, reconsumeTimes: reconsumeTimes, unitMode: false, batch: message.batch,
            maxReconsumeTimes: maxReconsumeTimes, brokerName: queue.brokerName)
        return RemotingCommand.request(
            code: message.batch ? .sendBatchMessage : .sendMessageV2, extFields: header.v2ExtFields, body: message.body,
            serializeType: instance.configuration.serializeType)
    }

    private func sendKernel(_ message: PreparedMessage, to queue: MessageQueue, timeout: Duration) async throws -> SendResult {
        let address: String, connection: RemotingConnection
        if let master = instance.masterAddress(queue.brokerName), let open = instance.cachedConnection(to: master) {
            (address, connection) = (master, open)
        } else {
            (address, connection) = try await masterConnection(queue, topic: message.topic)
        }
        let response: RemotingCommand
        do {
            response = try await connection.send(makeRequest(message, queue: queue), timeout: timeout.timeAmount)
        } catch let error as RemotingError {
            throw MQClientError(error, address: address)
        }
        return try Self.sendResult(response, queue: queue, uniqueKey: message.uniqueKey, address: address)
    }

    /// The connection to the master of `queue`'s broker.
    private func masterConnection(_ queue: MessageQueue, topic: String) async throws -> (String, RemotingConnection) {
        guard let address = instance.masterAddress(queue.brokerName) else {
            _ = try? await instance.updateRoute(topic)
            throw MQClientError.brokerNotFound(brokerName: queue.brokerName)
        }
        return (address, try await instance.connection(to: address))
    }

    /// Java `processSendResponse`.
    static func sendResult(_ response: RemotingCommand, queue: MessageQueue, uniqueKey: String, address: String) throws -> SendResult {
        guard let status = SendStatus(response.responseCode) else {
            throw MQBrokerError(code: response.responseCode, remark: response.remark, address: address)
        }
        let header: SendMessageResponseHeader
        do { header = try response.decodeHeader(SendMessageResponseHeader.self) } catch {
            throw MQClientError.badResponse("\(error)")
        }
        return SendResult(
            status: status, msgId: uniqueKey, offsetMsgId: header.msgId,
            messageQueue: MessageQueue(topic: queue.topic, brokerName: queue.brokerName, queueId: header.queueId),
            queueOffset: header.queueOffset, transactionId: header.transactionId, regionId: header.msgRegion,
            traceOn: header.traceOn != "false")
    }

    /// Broker answers worth another attempt (Java `retryResponseCodes`).
    private static let retryResponseCodes: Set<ResponseCode> = [
        .topicNotExist, .serviceNotAvailable, .systemError, .noPermission, .noBuyerId, .notInCurrentUnit,
    ]

    /// Java `sendDefaultImpl`: up to `attempts` tries within `sendTimeout`, avoiding the broker that
    /// just failed. With the route known and the connection open, the broker's answer is the only wait.
    private func sendWithRetries(_ message: PreparedMessage, attempts: Int) async throws -> SendResult {
        let clock = ContinuousClock()
        let began = clock.now
        let deadline = began + configuration.sendTimeout
        var lastBrokerName: String?
        var lastError: (any Error)?
        for attempt in 0..<max(1, attempts) {
            let start = attempt == 0 ? began : clock.now
            let remaining = deadline - start
            guard remaining > .zero else { break }
            let queue: MessageQueue
            if let queues = instance.cachedPublishQueues(message.topic) {
                queue = selectQueue(queues, lastBrokerName: lastBrokerName)
            } else {
                queue = try await selectQueue(topic: message.topic, lastBrokerName: lastBrokerName)
            }
            lastBrokerName = queue.brokerName
            do {
                let result = try await sendKernel(message, to: queue, timeout: remaining)
                noteLatency(queue.brokerName, since: start, clock: clock, failed: false)
                if result.status != .sendOK && configuration.retryAnotherBrokerWhenNotStoreOK { lastError = nil; continue }
                return result
            } catch let error as MQBrokerError {
                noteLatency(queue.brokerName, since: start, clock: clock, failed: true)
                guard Self.retryResponseCodes.contains(error.code) else { throw error }
                lastError = error
            } catch let error as MQClientError {
                noteLatency(queue.brokerName, since: start, clock: clock, failed: true)
                if case .messageIllegal = error { throw error }
                lastError = error
            }
        }
        throw lastError ?? MQClientError.timeout(address: "sendDefaultImpl call timeout")
    }

    private func noteLatency(_ brokerName: String, since start: ContinuousClock.Instant, clock: ContinuousClock, failed: Bool) {
        guard configuration.sendLatencyFaultEnable else { return }
        instance.updateFaultItem(brokerName: brokerName, latencyMillis: (clock.now - start).milliseconds, isolation: failed)
    }

    /// Java `selectOneMessageQueue`: round robin, skipping the broker that failed last and, with
    /// `sendLatencyFaultEnable`, brokers that are resting.
    private func selectQueue(topic: String, lastBrokerName: String?) async throws -> MessageQueue {
        selectQueue(try await instance.publishInfo(topic, defaultTopicQueueNums: configuration.defaultTopicQueueNums).queues,
                    lastBrokerName: lastBrokerName)
    }

    private func selectQueue(_ queues: [MessageQueue], lastBrokerName: String?) -> MessageQueue {
        let start = state.withLockedValue { state -> Int in
            state.queueIndex &+= 1
            return state.queueIndex & Int.max
        }
        for step in 0..<queues.count {
            let queue = queues[(start + step) % queues.count]
            if let lastBrokerName, queue.brokerName == lastBrokerName, queues.count > 1 { continue }
            if configuration.sendLatencyFaultEnable && !instance.isBrokerAvailable(queue.brokerName) { continue }
            return queue
        }
        return queues[start % queues.count]
    }
}
