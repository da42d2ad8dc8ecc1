import FixtureSupport
import NIOCore
import RemotingCodec
import Testing

/// Replays every frame captured from Apache RocketMQ 4.9.8 through the codec.
@Suite struct FixtureReplayTests {
    static let frames = Fixtures.frames
    static let binaryFrames = frames.filter { $0.serialize == "ROCKETMQ" }
    static let jsonFrames = frames.filter { $0.serialize == "JSON" }
    /// JSON written by Java (fastjson): our writer must reproduce it exactly.
    static let javaJSONFrames = jsonFrames.filter { $0.language == "JAVA" }

    static func decode(_ frame: FixtureFrame) throws -> RemotingCommand {
        var buffer = ByteBuffer(bytes: frame.bytes)
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        #expect(buffer.readableBytes == 0)
        return command
    }

    @Test func fixturesArePresent() {
        #expect(Self.frames.count > 700)
        #expect(Self.binaryFrames.count > 100)
        #expect(Self.frames.contains { $0.language == "CPP" })
    }

    @Test(arguments: frames)
    func everyFrameDecodesToItsCapturedFields(_ frame: FixtureFrame) throws {
        let command = try Self.decode(frame)
        let meta = frame.meta
        #expect(command.code == meta["code"]?.int32Value)
        #expect(command.opaque == meta["opaque"]?.int32Value)
        #expect(command.flag == meta["flag"]?.int32Value)
        #expect(command.version == meta["version"]?.int32Value)
        #expect(command.language.name == meta["language"]?.stringValue)
        #expect(command.serializeType.description == frame.serialize)
        #expect(command.isResponse == frame.isResponse)
        #expect(command.isOneway == (meta["oneway"] == .bool(true)))
        let capturedRemark = meta["remark"]?.stringValue
        // ROCKETMQ headers cannot tell an empty remark from none.
        #expect(command.remark ?? "" == capturedRemark ?? "")
        #expect((command.body?.readableBytes ?? 0) == meta["body_length"]?.intValue)
        let captured = meta["ext_fields"]?.objectValue?.members ?? []
        let decoded = command.extFields ?? ExtFields()
        #expect(decoded.count == captured.count)
        for member in captured {
            let name = try #require(member.key.stringValue)
            // C++ sends some values as JSON numbers; they read as their decimal text.
            #expect(decoded[name] == member.value.stringValue, "\(name)")
        }
    }

    @Test(arguments: binaryFrames)
    func binaryFramesReencodeToTheSameBytes(_ frame: FixtureFrame) throws {
        let command = try Self.decode(frame)
        let encoded = RemotingFrameEncoder.encode(command)
        #expect(Array(encoded.readableBytesView) == frame.bytes)
    }

    @Test(arguments: javaJSONFrames)
    func javaJSONFramesReencodeToTheSameBytes(_ frame: FixtureFrame) throws {
        let command = try Self.decode(frame)
        let encoded = RemotingFrameEncoder.encode(command)
        #expect(String(decoding: encoded.readableBytesView, as: UTF8.self) == String(decoding: frame.bytes, as: UTF8.self))
    }

    @Test(arguments: jsonFrames)
    func jsonFramesRoundTrip(_ frame: FixtureFrame) throws {
        let command = try Self.decode(frame)
        var encoded = RemotingFrameEncoder.encode(command)
        let again = try #require(try RemotingFrameDecoder().decode(buffer: &encoded))
        #expect(again.code == command.code)
        #expect(again.opaque == command.opaque)
        #expect(again.flag == command.flag)
        #expect(again.language == command.language)
        #expect(again.version == command.version)
        #expect(again.remark == command.remark)
        #expect(again.extFields == command.extFields)
        #expect(again.body == command.body)
    }

    @Test func cppHeadersAreAnsweredInJSON() throws {
        let cpp = try #require(Self.frames.first { $0.language == "CPP" && $0.isRequest })
        var request = try Self.decode(cpp)
        request.serializeType = .rocketmq
        let response = request.makeResponse(code: .success)
        #expect(response.serializeType == .json)
        #expect(response.opaque == request.opaque)
        #expect(response.isResponse)
    }
}
