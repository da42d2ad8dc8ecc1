import NIOCore

/// Writes commands as remoting frames (Java `NettyEncoder` + `RemotingCommand.encodeHeader`).
public enum RemotingFrameEncoder {
    /// Appends one whole frame (length prefix included) to `buffer`, with the header in the
    /// command's serialize type.
    public static func encode(_ command: RemotingCommand, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt64(0))  // length and header word, filled in below
        switch command.serializeType {
        case .json: JSONHeaderCodec.encode(command, into: &buffer)
        case .rocketmq: RocketMQHeaderCodec.encode(command, into: &buffer)
        }
        let headerLength = buffer.writerIndex - start - 8
        if var body = command.body {
            buffer.writeBuffer(&body)
        }
        let length = buffer.writerIndex - start - 4
        buffer.setInteger(Int32(truncatingIfNeeded: length), at: start)
        buffer.setInteger(UInt32(command.serializeType.rawValue) << 24 | UInt32(headerLength & 0x00FF_FFFF), at: start + 4)
    }

    public static func encode(_ command: RemotingCommand) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256 + (command.body?.readableBytes ?? 0))
        encode(command, into: &buffer)
        return buffer
    }
}
