import NIOConcurrencyHelpers
import RemotingCodec
import RocketMQModel

/// A pull consumer with explicit offsets (Java `DefaultMQPullConsumer`): the application picks the
/// queue and offset of each pull and commits offsets itself.
public final class PullConsumer: Sendable, ConsumerInner {
    public let group: String
    public let instance: ClientInstance
    private let pullAPI: PullAPI
    private let running = NIOLockedValueBox(false)
    private let topics = NIOLockedValueBox<Set<String>>([])

    public init(group: String, instance: ClientInstance) {
        self.group = group
        self.instance = instance
        self.pullAPI = PullAPI(instance: instance, group: group)
    }

    public convenience init(group: String, client: ClientConfiguration) {
        self.init(group: group, instance: ClientInstance(configuration: client))
    }

    public func start() async throws {
        guard !group.isEmpty, !TopicValidator.isTopicOrGroupIllegal(group) else {
            throw MQClientError.messageIllegal("the specified group[\(group)] contains illegal characters")
        }
        try instance.registerConsumer(self)
        running.withLockedValue { $0 = true }
        instance.retain()
    }

    public func shutdown() async {
        let was = running.withLockedValue { value -> Bool in
            defer { value = false }
            return value
        }
        guard was else { return }
        await instance.unregisterConsumer(group: group)
        await instance.release()
    }

    /// The readable queues of `topic` (Java `fetchSubscribeMessageQueues`).
    public func fetchSubscribeQueues(topic: String) async throws -> [MessageQueue] {
        topics.withLockedValue { _ = $0.insert(topic) }
        return try await instance.subscribeQueues(topic)
    }

    /// Pulls up to `maxCount` messages from `offset`; with `block`, the broker holds the request up
    /// to `suspendTimeout` when there is nothing yet (Java `pullBlockIfNotFound`).
    public func pull(
        _ queue: MessageQueue, expression: String = "*", type: ExpressionType = .tag, offset: Int64,
        maxCount: Int32 = 32, block: Bool = false, suspendTimeout: Duration = .seconds(20)
    ) async throws -> PullResult {
        guard running.withLockedValue({ $0 }) else { throw MQClientError.notRunning }
        guard offset >= 0 else { throw MQClientError.messageIllegal("offset < 0") }
        if instance.brokerAddress(queue.brokerName) == nil { _ = try await instance.updateRoute(queue.topic) }
        let subscription = SubscriptionData.build(topic: queue.topic, expression: expression, type: type, subVersion: 0)
        var flags: PullSysFlag = [.subscription]
        if block { flags.insert(.suspend) }
        return try await pullAPI.pull(
            queue: queue, subscription: subscription, offset: offset, maxCount: maxCount, sysFlag: flags, commitOffset: 0,
            suspendTimeout: suspendTimeout, timeout: block ? suspendTimeout + .seconds(10) : instance.configuration.requestTimeout)
    }

    /// The group's committed offset of `queue` at the broker; -1 when it has none.
    public func committedOffset(_ queue: MessageQueue) async throws -> Int64 {
        try await instance.queryConsumerOffset(group: group, queue: queue)
    }

    /// Commits `offset` (the next message to consume) for `queue` at the broker.
    public func commit(_ queue: MessageQueue, offset: Int64) async throws {
        try await instance.updateConsumerOffset(group: group, queue: queue, offset: offset, oneway: false)
    }

    // MARK: ConsumerInner

    var consumerData: ConsumerData {
        let subscriptions = topics.withLockedValue { $0.sorted() }.map {
            SubscriptionData.build(topic: $0, expression: "*", type: .tag, subVersion: 0)
        }
        return ConsumerData(groupName: group, consumeType: .consumeActively, messageModel: .clustering,
                            consumeFromWhere: .consumeFromLastOffset, subscriptionDataSet: subscriptions)
    }

    func rebalance() async {}
    func persistOffsets() async {}
    func resetOffsets(topic: String, to offsets: [MessageQueue: Int64]) async {
        for (queue, offset) in offsets { try? await commit(queue, offset: offset) }
    }
}
