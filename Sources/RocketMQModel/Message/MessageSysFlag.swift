/// The per-message system flag (Java `MessageSysFlag`), stored in SYSFLAG and sent as the send header's `sysFlag`.
///
/// Bits (PROTOCOL.md §4.3): compressed 0x1, multi-tags 0x2, transaction type 0xC, born-host IPv6 0x10,
/// store-host IPv6 0x20, need-unwrap 0x40, inner-batch 0x80, compression type 0x700.
public struct MessageSysFlag: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// COMPRESSED_FLAG: the body is compressed (type in bits 8–10).
    public static let compressed = MessageSysFlag(rawValue: 0x1)
    /// MULTI_TAGS_FLAG: set by the broker for MULTI_TAG topics.
    public static let multiTags = MessageSysFlag(rawValue: 0x2)
    /// BORNHOST_V6_FLAG: BORNHOST is 16 + 4 bytes.
    public static let bornHostV6 = MessageSysFlag(rawValue: 0x10)
    /// STOREHOSTADDRESS_V6_FLAG: STOREHOST is 16 + 4 bytes.
    public static let storeHostV6 = MessageSysFlag(rawValue: 0x20)
    /// NEED_UNWRAP_FLAG (5.x inner batch).
    public static let needUnwrap = MessageSysFlag(rawValue: 0x40)
    /// INNER_BATCH_FLAG (5.x inner batch).
    public static let innerBatch = MessageSysFlag(rawValue: 0x80)

    /// Mask of the transaction type bits.
    public static let transactionTypeMask: Int32 = 0xC
    /// Mask of the compression type bits.
    public static let compressionTypeMask: Int32 = 0x700

    /// Transaction type held in bits 2–3.
    public enum TransactionType: Int32, Sendable, Hashable, CaseIterable {
        /// TRANSACTION_NOT_TYPE
        case notType = 0x0
        /// TRANSACTION_PREPARED_TYPE: a half message as sent by the producer.
        case prepared = 0x4
        /// TRANSACTION_COMMIT_TYPE
        case commit = 0x8
        /// TRANSACTION_ROLLBACK_TYPE
        case rollback = 0xC
    }

    /// Compression algorithm held in bits 8–10 (Java `CompressionType`).
    public enum CompressionType: Int32, Sendable, Hashable, CaseIterable {
        /// 0: written by clients before 4.9.x and by C++; means zlib.
        case legacyZlib = 0x000
        case lz4 = 0x100
        case zstd = 0x200
        case zlib = 0x300

        /// Whether the body is a zlib (RFC 1950) stream.
        public var isZlib: Bool {
            self == .legacyZlib || self == .zlib
        }
    }

    /// `MessageSysFlag.getTransactionValue`.
    public var transactionType: TransactionType {
        get {
            // Every value of the two bits is a case.
            TransactionType(rawValue: self.rawValue & Self.transactionTypeMask) ?? .notType
        }
        set {
            self.rawValue = (self.rawValue & ~Self.transactionTypeMask) | newValue.rawValue
        }
    }

    /// `MessageSysFlag.resetTransactionValue`: a copy with the transaction bits replaced.
    public func resettingTransactionValue(_ type: TransactionType) -> MessageSysFlag {
        var copy = self
        copy.transactionType = type
        return copy
    }

    /// The compression type in bits 8–10, or nil for a value no RocketMQ version defines (0x400…0x700).
    /// Only meaningful when ``compressed`` is set.
    public var compressionType: CompressionType? {
        get {
            CompressionType(rawValue: self.rawValue & Self.compressionTypeMask)
        }
        set {
            self.rawValue = (self.rawValue & ~Self.compressionTypeMask) | (newValue?.rawValue ?? 0)
        }
    }

    public var description: String {
        "MessageSysFlag(0x\(String(self.rawValue, radix: 16)))"
    }
}
