#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RocketMQModel

/// What the dispatcher needs of one commit-log entry (Java `DispatchRequest`).
struct DispatchRequest: Sendable, Hashable {
    var topic: String
    var queueId: Int32
    var commitLogOffset: Int64
    var msgSize: Int32
    /// The consume-queue tag field: hash of `TAGS`, or the delivery time in `SCHEDULE_TOPIC_XXXX` (§4.7).
    var tagsCode: Int64
    var storeTimestamp: Int64
    var consumeQueueOffset: Int64
    /// `KEYS`, space-separated.
    var keys: String?
    /// Index hash of `<topic>#<UNIQ_KEY>` (all the index needs of it: no `String` per message).
    var uniqueKeyHash: Int32?
    var sysFlag: MessageSysFlag
    var preparedTransactionOffset: Int64
}

/// Result of checking the bytes at a commit-log position (Java `checkMessageAndReturnSize`).
enum EntryCheck: Sendable {
    /// A complete entry.
    case message(DispatchRequest)
    /// The end-of-file filler (Java: size 0, success).
    case blank
    /// Not an entry: bad magic, cut short, CRC or position mismatch (Java: size -1, failure).
    case invalid
    /// An entry whose fields do not add up to its TOTALSIZE (Java: size TOTALSIZE, failure).
    case sizeMismatch(Int32)
}

/// The names the dispatcher reads from a properties string, scanned without building a map.
private enum ScannedProperty {
    case tags, keys, uniqueKey, delay

    /// Which of them `name` is: a length switch and one `memcmp` (this runs for every pair of every message).
    init?(_ name: UnsafeRawBufferPointer) {
        func equals(_ wanted: StaticString) -> Bool { memcmp(name.baseAddress!, wanted.utf8Start, name.count) == 0 }
        switch name.count {
        case 4: if equals("TAGS") { self = .tags } else if equals("KEYS") { self = .keys } else { return nil }
        case 5: if equals("DELAY") { self = .delay } else { return nil }
        case 8: if equals("UNIQ_KEY") { self = .uniqueKey } else { return nil }
        default: return nil
        }
    }
}

/// Where the fields of a checked commit-log entry are (positions relative to the entry's start).
struct EntryLayout: Sendable {
    var totalSize: Int32
    var queueId: Int32
    var queueOffset: Int64
    var sysFlag: MessageSysFlag
    var storeTimestamp: Int64
    var preparedTransactionOffset: Int64
    var bodyCRC: Int32
    var body: Range<Int>
    var topic: Range<Int>
    var properties: Range<Int>

    /// Whether BODYCRC matches the body in `bytes` (the entry's bytes).
    func bodyCRCMatches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        self.body.isEmpty || CRC32.masked(UnsafeRawBufferPointer(rebasing: bytes[self.body])) == self.bodyCRC
    }
}

/// Result of the structural checks of the bytes at a commit-log position (``CommitLog/inspectEntry(_:physicalOffset:checkCRC:checkPhysicalOffset:)``).
enum EntryShape: Sendable {
    case entry(EntryLayout)
    case blank
    case invalid
    case sizeMismatch(Int32)
}

extension CommitLog {
    /// Checks and parses the entry at the start of `bytes` (Java `checkMessageAndReturnSize`), where `bytes` runs
    /// to the end of what may be read and `physicalOffset` is the entry's position in the log: the checks of
    /// ``inspectEntry(_:physicalOffset:checkCRC:checkPhysicalOffset:)``, then the properties the dispatcher
    /// needs. A `DELAY` that is not a number does not invalidate the entry.
    func checkEntry(
        _ bytes: UnsafeRawBufferPointer, physicalOffset: Int64, checkCRC: Bool, checkPhysicalOffset: Bool
    ) -> EntryCheck {
        let layout: EntryLayout
        switch self.inspectEntry(bytes, physicalOffset: physicalOffset, checkCRC: checkCRC, checkPhysicalOffset: checkPhysicalOffset) {
        case .entry(let entry): layout = entry
        case .blank: return .blank
        case .invalid: return .invalid
        case .sizeMismatch(let size): return .sizeMismatch(size)
        }
        let topic = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[layout.topic]), as: UTF8.self)
        var tagsCode: Int64 = 0
        var keys: String? = nil
        var uniqueKeyHash: Int32? = nil
        var delay: String? = nil
        if !layout.properties.isEmpty {
            Self.scanProperties(UnsafeRawBufferPointer(rebasing: bytes[layout.properties])) { name, value in
                switch ScannedProperty(name) {
                case .tags: tagsCode = TagsCode.tagsCode(utf8: value)
                case .keys: keys = String(decoding: value, as: UTF8.self)
                case .uniqueKey: uniqueKeyHash = TagsCode.indexKeyHash(topic: topic, utf8: value)
                case .delay: delay = String(decoding: value, as: UTF8.self)
                case nil: break
                }
            }
        }
        if topic == TopicValidator.scheduleTopic, let delay, var level = Int32(delay) {
            level = min(level, self.maxDelayLevel)
            if level > 0 {
                tagsCode = layout.storeTimestamp + (self.delayLevelTable[level] ?? 1000)
            }
        }
        return .message(DispatchRequest(
            topic: topic, queueId: layout.queueId, commitLogOffset: physicalOffset, msgSize: layout.totalSize,
            tagsCode: tagsCode, storeTimestamp: layout.storeTimestamp, consumeQueueOffset: layout.queueOffset,
            keys: keys, uniqueKeyHash: uniqueKeyHash, sysFlag: layout.sysFlag,
            preparedTransactionOffset: layout.preparedTransactionOffset))
    }

    /// The structural checks of an entry, without building anything (recovery scans with these alone).
    ///
    /// Beyond Java's checks (magic, body CRC when `checkCRC`, fields adding up to TOTALSIZE), every length is kept
    /// inside the entry, the topic must be non-empty without zero bytes or slashes, and, when `checkPhysicalOffset`,
    /// PHYSICALOFFSET must equal the position, so that stale or torn bytes are not taken for an entry.
    func inspectEntry(
        _ bytes: UnsafeRawBufferPointer, physicalOffset: Int64, checkCRC: Bool, checkPhysicalOffset: Bool
    ) -> EntryShape {
        guard bytes.count >= 8 else { return .invalid }
        func int32(_ position: Int) -> Int32 { Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int32.self)) }
        func int64(_ position: Int) -> Int64 { Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int64.self)) }
        let totalSize = int32(0)
        let magic = int32(4)
        if magic == Self.blankMagicCode { return .blank }
        guard magic == Self.messageMagicCode, totalSize >= Int32(StoredMessage.minimumLength),
            Int(totalSize) <= bytes.count
        else { return .invalid }
        let total = Int(totalSize)
        let bodyCRC = int32(8)
        let physicalOffsetField = int64(28)
        let sysFlag = MessageSysFlag(rawValue: int32(36))
        if checkPhysicalOffset && physicalOffsetField != physicalOffset { return .invalid }
        // Raw bits: recovery runs this for every entry of a gigabyte file, and the option set's members are not
        // inlined across modules.
        let bornHostLength = sysFlag.rawValue & 0x10 != 0 ? 20 : 8
        let storeHostLength = sysFlag.rawValue & 0x20 != 0 ? 20 : 8
        var position = 48 + bornHostLength
        let storeTimestamp = int64(position)
        position += 8 + storeHostLength
        position += 4  // RECONSUMETIMES
        guard position + 8 + 4 <= total else { return .invalid }
        let preparedTransactionOffset = int64(position)
        position += 8
        let bodyLength = Int(int32(position))
        position += 4
        guard bodyLength >= 0, position + bodyLength + 1 <= total else { return .invalid }
        let body = position..<(position + bodyLength)
        if checkCRC && bodyLength > 0 && CRC32.masked(UnsafeRawBufferPointer(rebasing: bytes[body])) != bodyCRC {
            return .invalid
        }
        position += bodyLength
        let topicLength = Int(Int8(bitPattern: bytes[position]))
        position += 1
        guard topicLength > 0, position + topicLength + 2 <= total else { return .invalid }
        let topic = position..<(position + topicLength)
        // A topic names a directory: a zero byte or a slash can only be damage (Java validates topic names).
        guard !bytes[topic].contains(where: { $0 == 0 || $0 == UInt8(ascii: "/") }) else { return .invalid }
        position += topicLength
        let propertiesLength = Int(Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int16.self)))
        position += 2
        guard propertiesLength >= 0, position + propertiesLength <= total else { return .invalid }
        // StoredMessage.encodedLength, by hand for the same reason.
        let expected = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + bornHostLength + 8 + storeHostLength + 4 + 8 + 4 + bodyLength + 1
            + topicLength + 2 + propertiesLength
        guard expected == total else { return .sizeMismatch(totalSize) }
        return .entry(EntryLayout(
            totalSize: totalSize, queueId: int32(12), queueOffset: int64(20), sysFlag: sysFlag,
            storeTimestamp: storeTimestamp, preparedTransactionOffset: preparedTransactionOffset, bodyCRC: bodyCRC,
            body: body, topic: topic, properties: position..<(position + propertiesLength)))
    }

    /// Calls `body` for each `name 0x01 value` pair the way Java's `string2messageProperties` keeps them: pieces
    /// split on 0x02, at least 3 bytes, split at the first 0x01, name and value non-empty. A later pair with the
    /// same name wins, as in Java's map.
    static func scanProperties(
        _ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) {
        let count = bytes.count
        var index = 0
        while index < count {
            var pieceEnd = index
            while pieceEnd < count && bytes[pieceEnd] != MessageProperties.propertySeparator { pieceEnd += 1 }
            if pieceEnd - index >= 3 {
                var separator = index
                while separator < pieceEnd && bytes[separator] != MessageProperties.nameValueSeparator { separator += 1 }
                if separator > index && separator < pieceEnd - 1 {
                    body(
                        UnsafeRawBufferPointer(rebasing: bytes[index..<separator]),
                        UnsafeRawBufferPointer(rebasing: bytes[(separator + 1)..<pieceEnd]))
                }
            }
            index = pieceEnd + 1
        }
    }
}
