import NIOCore

/// The slave's offset report on the HA connection (Java `HAClient.reportSlaveMaxOffset`): its commit log's max
/// physical offset as an 8-byte big-endian long, with no framing (PROTOCOL.md §5.12).
public struct HASlaveReport: Hashable, Sendable {
    public static let size = 8

    public var maxOffset: Int64

    public init(maxOffset: Int64) {
        self.maxOffset = maxOffset
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.maxOffset, endianness: .big, as: Int64.self)
    }

    /// Reads the next report, nil when fewer than 8 bytes are buffered; a negative offset is an error (the
    /// master closes the connection).
    public static func decode(_ buffer: inout ByteBuffer) throws(HAFrameError) -> HASlaveReport? {
        guard let offset = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int64.self) else { return nil }
        guard offset >= 0 else { throw .negativeOffset(offset) }
        buffer.moveReaderIndex(forwardBy: Self.size)
        return HASlaveReport(maxOffset: offset)
    }
}

/// One master → slave transfer (Java `HAConnection.WriteSocketService`): a 12-byte header — physical offset of
/// the first byte (long) and body size (int) — then that many raw commit-log bytes. Size 0 is a heartbeat.
public struct HATransfer: Sendable, Equatable {
    public static let headerSize = 8 + 4

    /// Physical offset of the body's first byte (for a heartbeat: where the master will go on from).
    public var physicalOffset: Int64
    /// Raw commit-log bytes (whole entries, possibly cut at a batch boundary).
    public var body: ByteBuffer

    public init(physicalOffset: Int64, body: ByteBuffer) {
        self.physicalOffset = physicalOffset
        self.body = body
    }

    public static func heartbeat(at physicalOffset: Int64) -> HATransfer {
        HATransfer(physicalOffset: physicalOffset, body: ByteBuffer())
    }

    public var isHeartbeat: Bool { self.body.readableBytes == 0 }

    /// The offset after the body.
    public var endOffset: Int64 { self.physicalOffset + Int64(self.body.readableBytes) }

    /// Writes the header only (the body can then go out as its own buffer, uncopied).
    public static func encodeHeader(physicalOffset: Int64, bodySize: Int32, into buffer: inout ByteBuffer) {
        buffer.writeInteger(physicalOffset, endianness: .big, as: Int64.self)
        buffer.writeInteger(bodySize, endianness: .big, as: Int32.self)
    }

    public func encode(into buffer: inout ByteBuffer) {
        Self.encodeHeader(physicalOffset: self.physicalOffset, bodySize: Int32(self.body.readableBytes), into: &buffer)
        var body = self.body
        buffer.writeBuffer(&body)
    }
}

/// Cuts ``HATransfer``s out of the master's stream. Pure: the reader index moves only past a whole transfer.
/// Java's slave reads into a 4 MiB buffer, so a larger body can never arrive from a Java master: it is refused
/// before it is buffered, as is a negative size or offset.
public struct HATransferDecoder: Sendable {
    /// Java `HAClient.READ_MAX_BUFFER_SIZE` less the header.
    public static let defaultMaximumBodySize = 4 * 1024 * 1024 - HATransfer.headerSize

    public var maximumBodySize: Int

    public init(maximumBodySize: Int = HATransferDecoder.defaultMaximumBodySize) {
        self.maximumBodySize = maximumBodySize
    }

    public func decode(_ buffer: inout ByteBuffer) throws(HAFrameError) -> HATransfer? {
        let start = buffer.readerIndex
        guard let offset = buffer.getInteger(at: start, endianness: .big, as: Int64.self),
            let size = buffer.getInteger(at: start + 8, endianness: .big, as: Int32.self)
        else { return nil }
        guard offset >= 0 else { throw .negativeOffset(offset) }
        guard size >= 0, Int(size) <= self.maximumBodySize else {
            throw .bodySizeOutOfRange(size: size, maximum: self.maximumBodySize)
        }
        guard buffer.readableBytes >= HATransfer.headerSize + Int(size),
            let body = buffer.getSlice(at: start + HATransfer.headerSize, length: Int(size))
        else { return nil }
        buffer.moveReaderIndex(forwardBy: HATransfer.headerSize + Int(size))
        return HATransfer(physicalOffset: offset, body: body)
    }
}

/// Malformed HA bytes: the connection is closed (the peer reconnects and starts over).
public enum HAFrameError: Error, Hashable, Sendable {
    case negativeOffset(Int64)
    case bodySizeOutOfRange(size: Int32, maximum: Int)
}
