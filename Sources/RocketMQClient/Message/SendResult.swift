import RemotingCodec

/// Java `SendStatus`: how far the broker got with a message it accepted.
public enum SendStatus: String, Sendable, Equatable {
    case sendOK = "SEND_OK"
    case flushDiskTimeout = "FLUSH_DISK_TIMEOUT"
    case flushSlaveTimeout = "FLUSH_SLAVE_TIMEOUT"
    case slaveNotAvailable = "SLAVE_NOT_AVAILABLE"

    init?(_ code: ResponseCode) {
        switch code {
        case .success: self = .sendOK
        case .flushDiskTimeout: self = .flushDiskTimeout
        case .flushSlaveTimeout: self = .flushSlaveTimeout
        case .slaveNotAvailable: self = .slaveNotAvailable
        default: return nil
        }
    }
}

/// Java `SendResult`.
public struct SendResult: Sendable, Equatable {
    public var status: SendStatus
    /// UNIQ_KEY (comma-joined for a batch).
    public var msgId: String
    /// The broker's store-host + physical offset id (comma-joined for a batch).
    public var offsetMsgId: String
    public var messageQueue: MessageQueue
    public var queueOffset: Int64
    public var transactionId: String?
    public var regionId: String?
    public var traceOn: Bool
}

/// Java `PullStatus`.
public enum PullStatus: String, Sendable, Equatable {
    case found = "FOUND"
    case noNewMessage = "NO_NEW_MSG"
    case noMatchedMessage = "NO_MATCHED_MSG"
    case offsetIllegal = "OFFSET_ILLEGAL"
}

/// Java `PullResult`: the messages (already filtered by tag on the client, as Java does) and where to go on.
public struct PullResult: Sendable {
    public var status: PullStatus
    public var nextBeginOffset: Int64
    public var minOffset: Int64
    public var maxOffset: Int64
    public var messages: [ReceivedMessage]
    /// The broker the next pull of this queue should go to (0 master, 1 slave).
    public var suggestWhichBrokerId: Int64
}

/// The local outcome of a transaction (Java `LocalTransactionState`).
public enum LocalTransactionState: String, Sendable, Equatable {
    case commitMessage = "COMMIT_MESSAGE"
    case rollbackMessage = "ROLLBACK_MESSAGE"
    case unknown = "UNKNOW"
}

/// Java `TransactionSendResult`.
public struct TransactionSendResult: Sendable, Equatable {
    public var sendResult: SendResult
    public var localTransactionState: LocalTransactionState
}
