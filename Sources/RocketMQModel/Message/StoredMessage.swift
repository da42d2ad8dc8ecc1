import NIOCore

/// A message in stored form (Java `MessageExt` as written by `CommitLog` and read by `MessageDecoder.decode`),
/// the commit-log entry layout that is also the body of pull, query, view and check-transaction answers and the
/// HA stream (PROTOCOL.md §4.1, §4.8).
///
/// `body` and `rawProperties` are slices of the decoded buffer (no copy). The properties are kept as the raw
/// bytes that were read, so re-encoding a decoded entry gives identical bytes (a batch entry's string may hold a
/// name twice); ``properties`` reads them lazily.
public struct StoredMessage: Sendable, Equatable {
    /// MESSAGE_MAGIC_CODE (4.x, 1-byte topic length), `0xDAA320A7`.
    public static let magicCodeV1 = Int32(bitPattern: 0xDAA3_20A7)
    /// MESSAGE_MAGIC_CODE_V2 ([5.x], 2-byte topic length), `0xDAA320AB`.
    public static let magicCodeV2 = Int32(bitPattern: 0xDAA3_20AB)
    /// BLANK_MAGIC_CODE of the end-of-file filler, `0xCBD43194`.
    public static let blankMagicCode = Int32(bitPattern: 0xCBD4_3194)
    /// The smallest entry: IPv4 hosts, V1 magic, empty body, topic and properties.
    public static let minimumLength = 91

    /// TOTALSIZE as decoded. ``encode(into:)`` writes the recomputed size and ignores this field.
    public var storeSize: Int32
    /// MAGICCODE: ``magicCodeV1``, or ``magicCodeV2`` for a 2-byte topic length.
    public var magicCode: Int32
    /// BODYCRC: `CRC32.masked(body)`, written as stored (see ``isBodyCRCValid``).
    public var bodyCRC: Int32
    public var queueId: Int32
    /// The user flag from the send header.
    public var flag: Int32
    /// Logical offset in the consume queue.
    public var queueOffset: Int64
    /// Byte offset of this entry in the commit log (Java `commitLogOffset`).
    public var physicalOffset: Int64
    /// SYSFLAG. The host V6 bits are rewritten from the hosts on encode.
    public var sysFlag: MessageSysFlag
    public var bornTimestamp: Int64
    public var bornHost: MessageHost
    public var storeTimestamp: Int64
    public var storeHost: MessageHost
    public var reconsumeTimes: Int32
    public var preparedTransactionOffset: Int64
    /// The body as stored: compressed when `sysFlag` has ``MessageSysFlag/compressed`` (see ``uncompressedBody(maxSize:)``).
    public var body: ByteBuffer
    public var topic: String
    /// The properties string's UTF-8 bytes exactly as stored.
    public var rawProperties: ByteBuffer

    /// Builds a message. `bodyCRC` defaults to `CRC32.masked(body)`; `storeSize` is computed.
    public init(
        topic: String,
        body: ByteBuffer,
        properties: MessageProperties = MessageProperties(),
        queueId: Int32 = 0,
        flag: Int32 = 0,
        queueOffset: Int64 = 0,
        physicalOffset: Int64 = 0,
        sysFlag: MessageSysFlag = [],
        bornTimestamp: Int64 = 0,
        bornHost: MessageHost,
        storeTimestamp: Int64 = 0,
        storeHost: MessageHost,
        reconsumeTimes: Int32 = 0,
        preparedTransactionOffset: Int64 = 0,
        bodyCRC: Int32? = nil,
        magicCode: Int32 = StoredMessage.magicCodeV1
    ) {
        var raw = ByteBuffer()
        raw.reserveCapacity(properties.encodedByteCount)
        properties.write(to: &raw)
        self.init(
            topic: topic, body: body, rawProperties: raw, queueId: queueId, flag: flag, queueOffset: queueOffset,
            physicalOffset: physicalOffset, sysFlag: sysFlag, bornTimestamp: bornTimestamp, bornHost: bornHost,
            storeTimestamp: storeTimestamp, storeHost: storeHost, reconsumeTimes: reconsumeTimes,
            preparedTransactionOffset: preparedTransactionOffset, bodyCRC: bodyCRC, magicCode: magicCode)
    }

    /// Builds a message with a raw properties string (kept byte for byte).
    public init(
        topic: String,
        body: ByteBuffer,
        rawProperties: ByteBuffer,
        queueId: Int32 = 0,
        flag: Int32 = 0,
        queueOffset: Int64 = 0,
        physicalOffset: Int64 = 0,
        sysFlag: MessageSysFlag = [],
        bornTimestamp: Int64 = 0,
        bornHost: MessageHost,
        storeTimestamp: Int64 = 0,
        storeHost: MessageHost,
        reconsumeTimes: Int32 = 0,
        preparedTransactionOffset: Int64 = 0,
        bodyCRC: Int32? = nil,
        magicCode: Int32 = StoredMessage.magicCodeV1
    ) {
        self.init(
            storeSize: 0, magicCode: magicCode, bodyCRC: bodyCRC ?? CRC32.masked(body), queueId: queueId, flag: flag,
            queueOffset: queueOffset, physicalOffset: physicalOffset, sysFlag: sysFlag, bornTimestamp: bornTimestamp,
            bornHost: bornHost, storeTimestamp: storeTimestamp, storeHost: storeHost, reconsumeTimes: reconsumeTimes,
            preparedTransactionOffset: preparedTransactionOffset, body: body, topic: topic, rawProperties: rawProperties)
        self.storeSize = Int32(truncatingIfNeeded: self.encodedLength)
    }

    private init(
        storeSize: Int32, magicCode: Int32, bodyCRC: Int32, queueId: Int32, flag: Int32, queueOffset: Int64,
        physicalOffset: Int64, sysFlag: MessageSysFlag, bornTimestamp: Int64, bornHost: MessageHost,
        storeTimestamp: Int64, storeHost: MessageHost, reconsumeTimes: Int32, preparedTransactionOffset: Int64,
        body: ByteBuffer, topic: String, rawProperties: ByteBuffer
    ) {
        self.storeSize = storeSize
        self.magicCode = magicCode
        self.bodyCRC = bodyCRC
        self.queueId = queueId
        self.flag = flag
        self.queueOffset = queueOffset
        self.physicalOffset = physicalOffset
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.bornHost = bornHost
        self.storeTimestamp = storeTimestamp
        self.storeHost = storeHost
        self.reconsumeTimes = reconsumeTimes
        self.preparedTransactionOffset = preparedTransactionOffset
        self.body = body
        self.topic = topic
        self.rawProperties = rawProperties
    }

    // MARK: Derived values

    /// The properties, parsed only when more than a look-up by name is asked of them; setting replaces
    /// ``rawProperties`` with Java's string form.
    public var properties: MessageProperties {
        get { MessageProperties(stored: self.rawProperties) }
        set {
            var raw = ByteBuffer()
            raw.reserveCapacity(newValue.encodedByteCount)
            newValue.write(to: &raw)
            self.rawProperties = raw
        }
    }

    /// The properties string as stored.
    public var propertiesString: String {
        String(buffer: self.rawProperties)
    }

    /// `TAGS`, parsed from the properties.
    public var tags: String? { self.properties.tags }

    /// The offsetMsgId: store host + physical offset (§4.6).
    public var offsetMsgId: String {
        MessageId.offsetMsgId(storeHost: self.storeHost, physicalOffset: self.physicalOffset)
    }

    /// Whether BODYCRC matches the body.
    public var isBodyCRCValid: Bool {
        self.bodyCRC == CRC32.masked(self.body)
    }

    /// The size ``encode(into:)`` writes.
    public var encodedLength: Int {
        Self.encodedLength(
            bodyLength: self.body.readableBytes, topicLength: self.topic.utf8.count,
            propertiesLength: self.rawProperties.readableBytes, bornHostV6: self.bornHost.isIPv6,
            storeHostV6: self.storeHost.isIPv6) + (self.magicCode == Self.magicCodeV2 ? 1 : 0)
    }

    /// Java `CommitLog.calMsgLength` for the V1 layout: 91 + body + topic + properties with IPv4 hosts, 12 more
    /// per IPv6 host.
    public static func encodedLength(
        bodyLength: Int, topicLength: Int, propertiesLength: Int, bornHostV6: Bool = false, storeHostV6: Bool = false
    ) -> Int {
        4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + (bornHostV6 ? 20 : 8) + 8 + (storeHostV6 ? 20 : 8) + 4 + 8
            + 4 + bodyLength + 1 + topicLength + 2 + propertiesLength
    }

    /// The body, inflated when the compressed flag is set (zlib only; LZ4/ZSTD throw
    /// ``MessageCompressionError/unsupported(_:)``). `maxSize` bounds the output.
    public func uncompressedBody(maxSize: Int) throws(MessageCompressionError) -> ByteBuffer {
        guard self.sysFlag.contains(.compressed) else { return self.body }
        guard let type = self.sysFlag.compressionType else {
            throw .unknownType(self.sysFlag.rawValue & MessageSysFlag.compressionTypeMask)
        }
        guard type.isZlib else { throw .unsupported(type) }
        return try MessageCompression.inflate(self.body, maxSize: maxSize)
    }

    // MARK: Decoding

    /// Reads one entry at the reader index and moves past it; on error the reader index is unchanged.
    ///
    /// Checks: MAGICCODE (an end-of-file filler throws ``MessageDecodeError/blank(totalSize:)``), TOTALSIZE at
    /// least ``minimumLength`` and within the readable bytes (else ``MessageDecodeError/truncated``), every
    /// inner length inside the entry, the fields adding up to TOTALSIZE, topic and properties valid UTF-8, and
    /// the body CRC when `verifyBodyCRC` is set.
    public static func decode(
        from buffer: inout ByteBuffer, verifyBodyCRC: Bool = false
    ) throws(MessageDecodeError) -> StoredMessage {
        let start = buffer.readerIndex
        guard let (totalSize, magic) = buffer.getMultipleIntegers(at: start, as: (Int32, Int32).self) else {
            throw .truncated
        }
        if magic == Self.blankMagicCode {
            throw .blank(totalSize: totalSize)
        }
        guard magic == Self.magicCodeV1 || magic == Self.magicCodeV2 else {
            throw .badMagic(magic)
        }
        guard totalSize >= Self.minimumLength else {
            throw .lengthOutOfRange(field: .totalSize)
        }
        guard Int(totalSize) <= buffer.readableBytes, var entry = buffer.getSlice(at: start, length: Int(totalSize)) else {
            throw .truncated
        }
        entry.moveReaderIndex(forwardBy: 8)
        guard let (bodyCRC, queueId, flag, queueOffset, physicalOffset, sysFlagValue, bornTimestamp) =
            entry.readMultipleIntegers(as: (Int32, Int32, Int32, Int64, Int64, Int32, Int64).self)
        else { throw .lengthOutOfRange(field: .header) }
        let sysFlag = MessageSysFlag(rawValue: sysFlagValue)
        guard let bornHost = MessageHost.read(from: &entry, ipv6: sysFlag.contains(.bornHostV6)) else {
            throw .lengthOutOfRange(field: .bornHost)
        }
        guard let storeTimestamp = entry.readInteger(as: Int64.self) else {
            throw .lengthOutOfRange(field: .header)
        }
        guard let storeHost = MessageHost.read(from: &entry, ipv6: sysFlag.contains(.storeHostV6)) else {
            throw .lengthOutOfRange(field: .storeHost)
        }
        guard let (reconsumeTimes, preparedTransactionOffset) = entry.readMultipleIntegers(as: (Int32, Int64).self) else {
            throw .lengthOutOfRange(field: .header)
        }
        guard let bodyLength = entry.readInteger(as: Int32.self), bodyLength >= 0,
            let body = entry.readSlice(length: Int(bodyLength))
        else { throw .lengthOutOfRange(field: .body) }
        let topicLength: Int
        if magic == Self.magicCodeV2 {
            guard let length = entry.readInteger(as: Int16.self), length >= 0 else { throw .lengthOutOfRange(field: .topic) }
            topicLength = Int(length)
        } else {
            guard let length = entry.readInteger(as: Int8.self), length >= 0 else { throw .lengthOutOfRange(field: .topic) }
            topicLength = Int(length)
        }
        guard let topicBytes = entry.readSlice(length: topicLength) else {
            throw .lengthOutOfRange(field: .topic)
        }
        guard topicBytes.withUnsafeReadableBytes({ UTF8Validation.isValid($0) }) else {
            throw .invalidUTF8(field: .topic)
        }
        let rawProperties = try entry.readPropertiesAtEndOfEntry(totalSize: totalSize)
        if verifyBodyCRC {
            let computed = CRC32.masked(body)
            guard computed == bodyCRC else { throw .bodyCRCMismatch(stored: bodyCRC, computed: computed) }
        }
        buffer.moveReaderIndex(forwardBy: Int(totalSize))
        return StoredMessage(
            storeSize: totalSize, magicCode: magic, bodyCRC: bodyCRC, queueId: queueId, flag: flag,
            queueOffset: queueOffset, physicalOffset: physicalOffset, sysFlag: sysFlag, bornTimestamp: bornTimestamp,
            bornHost: bornHost, storeTimestamp: storeTimestamp, storeHost: storeHost, reconsumeTimes: reconsumeTimes,
            preparedTransactionOffset: preparedTransactionOffset, body: body, topic: String(buffer: topicBytes),
            rawProperties: rawProperties)
    }

    /// Decodes concatenated entries, as in a pull, query or view answer body (§4.8). An empty buffer gives [].
    public static func decodeAll(_ buffer: ByteBuffer, verifyBodyCRC: Bool = false) throws(MessageDecodeError) -> [StoredMessage] {
        var buffer = buffer
        var messages: [StoredMessage] = []
        while buffer.readableBytes > 0 {
            messages.append(try Self.decode(from: &buffer, verifyBodyCRC: verifyBodyCRC))
        }
        return messages
    }

    // MARK: Encoding

    /// Appends the stored bytes: TOTALSIZE recomputed, BODYCRC and the other fields as held, the sysFlag host V6
    /// bits set from the hosts, the topic length in 1 byte (2 for V2 magic).
    @discardableResult
    public func encode(into buffer: inout ByteBuffer) throws(MessageEncodeError) -> Int {
        let isV2 = self.magicCode == Self.magicCodeV2
        let topicLength = self.topic.utf8.count
        guard topicLength <= (isV2 ? Int(Int16.max) : Int(Int8.max)) else { throw .topicTooLong(topicLength) }
        let propertiesLength = self.rawProperties.readableBytes
        guard propertiesLength <= Int(Int16.max) else { throw .propertiesTooLong(propertiesLength) }
        let bodyLength = self.body.readableBytes
        let total = self.encodedLength
        guard total <= Int(Int32.max) else { throw .bodyTooLong(bodyLength) }

        var sysFlag = self.sysFlag
        if self.bornHost.isIPv6 { sysFlag.insert(.bornHostV6) } else { sysFlag.remove(.bornHostV6) }
        if self.storeHost.isIPv6 { sysFlag.insert(.storeHostV6) } else { sysFlag.remove(.storeHostV6) }

        buffer.reserveCapacity(minimumWritableBytes: total)
        buffer.writeMultipleIntegers(
            Int32(total), self.magicCode, self.bodyCRC, self.queueId, self.flag, self.queueOffset,
            self.physicalOffset, sysFlag.rawValue, self.bornTimestamp)
        self.bornHost.write(to: &buffer)
        buffer.writeInteger(self.storeTimestamp)
        self.storeHost.write(to: &buffer)
        buffer.writeMultipleIntegers(self.reconsumeTimes, self.preparedTransactionOffset, Int32(bodyLength))
        buffer.writeImmutableBuffer(self.body)
        if isV2 {
            buffer.writeInteger(Int16(topicLength))
        } else {
            buffer.writeInteger(Int8(topicLength))
        }
        buffer.writeString(self.topic)
        buffer.writeInteger(Int16(propertiesLength))
        buffer.writeImmutableBuffer(self.rawProperties)
        return total
    }

    /// The stored bytes in a new buffer.
    public func encoded() throws(MessageEncodeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try self.encode(into: &buffer)
        return buffer
    }
}

extension ByteBuffer {
    /// Reads the trailing properties field of a stored or batch entry (short length + UTF-8), which
    /// must end the entry exactly.
    mutating func readPropertiesAtEndOfEntry(totalSize: Int32) throws(MessageDecodeError) -> ByteBuffer {
        guard let propertiesLength = readInteger(as: Int16.self), propertiesLength >= 0,
            let rawProperties = readSlice(length: Int(propertiesLength))
        else { throw .lengthOutOfRange(field: .properties) }
        guard rawProperties.withUnsafeReadableBytes({ UTF8Validation.isValid($0) }) else {
            throw .invalidUTF8(field: .properties)
        }
        guard readableBytes == 0 else {
            throw .sizeMismatch(totalSize: totalSize, fields: Int(totalSize) - readableBytes)
        }
        return rawProperties
    }
}
