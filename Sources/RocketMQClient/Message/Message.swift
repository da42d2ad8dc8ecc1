import NIOCore
import RemotingCodec
import RocketMQModel

/// A message to send (Java `Message`): topic, body, flag and properties, with typed views of the
/// properties the broker and consumers read (TAGS, KEYS, DELAY, WAIT, `__STARTDELIVERTIME`).
public struct Message: Sendable {
    public var topic: String
    public var body: ByteBuffer
    /// The user flag, stored as is.
    public var flag: Int32
    public var properties: MessageProperties

    public init(topic: String, body: ByteBuffer, tags: String? = nil, keys: [String] = [], flag: Int32 = 0) {
        self.topic = topic
        self.body = body
        self.flag = flag
        self.properties = MessageProperties()
        if !keys.isEmpty { self.keys = keys }
        if let tags { self.tags = tags }
        // Java sets WAIT=true on every message it builds.
        self.properties[MessageConst.waitStoreMsgOK] = "true"
    }

    public init(topic: String, body: some Sequence<UInt8>, tags: String? = nil, keys: [String] = [], flag: Int32 = 0) {
        self.init(topic: topic, body: ByteBuffer(bytes: body), tags: tags, keys: keys, flag: flag)
    }

    public init(topic: String, body: String, tags: String? = nil, keys: [String] = [], flag: Int32 = 0) {
        self.init(topic: topic, body: ByteBuffer(string: body), tags: tags, keys: keys, flag: flag)
    }

    public var tags: String? {
        get { properties[MessageConst.tags] }
        set { properties[MessageConst.tags] = newValue }
    }

    /// KEYS, space-separated on the wire.
    public var keys: [String] {
        get { properties[MessageConst.keys]?.split(separator: " ").map(String.init) ?? [] }
        set { properties[MessageConst.keys] = newValue.isEmpty ? nil : newValue.joined(separator: MessageConst.keySeparator) }
    }

    /// DELAY: the delay level (1 = 1s … 18 = 2h with the broker's default levels).
    public var delayTimeLevel: Int32? {
        get { properties[MessageConst.delayTimeLevel].flatMap { Int32($0) } }
        set { properties[MessageConst.delayTimeLevel] = newValue.map { String($0) } }
    }

    /// `__STARTDELIVERTIME`: deliver at this wall-clock time (ms since the epoch).
    public var deliverTimeMillis: Int64? {
        get { properties[MessageConst.startDeliverTime].flatMap { Int64($0) } }
        set { properties[MessageConst.startDeliverTime] = newValue.map { String($0) } }
    }

    /// WAIT: answer only once stored as the broker's flush and replication settings require.
    public var waitStoreMsgOK: Bool {
        get { properties[MessageConst.waitStoreMsgOK] != "false" }
        set { properties[MessageConst.waitStoreMsgOK] = newValue ? "true" : "false" }
    }

    /// A user property; reserved names are refused by ``Producer`` as Java does.
    public subscript(property name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }
}

/// A message a consumer received (Java `MessageExt`): what the broker stored, with the queue it
/// came from and the ids Java's client shows.
public struct ReceivedMessage: Sendable {
    public var topic: String
    public var body: ByteBuffer
    public var flag: Int32
    public var properties: MessageProperties
    public var queue: MessageQueue
    public var queueOffset: Int64
    public var commitLogOffset: Int64
    public var sysFlag: Int32
    public var bodyCRC: Int32
    public var bornTimestamp: Int64
    public var bornHost: MessageHost
    public var storeTimestamp: Int64
    public var storeHost: MessageHost
    public var reconsumeTimes: Int32
    public var preparedTransactionOffset: Int64
    /// `storeHost` + physical offset, as the broker made it (formatted on demand: a drain reads
    /// hundreds of thousands of messages a second and most never look at it).
    public var offsetMsgId: String { MessageId.offsetMsgId(storeHost: storeHost, physicalOffset: commitLogOffset) }

    /// UNIQ_KEY when the producer set one, else the offset id (Java `MessageClientExt.getMsgId`).
    public var msgId: String { properties[MessageConst.uniqueClientMessageIdKeyIndex] ?? offsetMsgId }
    public var tags: String? { properties[MessageConst.tags] }
    public var keys: [String] { properties[MessageConst.keys]?.split(separator: " ").map(String.init) ?? [] }

    /// Builds the view of one pulled record; a compressed body is inflated (bounded by `maxBodySize`).
    init(stored: StoredMessage, brokerName: String, maxBodySize: Int) throws {
        topic = stored.topic
        body = stored.sysFlag.contains(.compressed) ? try stored.uncompressedBody(maxSize: maxBodySize) : stored.body
        flag = stored.flag
        properties = stored.properties
        queue = MessageQueue(topic: stored.topic, brokerName: brokerName, queueId: stored.queueId)
        queueOffset = stored.queueOffset
        commitLogOffset = stored.physicalOffset
        sysFlag = stored.sysFlag.rawValue & ~MessageSysFlag.compressed.rawValue
        bodyCRC = stored.bodyCRC
        bornTimestamp = stored.bornTimestamp
        bornHost = stored.bornHost
        storeTimestamp = stored.storeTimestamp
        storeHost = stored.storeHost
        reconsumeTimes = stored.reconsumeTimes
        preparedTransactionOffset = stored.preparedTransactionOffset
    }
}
