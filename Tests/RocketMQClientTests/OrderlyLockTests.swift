@testable import RocketMQClient
import RemotingCodec
import Testing

/// Java `lockAll`: an orderly consumer's lock renewal changes only the queues of the brokers that answered.
@Suite struct OrderlyLockTests {
    @Test func aBrokerThatDidNotAnswerKeepsItsQueuesLocked() {
        let a0 = MessageQueue(topic: "T", brokerName: "broker-a", queueId: 0)
        let a1 = MessageQueue(topic: "T", brokerName: "broker-a", queueId: 1)
        let b0 = MessageQueue(topic: "T", brokerName: "broker-b", queueId: 0)
        let queues = [a0, a1, b0].map { ProcessQueue(queue: $0) }
        for queue in queues { queue.setLocked(true) }

        // broker-a answered and kept only a0 for us; broker-b's answer timed out.
        PushConsumer.LockAnswer(locked: [a0], answered: ["broker-a"]).apply(to: queues)
        #expect(queues.map(\.isLocked) == [true, false, true])
        // broker-b answers without b0 (another member holds it now): b0 stops.
        PushConsumer.LockAnswer(locked: [], answered: ["broker-b"]).apply(to: queues)
        #expect(queues.map(\.isLocked) == [true, false, false])
        // broker-a grants a1 again and not a0.
        PushConsumer.LockAnswer(locked: [a1], answered: ["broker-a"]).apply(to: queues)
        #expect(queues.map(\.isLocked) == [false, true, false])
        // Nobody answered: nothing changes.
        PushConsumer.LockAnswer().apply(to: queues)
        #expect(queues.map(\.isLocked) == [false, true, false])
    }
}
