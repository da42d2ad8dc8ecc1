import NIOCore
import RemotingCodec

/// Turns inbound bytes into `RemotingCommand`s, at most one 16 MiB frame buffered at a time.
/// A corrupt frame fails the pipeline (the connection is closed), as Java's `NettyDecoder` does.
public struct RemotingFrameByteDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RemotingCommand

    private let decoder: RemotingFrameDecoder

    public init(maximumFrameLength: Int = RemotingFrameDecoder.defaultMaximumFrameLength) {
        decoder = RemotingFrameDecoder(maximumFrameLength: maximumFrameLength)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RemotingCommand? {
        try decoder.decode(buffer: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RemotingCommand? {
        try decoder.decode(buffer: &buffer)
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
