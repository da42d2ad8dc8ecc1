import NIOCore
import RocketMQModel

/// A batch handed to the store (Java `MessageExtBatch`): the §4.5 batch body plus the fields every entry shares.
/// Each entry becomes a stored message with consecutive queue offsets.
public struct BrokerInnerBatch: Sendable {
    public var topic: String
    public var queueId: Int32
    /// The SEND_BATCH_MESSAGE body: entries in the §4.5 layout.
    public var body: ByteBuffer
    /// Batch-level properties appended to each entry's own (`CLUSTER` plus the header's properties, §3.3.3).
    public var batchProperties: ByteBuffer
    public var sysFlag: MessageSysFlag
    public var bornTimestamp: Int64
    public var bornHost: MessageHost
    public var storeHost: MessageHost
    public var reconsumeTimes: Int32
    /// `DELAY` of the batch: any level above 0 is refused (MESSAGE_ILLEGAL), as in Java.
    public var delayTimeLevel: Int32
    public var waitStoreMessageOK: Bool

    public init(
        topic: String, queueId: Int32, body: ByteBuffer, batchProperties: ByteBuffer = ByteBuffer(),
        sysFlag: MessageSysFlag = [], bornTimestamp: Int64, bornHost: MessageHost, storeHost: MessageHost,
        reconsumeTimes: Int32 = 0, delayTimeLevel: Int32 = 0, waitStoreMessageOK: Bool = true
    ) {
        self.topic = topic
        self.queueId = queueId
        self.body = body
        self.batchProperties = batchProperties
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.bornHost = bornHost
        self.storeHost = storeHost
        self.reconsumeTimes = reconsumeTimes
        self.delayTimeLevel = delayTimeLevel
        self.waitStoreMessageOK = waitStoreMessageOK
    }
}
