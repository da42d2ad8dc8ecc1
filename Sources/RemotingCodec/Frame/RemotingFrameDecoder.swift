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
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard length >= 4 else { throw .lengthTooSmall(length) }
        let frameLength = 4 + Int(length)
        guard frameLength <= maximumFrameLength else {
            throw .frameTooLarge(length: frameLength, maximum: maximumFrameLength)
        }
        guard buffer.readableBytes >= frameLength else { return nil }
        guard let frame = buffer.getSlice(at: buffer.readerIndex + 4, length: Int(length)) else { return nil }
        let command = try Self.decodeFrame(frame)
        buffer.moveReaderIndex(forwardBy: frameLength)
        return command
    }

    /// Decodes one frame without its 4-byte length prefix: header word, header, body.
    public static func decodeFrame(_ frame: ByteBuffer) throws(FrameError) -> RemotingCommand {
        guard let headerWord = frame.getInteger(at: frame.readerIndex, as: UInt32.self) else {
            throw .lengthTooSmall(Int32(frame.readableBytes))
        }
        let headerLength = Int(headerWord & 0x00FF_FFFF)
        let typeByte = UInt8(headerWord >> 24)
        guard headerLength <= frame.readableBytes - 4 else {
            throw .headerLengthOutOfRange(headerLength: headerLength, frameLength: frame.readableBytes)
        }
        guard let serializeType = SerializeType(rawValue: typeByte) else { throw .unknownSerializeType(typeByte) }
        let headerStart = frame.readerIndex + 4
        let result: Result<RemotingCommand, FrameError> = frame.withUnsafeReadableBytes { raw in
            let header = UnsafeRawBufferPointer(rebasing: raw[4..<4 + headerLength])
            return Result { () throws(FrameError) -> RemotingCommand in
                switch serializeType {
                case .json: try JSONHeaderCodec.decode(header)
                case .rocketmq: try RocketMQHeaderCodec.decode(header)
                }
            }
        }
        var command = try result.get()
        let bodyLength = frame.readableBytes - 4 - headerLength
        if bodyLength > 0 {
            command.body = frame.getSlice(at: headerStart + headerLength, length: bodyLength)
        }
        return command
    }
}
