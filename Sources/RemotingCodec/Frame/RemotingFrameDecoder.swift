import NIOCore

/// Cuts remoting frames out of a byte stream and decodes them (Java `NettyDecoder` +
/// `RemotingCommand.decode`). Pure: it only moves the buffer's reader index, and only past a whole
/// frame.
public struct RemotingFrameDecoder: Sendable {
    /// Java's `com.rocketmq.remoting.frameMaxLength` default; counts the 4-byte length prefix.
    public static let defaultMaximumFrameLength = 16 * 1024 * 1024

    public var maximumFrameLength: Int

    public init(maximumFrameLength: Int = RemotingFrameDecoder.defaultMaximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Decodes the next frame, or returns nil when the buffer does not yet hold a whole one. An
    /// oversized or inconsistent length throws before anything beyond the frame is buffered.
    public func decode(buffer: inout ByteBuffer) throws(FrameError) -> RemotingCommand? {
        // One look at the bytes for the length, the header word and the header: every ByteBuffer
        // accessor pays a dynamic exclusivity check.
        let maximumFrameLength = maximumFrameLength
        let result: Result<(RemotingCommand, body: Int, frame: Int)?, FrameError> = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(FrameError) -> (RemotingCommand, body: Int, frame: Int)? in
                guard raw.count >= 4 else { return nil }
                let length = Int32(bigEndian: raw.loadUnaligned(as: Int32.self))
                guard length >= 4 else { throw .lengthTooSmall(length) }
                let frameLength = 4 + Int(length)
                guard frameLength <= maximumFrameLength else {
                    throw .frameTooLarge(length: frameLength, maximum: maximumFrameLength)
                }
                guard raw.count >= frameLength else { return nil }
                let (command, bodyStart) = try Self.decodeHeader(UnsafeRawBufferPointer(rebasing: raw[4..<frameLength]))
                return (command, 4 + bodyStart, frameLength)
            }
        }
        guard var (command, bodyStart, frameLength) = try result.get() else { return nil }
        if bodyStart < frameLength {
            command.body = buffer.getSlice(at: buffer.readerIndex + bodyStart, length: frameLength - bodyStart)
        }
        buffer.moveReaderIndex(forwardBy: frameLength)
        return command
    }

    /// Decodes one frame without its 4-byte length prefix: header word, header, body.
    public static func decodeFrame(_ frame: ByteBuffer) throws(FrameError) -> RemotingCommand {
        let result: Result<(RemotingCommand, body: Int), FrameError> = frame.withUnsafeReadableBytes { raw in
            Result { () throws(FrameError) -> (RemotingCommand, body: Int) in try decodeHeader(raw) }
        }
        var (command, bodyStart) = try result.get()
        if bodyStart < frame.readableBytes {
            command.body = frame.getSlice(at: frame.readerIndex + bodyStart, length: frame.readableBytes - bodyStart)
        }
        return command
    }

    /// The command of a frame's bytes (after the length prefix), without its body, and where the body starts.
    private static func decodeHeader(_ frame: UnsafeRawBufferPointer) throws(FrameError) -> (RemotingCommand, body: Int) {
        guard frame.count >= 4 else { throw .lengthTooSmall(Int32(frame.count)) }
        let headerWord = UInt32(bigEndian: frame.loadUnaligned(as: UInt32.self))
        let headerLength = Int(headerWord & 0x00FF_FFFF)
        let typeByte = UInt8(headerWord >> 24)
        guard headerLength <= frame.count - 4 else {
            throw .headerLengthOutOfRange(headerLength: headerLength, frameLength: frame.count)
        }
        guard let serializeType = SerializeType(rawValue: typeByte) else { throw .unknownSerializeType(typeByte) }
        let header = UnsafeRawBufferPointer(rebasing: frame[4..<4 + headerLength])
        let command = switch serializeType {
        case .json: try JSONHeaderCodec.decode(header)
        case .rocketmq: try RocketMQHeaderCodec.decode(header)
        }
        return (command, 4 + headerLength)
    }
}
