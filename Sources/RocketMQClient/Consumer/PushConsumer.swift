#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RocketMQModel

/// What a concurrent handler answers (Java `ConsumeConcurrentlyStatus`).
public enum ConsumeConcurrentlyStatus: String, Sendable {
    case consumeSuccess = "CONSUME_SUCCESS"
    /// Back to the broker's retry topic, redelivered after the next delay level.
    case reconsumeLater = "RECONSUME_LATER"
}

/// What an orderly handler answers (Java `ConsumeOrderlyStatus`).
public enum ConsumeOrderlyStatus: String, Sendable {
    case success = "SUCCESS"
    /// Stop this queue for `suspendCurrentQueueTime`, then hand the same messages again.
    case suspendCurrentQueueAMoment = "SUSPEND_CURRENT_QUEUE_A_MOMENT"
}

/// Java `DefaultMQPushConsumer`'s settings.
public struct PushConsumerConfiguration: Sendable {
    public var group: String
    public var messageModel: MessageModel = .clustering
    public var consumeFromWhere: ConsumeFromWhere = .consumeFromLastOffset
    /// For `consumeFromTimestamp`, ms since the epoch; Java's default is half an hour ago.
    public var consumeTimestamp: Int64 = SystemClock.currentTimeMillis() - 30 * 60 * 1000
    public var pullBatchSize: Int32 = 32
    /// Messages per handler call.
    public var consumeMessageBatchMaxSize = 1
    /// Handler calls running at once (Java `consumeThreadMax`).
    public var consumeThreadCount = 20
    /// -1: 16 for concurrent consumers, unlimited for orderly ones (Java).
    public var maxReconsumeTimes: Int32 = -1
    public var suspendCurrentQueueTime: Duration = .seconds(1)
    /// Pulled but unconsumed messages per queue before pulling pauses (Java `pullThresholdForQueue`).
    public var pullThresholdForQueue = 1000
    /// Java `brokerSuspendMaxTimeMillis`: how long the broker holds a pull that found nothing.
    public var brokerSuspendMaxTime: Duration = .seconds(15)
    /// Java `consumerTimeoutMillisWhenSuspend`.
    public var consumerTimeoutWhenSuspend: Duration = .seconds(30)
    /// Broadcasting offsets live here (Java `rocketmq.client.localOffsetStoreDir`).
    public var offsetStoreDirectory: String = (getenv("HOME").map { String(cString: $0) } ?? ".") + "/.rocketmq_offsets"

    public init(group: String) { self.group = group }
}

/// A push consumer (Java `DefaultMQPushConsumer`): long-polls the queues a rebalance gives it and
/// hands the messages to a handler, concurrently or in queue order; offsets are committed as
/// messages are consumed; failed messages go back to the broker's retry topic.
public final class PushConsumer: Sendable, ConsumerInner {
    public let configuration: PushConsumerConfiguration
    public let instance: ClientInstance
    private let pullAPI: PullAPI
    private let offsetStore: any OffsetStore

    private enum Handler {
        case concurrently(@Sendable ([ReceivedMessage]) async -> ConsumeConcurrentlyStatus)
        case orderly(@Sendable ([ReceivedMessage]) async -> ConsumeOrderlyStatus)
    }

    private struct ConsumeWork: Sendable {
        var processQueue: ProcessQueue
        var batch: UInt64
        var messages: [ReceivedMessage]
    }

    private struct State {
        var subscriptions: [String: SubscriptionData] = [:]
        var handler: Handler?
        var running = false
        var processQueues: [MessageQueue: ProcessQueue] = [:]
        var rebalancing = false
        var rebalanceAgain = false
        var work: AsyncStream<ConsumeWork>.Continuation?
        var workers: [Task<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    public init(configuration: PushConsumerConfiguration, instance: ClientInstance) {
        self.configuration = configuration
        self.instance = instance
        self.pullAPI = PullAPI(instance: instance, group: configuration.group)
        switch configuration.messageModel {
        case .clustering: offsetStore = RemoteOffsetStore(instance: instance, group: configuration.group)
        case .broadcasting:
            offsetStore = LocalFileOffsetStore(directory: configuration.offsetStoreDirectory,
                                               clientID: instance.clientID, group: configuration.group)
        }
    }

    public convenience init(configuration: PushConsumerConfiguration, client: ClientConfiguration) {
        self.init(configuration: configuration, instance: ClientInstance(configuration: client))
    }

    public var group: String { configuration.group }

    /// Subscribes to `topic` with a tag expression (`*`, `TagA || TagB`) or an SQL92 expression.
    public func subscribe(topic: String, expression: String = "*", type: ExpressionType = .tag) throws {
        if let violation = TopicValidator.validate(topic) { throw MQClientError.messageIllegal(violation.remark) }
        let subscription = SubscriptionData.build(topic: topic, expression: expression, type: type)
        state.withLockedValue { $0.subscriptions[topic] = subscription }
    }

    /// Starts consuming; `handler` gets up to `consumeMessageBatchMaxSize` messages per call, several
    /// calls at once.
    public func start(concurrently handler: @escaping @Sendable ([ReceivedMessage]) async -> ConsumeConcurrentlyStatus) async throws {
        try await start(.concurrently(handler))
    }

    /// Starts consuming in queue order: one call at a time per queue, holding the broker's queue lock
    /// (clustering).
    public func start(orderly handler: @escaping @Sendable ([ReceivedMessage]) async -> ConsumeOrderlyStatus) async throws {
        try await start(.orderly(handler))
    }

    private var isOrderly: Bool {
        state.withLockedValue { state in
            if case .orderly = state.handler { return true }
            return false
        }
    }

    private func start(_ handler: Handler) async throws {
        guard !configuration.group.isEmpty, !TopicValidator.isTopicOrGroupIllegal(configuration.group) else {
            throw MQClientError.messageIllegal("the specified group[\(configuration.group)] contains illegal characters")
        }
        let (stream, continuation) = AsyncStream<ConsumeWork>.makeStream()
        try state.withLockedValue { state in
            guard !state.running else { throw MQClientError.messageIllegal("The PushConsumer service state not OK") }
            guard !state.subscriptions.isEmpty else { throw MQClientError.messageIllegal("subscription is empty") }
            if configuration.messageModel == .clustering {
                let retry = MixAll.getRetryTopic(configuration.group)
                state.subscriptions[retry] = SubscriptionData.build(topic: retry, expression: "*", type: .tag)
            }
            state.handler = handler
            state.running = true
            state.work = continuation
        }
        do { try instance.registerConsumer(self) } catch {
            state.withLockedValue { state in
                state.running = false
                state.work = nil
            }
            throw error
        }
        instance.retain()
        if case .concurrently = handler {
            let workers = (0..<max(1, configuration.consumeThreadCount)).map { _ in
                Task(executorPreference: instance.configuration.taskExecutor) { [stream] in
                    for await work in stream { await self.consumeConcurrently(work) }
                }
            }
            state.withLockedValue { $0.workers = workers }
        }
        let topics = state.withLockedValue { Array($0.subscriptions.keys) }
        for topic in topics {
            do { try await instance.updateRoute(topic) } catch {
                instance.logger.warning("no route yet", metadata: ["topic": "\(topic)", "error": "\(error)"])
            }
        }
        await instance.sendHeartbeatToAllBrokers()
        await rebalance()
    }

    public func shutdown() async {
        let (queues, continuation, workers) = state.withLockedValue { state -> ([ProcessQueue], AsyncStream<ConsumeWork>.Continuation?, [Task<Void, Never>]) in
            guard state.running else { return ([], nil, []) }
            state.running = false
            let queues = Array(state.processQueues.values)
            state.processQueues = [:]
            let work = state.work
            state.work = nil
            return (queues, work, state.workers)
        }
        guard let continuation else { return }
        // A batch in a handler finishes and commits its offset before the offsets are persisted and
        // the queues dropped (as in Java, where the queues are dropped last): a batch just consumed
        // is not consumed again by the next member. A handler still busy after 3 s is cancelled.
        continuation.finish()
        let deadline = Task { [workers] in
            try await Task.sleep(for: .seconds(3))
            for worker in workers { worker.cancel() }
        }
        for worker in workers { await worker.value }
        deadline.cancel()
        for queue in queues { queue.drop() }
        await offsetStore.persist(queues.map(\.queue))
        if isOrderly && configuration.messageModel == .clustering {
            await unlock(queues.map(\.queue))
        }
        await instance.unregisterConsumer(group: configuration.group)
        await instance.release()
    }

    // MARK: ConsumerInner

    var consumerData: ConsumerData {
        let subscriptions = state.withLockedValue { Array($0.subscriptions.values) }
        return ConsumerData(groupName: configuration.group, consumeType: .consumePassively,
                            messageModel: configuration.messageModel, consumeFromWhere: configuration.consumeFromWhere,
                            subscriptionDataSet: subscriptions.sorted { $0.topic < $1.topic })
    }

    func persistOffsets() async {
        let queues = state.withLockedValue { Array($0.processQueues.keys) }
        await offsetStore.persist(queues)
    }

    func resetOffsets(topic: String, to offsets: [MessageQueue: Int64]) async {
        let dropped = state.withLockedValue { state -> [ProcessQueue] in
            let queues = state.processQueues.values.filter { $0.queue.topic == topic }
            for queue in queues { state.processQueues[queue.queue] = nil }
            return queues
        }
        for queue in dropped { queue.drop() }
        for (queue, offset) in offsets where queue.topic == topic {
            offsetStore.update(queue, offset: offset, increaseOnly: false)
        }
        await offsetStore.persist(Array(offsets.keys))
        await rebalance()
    }

    /// Java `RebalanceImpl.doRebalance`; runs of several triggers fold into one more pass.
    func rebalance() async {
        let proceed = state.withLockedValue { state -> Bool in
            guard state.running else { return false }
            if state.rebalancing {
                state.rebalanceAgain = true
                return false
            }
            state.rebalancing = true
            return true
        }
        guard proceed else { return }
        while true {
            let subscriptions = state.withLockedValue { Array($0.subscriptions.values) }
            var changed = false
            for subscription in subscriptions {
                changed = await rebalance(subscription) || changed
            }
            if changed { await instance.sendHeartbeatToAllBrokers() }
            if isOrderly && configuration.messageModel == .clustering { await lockAll() }
            let again = state.withLockedValue { state -> Bool in
                if state.rebalanceAgain && state.running {
                    state.rebalanceAgain = false
                    return true
                }
                state.rebalancing = false
                return false
            }
            if !again { return }
        }
    }

    private func rebalance(_ subscription: SubscriptionData) async -> Bool {
        let topic = subscription.topic
        let all: [MessageQueue]
        do { all = try await instance.subscribeQueues(topic).sorted() } catch { return false }
        var assigned = all
        if configuration.messageModel == .clustering {
            guard let members = try? await instance.consumerIDs(group: configuration.group, topic: topic), !members.isEmpty else {
                return false
            }
            assigned = AllocateMessageQueueAveragely.allocate(all, consumers: members.sorted(), me: instance.clientID)
        }
        return await updateProcessQueues(topic: topic, assigned: Set(assigned), subscription: subscription)
    }

    private func updateProcessQueues(topic: String, assigned: Set<MessageQueue>, subscription: SubscriptionData) async -> Bool {
        let removed = state.withLockedValue { state -> [ProcessQueue] in
            let gone = state.processQueues.values.filter { $0.queue.topic == topic && !assigned.contains($0.queue) }
            for queue in gone { state.processQueues[queue.queue] = nil }
            return gone
        }
        for processQueue in removed {
            // An orderly handler still running keeps the queue until it returns (Java waits for
            // `consumeLock`): the next owner must not start on the queue before it is done.
            guard processQueue.drop() || !isOrderly else { continue }
            if configuration.messageModel == .clustering {
                await removeUnnecessaryMessageQueue(processQueue.queue)
            }
        }
        let current = state.withLockedValue { Set($0.processQueues.keys) }
        var added = false
        for queue in assigned.sorted() where !current.contains(queue) {
            let processQueue = ProcessQueue(queue: queue)
            if isOrderly && configuration.messageModel == .clustering {
                guard await lock([queue]).locked.contains(queue) else { continue }
                processQueue.setLocked(true)
            }
            offsetStore.remove(queue)
            guard let offset = await computePullFromWhere(queue), offset >= 0 else { continue }
            let inserted = state.withLockedValue { state -> Bool in
                guard state.running, state.processQueues[queue] == nil else { return false }
                state.processQueues[queue] = processQueue
                return true
            }
            guard inserted else { continue }
            added = true
            let task = Task(executorPreference: instance.configuration.taskExecutor) {
                await self.pullLoop(processQueue, subscription: subscription, from: offset)
            }
            processQueue.setPullTask(task)
        }
        return added || !removed.isEmpty
    }

    /// Java `RebalancePushImpl.computePullFromWhere`.
    private func computePullFromWhere(_ queue: MessageQueue) async -> Int64? {
        do {
            let last = try await offsetStore.read(queue, fromStore: true)
            if last >= 0 { return last }
            switch configuration.consumeFromWhere {
            case .consumeFromFirstOffset, .consumeFromMinOffset: return 0
            case .consumeFromTimestamp:
                if MixAll.isRetryTopic(queue.topic) { return try await instance.maxOffset(queue) }
                return try await instance.searchOffset(queue, timestamp: configuration.consumeTimestamp)
            default:
                if MixAll.isRetryTopic(queue.topic) { return 0 }
                return try await instance.maxOffset(queue)
            }
        } catch {
            instance.logger.debug("no start offset yet", metadata: ["queue": "\(queue)", "error": "\(error)"])
            return nil
        }
    }

    // MARK: pulling

    private func pullLoop(_ processQueue: ProcessQueue, subscription: SubscriptionData, from start: Int64) async {
        let queue = processQueue.queue
        var offset = start
        let orderly = isOrderly
        let clustering = configuration.messageModel == .clustering
        while !processQueue.isDropped {
            if orderly && clustering && !processQueue.isLocked {
                if !(await lock([queue]).locked.contains(queue)) {
                    try? await Task.sleep(for: .seconds(3))
                    continue
                }
                processQueue.setLocked(true)
            }
            if !orderly && processQueue.cachedCount > configuration.pullThresholdForQueue {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            var flags: PullSysFlag = [.suspend]
            let commitOffset = clustering ? (offsetStore.cached(queue) ?? 0) : 0
            if commitOffset > 0 { flags.insert(.commitOffset) }
            let result: PullResult
            do {
                result = try await pullAPI.pull(
                    queue: queue, subscription: subscription, offset: offset, maxCount: configuration.pullBatchSize,
                    sysFlag: flags, commitOffset: commitOffset, suspendTimeout: configuration.brokerSuspendMaxTime,
                    timeout: configuration.consumerTimeoutWhenSuspend)
            } catch {
                if processQueue.isDropped { return }
                instance.logger.debug("pull failed", metadata: ["queue": "\(queue)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(3))
                continue
            }
            if processQueue.isDropped { return }
            offset = result.nextBeginOffset
            switch result.status {
            case .found where !result.messages.isEmpty:
                if orderly {
                    let progress = await consumeOrderly(processQueue, messages: result.messages, next: result.nextBeginOffset)
                    // Not after a drop (Java neither): the next owner, or a reset's offset, decides then.
                    if let commit = progress.commit, !processQueue.isDropped {
                        offsetStore.update(queue, offset: commit, increaseOnly: true)
                    }
                    if progress.releaseQueue {
                        // Dropped by a rebalance during a handler call, which left the release to this loop
                        // (unless the queue is ours again, or the consumer shut down and released everything).
                        let release = clustering && state.withLockedValue { $0.running && $0.processQueues[queue] == nil }
                        if release { await removeUnnecessaryMessageQueue(queue) }
                        return
                    }
                } else {
                    let batch = processQueue.add(firstOffset: result.messages[0].queueOffset, count: result.messages.count,
                                                 nextOffset: result.nextBeginOffset)
                    submit(ConsumeWork(processQueue: processQueue, batch: batch, messages: result.messages))
                }
            case .found, .noNewMessage, .noMatchedMessage:
                if let commit = processQueue.advance(to: result.nextBeginOffset) {
                    offsetStore.update(queue, offset: commit, increaseOnly: true)
                }
            case .offsetIllegal:
                instance.logger.warning("pull offset illegal, moving on", metadata: [
                    "queue": "\(queue)", "next": "\(result.nextBeginOffset)",
                ])
                offsetStore.update(queue, offset: result.nextBeginOffset, increaseOnly: false)
                await offsetStore.persist([queue])
            }
        }
    }

    private func submit(_ work: ConsumeWork) {
        _ = state.withLockedValue { $0.work }?.yield(work)
    }

    // MARK: consuming

    private var concurrentHandler: (@Sendable ([ReceivedMessage]) async -> ConsumeConcurrentlyStatus)? {
        state.withLockedValue { state in
            if case .concurrently(let handler) = state.handler { return handler }
            return nil
        }
    }

    private func consumeConcurrently(_ work: ConsumeWork) async {
        // After shutdown began only the batches already in a handler finish.
        guard let handler = concurrentHandler, !work.processQueue.isDropped, state.withLockedValue({ $0.running }) else { return }
        var failed: [ReceivedMessage] = []
        let size = max(1, configuration.consumeMessageBatchMaxSize)
        var index = 0
        while index < work.messages.count {
            let chunk = Array(work.messages[index..<min(index + size, work.messages.count)])
            index += size
            guard await handler(chunk) == .reconsumeLater else { continue }
            guard configuration.messageModel == .clustering else {
                instance.logger.warning("broadcasting consumer dropped messages it could not consume", metadata: ["count": "\(chunk.count)"])
                continue
            }
            for message in chunk where !(await sendMessageBack(message, delayLevel: 0)) {
                failed.append(message)
            }
        }
        guard !work.processQueue.isDropped else { return }
        let commit = work.processQueue.remove(batch: work.batch, count: work.messages.count - failed.count)
        offsetStore.update(work.processQueue.queue, offset: commit, increaseOnly: true)
        if !failed.isEmpty {
            // Java consumes them again locally after 5 s when the broker could not take them back.
            var retry = work
            retry.messages = failed.map { message in
                var message = message
                message.reconsumeTimes += 1
                return message
            }
            Task(executorPreference: instance.configuration.taskExecutor) {
                try? await Task.sleep(for: .seconds(5))
                self.submit(retry)
            }
        }
    }

    /// How far an orderly pass over pulled messages got.
    private struct OrderlyProgress {
        /// After the last message handled; the pull's next offset once all were.
        var commit: Int64?
        /// The queue was dropped during a handler call: the caller releases it.
        var releaseQueue = false
    }

    /// Hands `messages` to the orderly handler in queue order, one call at a time; a failed call is
    /// repeated after `suspendCurrentQueueTime`. Stops when the queue is dropped.
    private func consumeOrderly(_ processQueue: ProcessQueue, messages: [ReceivedMessage], next: Int64) async -> OrderlyProgress {
        var progress = OrderlyProgress()
        guard case .orderly(let handler)? = state.withLockedValue({ $0.handler }) else { return progress }
        let size = max(1, configuration.consumeMessageBatchMaxSize)
        let maxReconsume = configuration.maxReconsumeTimes < 0 ? Int32.max : configuration.maxReconsumeTimes
        var index = 0
        chunks: while index < messages.count {
            var chunk = Array(messages[index..<min(index + size, messages.count)])
            while true {
                guard processQueue.beginConsuming() else { break chunks }
                // In a task of its own: a drop cancels the pull loop's task, and must not cancel the
                // handler's work (Java does not interrupt a consume thread either).
                let status = await Task(executorPreference: instance.configuration.taskExecutor) { [chunk] in
                    await handler(chunk)
                }.value
                progress.releaseQueue = processQueue.endConsuming()
                if status == .success { break }
                if progress.releaseQueue { break chunks }
                if chunk.contains(where: { $0.reconsumeTimes >= maxReconsume }) {
                    // Out of attempts: to the DLQ through the broker, then on (Java checkReconsumeTimes).
                    for message in chunk {
                        var message = message
                        message.reconsumeTimes = max(message.reconsumeTimes, maxReconsume)
                        _ = await sendMessageBack(message, delayLevel: -1)
                    }
                    break
                }
                for position in chunk.indices { chunk[position].reconsumeTimes += 1 }
                try? await Task.sleep(for: configuration.suspendCurrentQueueTime)
            }
            index += chunk.count
            progress.commit = index == messages.count ? next : messages[index - 1].queueOffset + 1
            if progress.releaseQueue { break }
        }
        return progress
    }

    /// Gives up a queue this member no longer owns (Java `removeUnnecessaryMessageQueue`): its consumed
    /// offset to the broker, then, for an orderly consumer, the broker lock, so the next owner starts there.
    private func removeUnnecessaryMessageQueue(_ queue: MessageQueue) async {
        await offsetStore.persist([queue])
        offsetStore.remove(queue)
        if isOrderly { await unlock([queue]) }
    }

    /// CONSUMER_SEND_MSG_BACK to the broker holding the message (Java `sendMessageBack`); a negative
    /// delay level sends it straight to the DLQ.
    private func sendMessageBack(_ message: ReceivedMessage, delayLevel: Int32) async -> Bool {
        let maxReconsume = configuration.maxReconsumeTimes < 0 ? 16 : configuration.maxReconsumeTimes
        let header = ConsumerSendMsgBackRequestHeader(
            offset: message.commitLogOffset, group: configuration.group, delayLevel: delayLevel,
            originMsgId: message.msgId, originTopic: message.topic, unitMode: false, maxReconsumeTimes: maxReconsume,
            bname: message.queue.brokerName)
        do {
            let address = try await instance.masterAddress(for: message.queue)
            _ = try await instance.invokeExpecting(address, instance.request(.consumerSendMsgBack, header: header))
            return true
        } catch {
            instance.logger.warning("send back failed", metadata: ["msgId": "\(message.msgId)", "error": "\(error)"])
            return false
        }
    }

    // MARK: orderly locks

    /// What LOCK_BATCH_MQ answered: the queues locked for us, and the brokers that answered at all.
    struct LockAnswer: Sendable {
        var locked: Set<MessageQueue> = []
        var answered: Set<String> = []

        /// Java `lockAll`'s update: a queue of a broker that answered is locked exactly when the broker
        /// says so; a broker that did not answer (a timeout, no route) changes nothing, as its locks live
        /// on there for 60 s: one lost renewal must not stop every queue of the broker.
        func apply(to processQueues: [ProcessQueue]) {
            for processQueue in processQueues where answered.contains(processQueue.queue.brokerName) {
                processQueue.setLocked(locked.contains(processQueue.queue))
            }
        }
    }

    /// LOCK_BATCH_MQ at each queue's master.
    private func lock(_ queues: [MessageQueue]) async -> LockAnswer {
        var answer = LockAnswer()
        for (brokerName, group) in Dictionary(grouping: queues, by: \.brokerName) {
            guard let address = instance.masterAddress(brokerName) else { continue }
            let body = LockBatchRequestBody(consumerGroup: configuration.group, clientId: instance.clientID, mqSet: group)
            do {
                let response = try await instance.invokeExpecting(address, instance.request(.lockBatchMQ, body: body.encoded()))
                answer.locked.formUnion(try LockBatchResponseBody(body: response.body).lockOKMQSet)
                answer.answered.insert(brokerName)
            } catch {
                instance.logger.debug("lock failed", metadata: ["broker": "\(brokerName)", "error": "\(error)"])
            }
        }
        return answer
    }

    /// Java `lockAll`, every rebalance: renews the locks of the queues held, drops those refused.
    private func lockAll() async {
        let queues = state.withLockedValue { Array($0.processQueues.values) }
        guard !queues.isEmpty else { return }
        await lock(queues.map(\.queue)).apply(to: queues)
    }

    private func unlock(_ queues: [MessageQueue]) async {
        for (brokerName, group) in Dictionary(grouping: queues, by: \.brokerName) {
            guard let address = instance.masterAddress(brokerName) else { continue }
            let body = LockBatchRequestBody(consumerGroup: configuration.group, clientId: instance.clientID, mqSet: group)
            _ = try? await instance.invokeExpecting(address, instance.request(.unlockBatchMQ, body: body.encoded()))
        }
    }
}
