import RocketMQModel

/// Outcome of a put (Java `PutMessageStatus`). The broker maps it to a response code in one place.
public enum PutMessageStatus: String, Sendable, Hashable, CaseIterable {
    case putOK = "PUT_OK"
    case flushDiskTimeout = "FLUSH_DISK_TIMEOUT"
    case flushSlaveTimeout = "FLUSH_SLAVE_TIMEOUT"
    case slaveNotAvailable = "SLAVE_NOT_AVAILABLE"
    case serviceNotAvailable = "SERVICE_NOT_AVAILABLE"
    /// Java's spelling (`CREATE_MAPEDFILE_FAILED`).
    case createMappedFileFailed = "CREATE_MAPEDFILE_FAILED"
    case messageIllegal = "MESSAGE_ILLEGAL"
    case propertiesSizeExceeded = "PROPERTIES_SIZE_EXCEEDED"
    case osPageCacheBusy = "OS_PAGECACHE_BUSY"
    case unknownError = "UNKNOWN_ERROR"
    case lmqConsumeQueueNumExceeded = "LMQ_CONSUME_QUEUE_NUM_EXCEEDED"

    /// Java `PutMessageResult.isOk`: the message is stored (a flush or slave timeout still stored it).
    public var isStored: Bool {
        switch self {
        case .putOK, .flushDiskTimeout, .flushSlaveTimeout, .slaveNotAvailable: return true
        default: return false
        }
    }
}

/// Outcome of the write into a commit-log file (Java `AppendMessageStatus`).
public enum AppendMessageStatus: String, Sendable, Hashable, CaseIterable {
    case putOK = "PUT_OK"
    case endOfFile = "END_OF_FILE"
    case messageSizeExceeded = "MESSAGE_SIZE_EXCEEDED"
    case propertiesSizeExceeded = "PROPERTIES_SIZE_EXCEEDED"
    case unknownError = "UNKNOWN_ERROR"
}

/// Where an append landed (Java `AppendMessageResult`).
public struct AppendMessageResult: Sendable, Hashable {
    public var status: AppendMessageStatus
    /// Physical offset of the first written entry.
    public var wroteOffset: Int64
    /// Bytes written (all entries of a batch).
    public var wroteBytes: Int32
    /// STORETIMESTAMP given to the entries.
    public var storeTimestamp: Int64
    /// Queue offset of the first entry (Java `logicsOffset`); 0 for prepared and rollback transaction messages.
    public var queueOffset: Int64
    /// Entries written: 1, or the batch size.
    public var messageCount: Int32
    /// STOREHOSTADDRESS written, for the offsetMsgIds.
    public var storeHost: MessageHost
    /// Physical offsets of a batch's entries (empty for a single message, whose offset is ``wroteOffset``).
    public var batchPhysicalOffsets: [Int64]

    public init(
        status: AppendMessageStatus, wroteOffset: Int64, wroteBytes: Int32, storeTimestamp: Int64, queueOffset: Int64,
        messageCount: Int32, storeHost: MessageHost, batchPhysicalOffsets: [Int64] = []
    ) {
        self.status = status
        self.wroteOffset = wroteOffset
        self.wroteBytes = wroteBytes
        self.storeTimestamp = storeTimestamp
        self.queueOffset = queueOffset
        self.messageCount = messageCount
        self.storeHost = storeHost
        self.batchPhysicalOffsets = batchPhysicalOffsets
    }

    /// The offsetMsgId of each entry (§4.6).
    public var msgIds: [String] {
        let offsets = self.batchPhysicalOffsets.isEmpty ? [self.wroteOffset] : self.batchPhysicalOffsets
        return offsets.map { MessageId.offsetMsgId(storeHost: self.storeHost, physicalOffset: $0) }
    }

    /// Java `getMsgId()`: the offsetMsgIds joined by `,` (a batch send's response `msgId`).
    public var msgId: String {
        guard !self.batchPhysicalOffsets.isEmpty else { return MessageId.offsetMsgId(storeHost: self.storeHost, physicalOffset: self.wroteOffset) }
        return self.msgIds.joined(separator: ",")
    }

    /// Physical offset after the last written byte: what a SYNC_FLUSH put waits for.
    public var nextOffset: Int64 {
        self.wroteOffset + Int64(self.wroteBytes)
    }
}

/// Outcome of a put (Java `PutMessageResult`): the status, and where the message went if it was written.
public struct PutMessageResult: Sendable, Hashable {
    public var status: PutMessageStatus
    public var appendResult: AppendMessageResult?

    public init(status: PutMessageStatus, appendResult: AppendMessageResult? = nil) {
        self.status = status
        self.appendResult = appendResult
    }

    /// Java `isOk`: written (even if the flush or slave wait timed out).
    public var isStored: Bool {
        self.appendResult != nil && self.status.isStored
    }
}
