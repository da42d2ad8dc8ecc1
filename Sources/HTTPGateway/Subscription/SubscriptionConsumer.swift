import Logging
import RemotingCodec
import RocketMQClient

/// The push consumer behind one subscription: its handler POSTs each message to the backurl; a failed
/// delivery answers RECONSUME_LATER (the broker's %RETRY% topic, its growing delay levels, then %DLQ%)
/// or, for an orderly subscription, suspends the queue and tries the same message again.
final class SubscriptionConsumer: Sendable {
    let subscription: PushSubscription
    private let consumer: PushConsumer
    private let delivery: Delivery
    private let limiter: RateLimiter?

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
                // info: an operator sees why a message is retried (a timeout, an answer's status).
                delivery.logger.info("delivery failed; the message is retried", metadata: [
                    "group": "\(subscription.group)", "msgId": "\(message.msgId)",
                    "reconsumeTimes": "\(message.reconsumeTimes)", "reason": "\(reason)",
                ])
                return false
            }
        }
        return true
    }

    /// Stops pulling and commits the offsets consumed so far.
    func shutdown() async {
        await consumer.shutdown()
    }
}
