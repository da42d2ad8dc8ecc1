import NIOCore
import RocketMQModel

/// A message handed to the store by the broker (Java `MessageExtBrokerInner`): what the send processor decoded,
/// plus the broker's own fields. The store fills in QUEUEOFFSET, PHYSICALOFFSET, STORETIMESTAMP and BODYCRC.
public struct BrokerInnerMessage: Sendable {
    public var topic: String
    public var queueId: Int32
    /// The user flag from the send header.
    public var flag: Int32
    /// The body as sent (possibly compressed; the store never inflates it).
    public var body: ByteBuffer
    /// The properties string to store, byte for byte (§4.2).
    public var rawProperties: ByteBuffer
    /// SYSFLAG; the host V6 bits are set from the hosts.
    public var sysFlag: MessageSysFlag
    public var bornTimestamp: Int64
    /// BORNHOST; normalise IPv4-mapped IPv6 peers before storing (§4.1).
    public var bornHost: MessageHost
    /// STOREHOSTADDRESS: `brokerIP1` and `listenPort`.
    public var storeHost: MessageHost
    public var reconsumeTimes: Int32
    public var preparedTransactionOffset: Int64
    /// `DELAY` (the delay level), parsed by the caller; 0 for none.
    public var delayTimeLevel: Int32
    /// `WAIT` (`PROPERTY_WAIT_STORE_MSG_OK`): under SYNC_FLUSH, answer only after the flush.
    public var waitStoreMessageOK: Bool

    public init(
        topic: String, queueId: Int32, body: ByteBuffer, rawProperties: ByteBuffer = ByteBuffer(), flag: Int32 = 0,
        sysFlag: MessageSysFlag = [], bornTimestamp: Int64, bornHost: MessageHost, storeHost: MessageHost,
        reconsumeTimes: Int32 = 0, preparedTransactionOffset: Int64 = 0, delayTimeLevel: Int32 = 0,
        waitStoreMessageOK: Bool = true
    ) {
        self.topic = topic
        self.queueId = queueId
        self.flag = flag
        self.body = body
        self.rawProperties = rawProperties
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.bornHost = bornHost
        self.storeHost = storeHost
        self.reconsumeTimes = reconsumeTimes
        self.preparedTransactionOffset = preparedTransactionOffset
        self.delayTimeLevel = delayTimeLevel
        self.waitStoreMessageOK = waitStoreMessageOK
    }

    /// A message from parsed properties: `DELAY` and `WAIT` are read from them, and they are stored in Java's
    /// string form.
    public init(
        topic: String, queueId: Int32, body: ByteBuffer, properties: MessageProperties, flag: Int32 = 0,
        sysFlag: MessageSysFlag = [], bornTimestamp: Int64, bornHost: MessageHost, storeHost: MessageHost,
        reconsumeTimes: Int32 = 0, preparedTransactionOffset: Int64 = 0
    ) {
        var raw = ByteBuffer()
        properties.write(to: &raw)
        self.init(
            topic: topic, queueId: queueId, body: body, rawProperties: raw, flag: flag, sysFlag: sysFlag,
            bornTimestamp: bornTimestamp, bornHost: bornHost, storeHost: storeHost, reconsumeTimes: reconsumeTimes,
            preparedTransactionOffset: preparedTransactionOffset,
            delayTimeLevel: properties[MessageConst.delayTimeLevel].flatMap { Int32($0) } ?? 0,
            waitStoreMessageOK: properties[MessageConst.waitStoreMsgOK].map { $0 != "false" } ?? true)
    }
}
