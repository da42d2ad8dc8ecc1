import NIOCore

/// Writes commands as remoting frames (Java `NettyEncoder` + `RemotingCommand.encodeHeader`).
public enum RemotingFrameEncoder {
    /// Appends one whole frame (length prefix included) to `buffer`, with the header in the
    /// command's serialize type.
    public static func encode(_ command: RemotingCommand, into buffer: inout ByteBuffer) {
        // Sized first, then written in one go: every ByteBuffer accessor pays a dynamic exclusivity check.
        let headerCapacity = switch command.serializeType {
        case .json: JSONHeaderCodec.capacity(command)
        case .rocketmq: RocketMQHeaderCodec.capacity(command)
        }
        let bodyLength = command.body?.readableBytes ?? 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 8 + headerCapacity + bodyLength) { raw in
            var writer = RawWriter(raw)
            writer.offset = 8  // length and header word, filled in below
            switch command.serializeType {
            case .json: JSONHeaderCodec.write(command, into: &writer)
            case .rocketmq: RocketMQHeaderCodec.write(command, into: &writer)
            }
            let headerLength = writer.offset - 8
            if let body = command.body {
                body.withUnsafeReadableBytes { writer.bytes($0) }
            }
            let length = writer.offset - 4
            writer.base.storeBytes(of: Int32(truncatingIfNeeded: length).bigEndian, as: Int32.self)
            let headerWord = UInt32(command.serializeType.rawValue) << 24 | UInt32(headerLength & 0x00FF_FFFF)
            writer.base.storeBytes(of: headerWord.bigEndian, toByteOffset: 4, as: UInt32.self)
            return writer.offset
        }
    }

    public static func encode(_ command: RemotingCommand) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256 + (command.body?.readableBytes ?? 0))
        encode(command, into: &buffer)
        return buffer
    }
}
