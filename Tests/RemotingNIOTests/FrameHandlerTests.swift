import FixtureSupport
import NIOCore
import NIOEmbedded
import NIOTestUtils
import RemotingCodec
import RemotingNIO
import Testing

/// The NIO decoder over the codec: frames split anywhere, many frames per read, corrupt input.
@Suite struct FrameHandlerTests {
    static func scenarioStream(_ scenario: String) -> (bytes: ByteBuffer, count: Int) {
        let frames = Fixtures.frames.filter { $0.scenario == scenario && $0.meta["dir"]?.stringValue == "c2s" }
        var buffer = ByteBuffer()
        for frame in frames { buffer.writeBytes(frame.bytes) }
        return (buffer, frames.count)
    }

    @Test(arguments: ["02-sync-producer-json", "03b-push-consumer-rocketmq", "10-python-cpp-client"])
    func decoderVerifierAcceptsCapturedStreams(_ scenario: String) throws {
        let frames = Fixtures.frames.filter { $0.scenario == scenario }
        var pairs: [(ByteBuffer, [CommandSummary])] = []
        for frame in frames {
            var buffer = ByteBuffer(bytes: frame.bytes)
            let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
            pairs.append((ByteBuffer(bytes: frame.bytes), [CommandSummary(command)]))
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: pairs.map { ($0.0, $0.1) },
            decoderFactory: { SummaryDecoder() })
    }

    @Test func manyFramesInOneReadAndOneByteAtATime() throws {
        let (stream, count) = Self.scenarioStream("04-big-body-and-batch")
        for chunk in [stream.readableBytes, 1, 7, 1000] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(RemotingFrameByteDecoder()))
            var input = stream
            while input.readableBytes > 0 {
                let slice = input.readSlice(length: min(chunk, input.readableBytes))!
                try channel.writeInbound(slice)
            }
            var decoded = 0
            while let command = try channel.readInbound(as: RemotingCommand.self) {
                #expect(!command.isResponse)
                decoded += 1
            }
            #expect(decoded == count, "chunk \(chunk)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test func corruptFrameFailsThePipeline() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RemotingFrameByteDecoder()))
        var garbage = ByteBuffer()
        garbage.writeInteger(Int32(8))
        garbage.writeInteger(UInt32(0x0700_0004))
        garbage.writeInteger(UInt32(0))
        #expect(throws: FrameError.unknownSerializeType(7)) { try channel.writeInbound(garbage) }
        _ = try? channel.finish()
    }

    @Test func oversizedLengthFailsBeforeTheBodyArrives() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RemotingFrameByteDecoder(maximumFrameLength: 1024)))
        var header = ByteBuffer()
        header.writeInteger(Int32(2048))
        #expect(throws: FrameError.frameTooLarge(length: 2052, maximum: 1024)) { try channel.writeInbound(header) }
        _ = try? channel.finish()
    }

    @Test func encoderWritesFrames() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(RemotingFrameByteEncoder()))
        let command = RemotingCommand.request(code: .heartBeat, opaque: 3, body: ByteBuffer(string: "{}"))
        try channel.writeOutbound(command)
        var written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let decoded = try #require(try RemotingFrameDecoder().decode(buffer: &written))
        #expect(decoded.code == RequestCode.heartBeat.rawValue)
        #expect(decoded.body == ByteBuffer(string: "{}"))
        #expect(try channel.finish().isClean)
    }
}

/// An Equatable digest of a command, for the decoder verifier.
struct CommandSummary: Equatable {
    var code: Int32
    var opaque: Int32
    var flag: Int32
    var remark: String?
    var extFields: ExtFields?
    var body: ByteBuffer?

    init(_ command: RemotingCommand) {
        code = command.code
        opaque = command.opaque
        flag = command.flag
        remark = command.remark
        extFields = command.extFields
        body = command.body
    }
}

struct SummaryDecoder: ByteToMessageDecoder {
    typealias InboundOut = CommandSummary
    let decoder = RemotingFrameDecoder()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let command = try decoder.decode(buffer: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(CommandSummary(command)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
