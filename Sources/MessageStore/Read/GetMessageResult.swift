import NIOCore

/// Outcome of a read by queue offset (Java `GetMessageStatus`). The broker maps it to a pull response code.
public enum GetMessageStatus: String, Sendable, Hashable, CaseIterable {
    case found = "FOUND"
    /// Units were read but none passed the filter (or the batch was cut before any).
    case noMatchedMessage = "NO_MATCHED_MESSAGE"
    /// The unit points at a commit-log file that is gone.
    case messageWasRemoving = "MESSAGE_WAS_REMOVING"
    /// The offset is in range but its consume-queue file cannot be read.
    case offsetFoundNull = "OFFSET_FOUND_NULL"
    /// The offset is beyond the queue's max offset.
    case offsetOverflowBadly = "OFFSET_OVERFLOW_BADLY"
    /// The offset equals the max offset: nothing new yet (long polling waits on this).
    case offsetOverflowOne = "OFFSET_OVERFLOW_ONE"
    /// The offset is below the queue's min offset.
    case offsetTooSmall = "OFFSET_TOO_SMALL"
    /// No such queue can exist (negative queue id or a topic that cannot name a directory). Java creates
    /// queues lazily and so answers NO_MESSAGE_IN_QUEUE for any unknown queue; so do we for a valid name.
    case noMatchedLogicQueue = "NO_MATCHED_LOGIC_QUEUE"
    /// The queue is empty.
    case noMessageInQueue = "NO_MESSAGE_IN_QUEUE"
}

/// What a read by queue offset returns (Java `GetMessageResult`): the status, the offsets to continue from, and
/// the matched stored entries (§4.1), back to back in one buffer — the PULL_MESSAGE body as is.
public struct GetMessageResult: Sendable {
    public var status: GetMessageStatus
    /// Queue offset the consumer should pull from next.
    public var nextBeginOffset: Int64
    public var minOffset: Int64
    public var maxOffset: Int64
    /// The entries, concatenated in queue order.
    public var body: ByteBuffer
    /// Queue offset of each entry.
    public var messageQueueOffsets: [Int64]
    /// Commit-log offset of each entry.
    public var messagePhysicalOffsets: [Int64]
    /// TOTALSIZE of each entry.
    public var messageSizes: [Int32]
    /// Java `suggestPullingFromSlave`: the read was far behind the commit-log end (beyond the in-memory ratio).
    public var suggestPullingFromSlave: Bool

    public init(status: GetMessageStatus, nextBeginOffset: Int64, minOffset: Int64, maxOffset: Int64) {
        self.status = status
        self.nextBeginOffset = nextBeginOffset
        self.minOffset = minOffset
        self.maxOffset = maxOffset
        self.body = ByteBuffer()
        self.messageQueueOffsets = []
        self.messagePhysicalOffsets = []
        self.messageSizes = []
        self.suggestPullingFromSlave = false
    }

    /// Number of entries (Java `getMessageCount`).
    public var messageCount: Int { self.messageSizes.count }

    /// Bytes of all entries (Java `getBufferTotalSize`).
    public var bufferTotalSize: Int { self.body.readableBytes }

    /// Each entry as a slice of ``body``.
    public var messages: [ByteBuffer] {
        var result: [ByteBuffer] = []
        result.reserveCapacity(self.messageSizes.count)
        var position = self.body.readerIndex
        for size in self.messageSizes {
            if let slice = self.body.getSlice(at: position, length: Int(size)) { result.append(slice) }
            position += Int(size)
        }
        return result
    }
}
