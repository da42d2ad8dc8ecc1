import NIOCore
import RemotingCodec

/// Turns inbound bytes into `RemotingCommand`s, at most one 16 MiB frame buffered at a time.
/// A corrupt frame fails the pipeline (the connection is closed), as Java's `NettyDecoder` does.
public struct RemotingFrameByteDecoder: ByteToMessageDecoder {
    public typealias InboundOut = RemotingCommand

    private let decoder: RemotingFrameDecoder

    public init(maximumFrameLength: Int = RemotingFrameDecoder.defaultMaximumFrameLength) {
        decoder = RemotingFrameDecoder(maximumFrameLength: maximumFrameLength)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let command = try decoder.decode(buffer: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(command))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Writes `RemotingCommand`s as frames (Java `NettyEncoder`).
public struct RemotingFrameByteEncoder: MessageToByteEncoder {
    public typealias OutboundIn = RemotingCommand

    public init() {}

    public func encode(data: RemotingCommand, out: inout ByteBuffer) throws {
        RemotingFrameEncoder.encode(data, into: &out)
    }
}
