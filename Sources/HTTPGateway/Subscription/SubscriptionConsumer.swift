import Logging
import RemotingCodec
import RocketMQClient
import Synchronization

/// The push consumer behind one subscription: its handler POSTs each message to the backurl; a failed
/// delivery answers RECONSUME_LATER (the broker's %RETRY% topic, its growing delay levels, then %DLQ%)
/// or, for an orderly subscription, suspends the queue and tries the same message again.
final class SubscriptionConsumer: Sendable {
    let subscription: PushSubscription
    private let consumer: PushConsumer
    private let delivery: Delivery
    private let limiter: RateLimiter?
    /// Whether the last delivery failed: the first failure and the recovery are logged, not every retry.
    private let failing = Atomic<Bool>(false)

    init(subscription: PushSubscription, instance: ClientInstance, delivery: Delivery) {
        self.subscription = subscription
        self.delivery = delivery
        self.limiter = RateLimiter(messagesPerSecond: subscription.rateLimit)
        var configuration = PushConsumerConfiguration(group: subscription.group)
        configuration.consumeFromWhere = ConsumeFromWhere(rawValue: subscription.consumeFromWhere) ?? .consumeFromLastOffset
        configuration.consumeThreadCount = subscription.concurrency
        configuration.maxReconsumeTimes = subscription.maxReconsumeTimes
        configuration.consumeMessageBatchMaxSize = 1
        // Enough cached per queue to keep `concurrency` deliveries busy without holding thousands in memory.
        configuration.pullThresholdForQueue = max(64, subscription.concurrency * 8)
        self.consumer = PushConsumer(configuration: configuration, instance: instance)
    }

    func start() async throws {
        let type: ExpressionType = subscription.filterType == .sql92 ? .sql92 : .tag
        try consumer.subscribe(topic: subscription.topic, expression: subscription.filter, type: type)
        if subscription.orderly {
            try await consumer.start(orderly: { [self] messages in
                await deliverAll(messages) ? .success : .suspendCurrentQueueAMoment
            })
        } else {
            try await consumer.start(concurrently: { [self] messages in
                await deliverAll(messages) ? .consumeSuccess : .reconsumeLater
            })
        }
    }

    private func deliverAll(_ messages: [ReceivedMessage]) async -> Bool {
        for message in messages {
            await limiter?.acquire()
            let outcome = await delivery.deliver(message, subscription: subscription)
            if case .failed(let reason) = outcome {
                let metadata: Logger.Metadata = [
                    "group": "\(subscription.group)", "msgId": "\(message.msgId)",
                    "reconsumeTimes": "\(message.reconsumeTimes)", "reason": "\(reason)",
                ]
                if failing.exchange(true, ordering: .relaxed) {
                    delivery.logger.debug("delivery failed", metadata: metadata)
                } else {
                    delivery.logger.warning("deliveries to the backurl fail; RocketMQ retries them (then the DLQ)", metadata: metadata)
                }
                return false
            }
            if failing.load(ordering: .relaxed), failing.exchange(false, ordering: .relaxed) {
                delivery.logger.info("deliveries to the backurl succeed again", metadata: ["group": "\(subscription.group)"])
            }
        }
        return true
    }

    /// Stops pulling and commits the offsets consumed so far.
    func shutdown() async {
        await consumer.shutdown()
    }
}
