import NIOCore

/// One message inside a batch body (Java `MessageDecoder.encodeMessages` / `decodeMessages`, PROTOCOL.md §4.5).
public struct BatchEntry: Sendable, Equatable {
    /// The message's user flag.
    public var flag: Int32
    /// The body (never compressed in a batch).
    public var body: ByteBuffer
    /// The message's own properties string, byte for byte as sent.
    public var rawProperties: ByteBuffer
    /// MAGICCODE as sent: 0 from Java (ignored by the broker), kept so re-encoding is byte-exact.
    public var magicCode: Int32
    /// BODYCRC as sent: 0 from Java (ignored; the broker computes it), kept so re-encoding is byte-exact.
    public var bodyCRC: Int32

    public init(flag: Int32 = 0, body: ByteBuffer, rawProperties: ByteBuffer, magicCode: Int32 = 0, bodyCRC: Int32 = 0) {
        self.flag = flag
        self.body = body
        self.rawProperties = rawProperties
        self.magicCode = magicCode
        self.bodyCRC = bodyCRC
    }

    public init(flag: Int32 = 0, body: ByteBuffer, properties: MessageProperties) {
        var raw = ByteBuffer()
        properties.write(to: &raw)
        self.init(flag: flag, body: body, rawProperties: raw)
    }

    /// The parsed properties; setting replaces ``rawProperties`` with Java's string form.
    public var properties: MessageProperties {
        get { MessageProperties(decoding: self.rawProperties) }
        set {
            var raw = ByteBuffer()
            newValue.write(to: &raw)
            self.rawProperties = raw
        }
    }

    /// The properties string as sent.
    public var propertiesString: String {
        String(buffer: self.rawProperties)
    }

    /// The bytes a broker stores for this entry (§3.3.3): its own properties unchanged, then the batch-level
    /// string (`CLUSTER` plus the header's properties). A 0x02 goes between them only when both are non-empty
    /// and the entry's own string does not already end with 0x02 (C++ writes a trailing one).
    public func storedProperties(appending batchProperties: String) -> ByteBuffer {
        let ownLength = self.rawProperties.readableBytes
        let batchLength = batchProperties.utf8.count
        let own = self.rawProperties
        let needsSeparator = ownLength > 0 && batchLength > 0
            && own.getInteger(at: own.readerIndex + ownLength - 1, as: UInt8.self) != MessageProperties.propertySeparator
        var result = ByteBuffer()
        result.reserveCapacity(ownLength + batchLength + 1)
        result.writeImmutableBuffer(own)
        if needsSeparator {
            result.writeInteger(MessageProperties.propertySeparator)
        }
        result.writeString(batchProperties)
        return result
    }
}

/// The body of SEND_BATCH_MESSAGE (or of a send with `batch=true`): entries of
/// TOTALSIZE 4, MAGICCODE 4, BODYCRC 4, FLAG 4, BODY 4 + n, PROPERTIES 2 + n (PROTOCOL.md §4.5).
public enum MessageBatch {
    /// Bytes of an entry around its body and properties.
    public static let entryOverhead = 4 + 4 + 4 + 4 + 4 + 2

    /// Splits a batch body into entries. Each TOTALSIZE must equal its fields' sum and stay inside the body.
    public static func decode(_ body: ByteBuffer) throws(MessageDecodeError) -> [BatchEntry] {
        var buffer = body
        var entries: [BatchEntry] = []
        while buffer.readableBytes > 0 {
            guard let totalSize = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { throw .truncated }
            guard totalSize >= Self.entryOverhead else { throw .lengthOutOfRange(field: .totalSize) }
            guard Int(totalSize) <= buffer.readableBytes, var entry = buffer.readSlice(length: Int(totalSize)) else {
                throw .truncated
            }
            entry.moveReaderIndex(forwardBy: 4)
            guard let (magicCode, bodyCRC, flag, bodyLength) = entry.readMultipleIntegers(as: (Int32, Int32, Int32, Int32).self)
            else { throw .lengthOutOfRange(field: .header) }
            guard bodyLength >= 0, let messageBody = entry.readSlice(length: Int(bodyLength)) else {
                throw .lengthOutOfRange(field: .body)
            }
            let rawProperties = try entry.readPropertiesAtEndOfEntry(totalSize: totalSize)
            entries.append(
                BatchEntry(flag: flag, body: messageBody, rawProperties: rawProperties, magicCode: magicCode, bodyCRC: bodyCRC))
        }
        return entries
    }

    /// Writes entries in the batch layout (TOTALSIZE computed; MAGICCODE and BODYCRC as held, 0 by default).
    public static func encode(_ entries: [BatchEntry]) throws(MessageEncodeError) -> ByteBuffer {
        var total = 0
        for entry in entries {
            guard entry.rawProperties.readableBytes <= Int(Int16.max) else {
                throw .propertiesTooLong(entry.rawProperties.readableBytes)
            }
            let size = Self.entryOverhead + entry.body.readableBytes + entry.rawProperties.readableBytes
            guard size <= Int(Int32.max) else { throw .bodyTooLong(entry.body.readableBytes) }
            total += size
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(total)
        for entry in entries {
            let size = Self.entryOverhead + entry.body.readableBytes + entry.rawProperties.readableBytes
            buffer.writeMultipleIntegers(
                Int32(size), entry.magicCode, entry.bodyCRC, entry.flag, Int32(entry.body.readableBytes))
            buffer.writeImmutableBuffer(entry.body)
            buffer.writeInteger(Int16(entry.rawProperties.readableBytes))
            buffer.writeImmutableBuffer(entry.rawProperties)
        }
        return buffer
    }
}
