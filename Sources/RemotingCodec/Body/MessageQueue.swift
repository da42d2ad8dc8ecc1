/// A topic's queue on one broker (Java `MessageQueue`); also the object key of several admin maps.
public struct MessageQueue: RemotingBody, Hashable, Comparable {
    public var topic: String
    public var brokerName: String
    public var queueId: Int32

    public init(topic: String, brokerName: String, queueId: Int32) {
        self.topic = topic
        self.brokerName = brokerName
        self.queueId = queueId
    }

    public init(json: JSONValue) throws(BodyError) {
        topic = try json.requiredString("topic", in: "MessageQueue")
        brokerName = try json.requiredString("brokerName", in: "MessageQueue")
        queueId = try json.requiredInt32("queueId", in: "MessageQueue")
    }

    public var json: JSONValue {
        .object(["brokerName": .string(brokerName), "queueId": .number(queueId), "topic": .string(topic)])
    }

    /// Java's `compareTo`: topic, then brokerName, then queueId.
    public static func < (lhs: MessageQueue, rhs: MessageQueue) -> Bool {
        (lhs.topic, lhs.brokerName, lhs.queueId) < (rhs.topic, rhs.brokerName, rhs.queueId)
    }
}
