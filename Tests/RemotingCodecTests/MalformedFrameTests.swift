import NIOCore
import RemotingCodec
import Testing

/// Bad input never crashes the decoder: it waits for more bytes or throws a typed `FrameError`.
@Suite struct MalformedFrameTests {
    static func frame(headerWord: UInt32, header: [UInt8], body: [UInt8] = [], length: Int32? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(length ?? Int32(4 + header.count + body.count))
        buffer.writeInteger(headerWord)
        buffer.writeBytes(header)
        buffer.writeBytes(body)
        return buffer
    }

    static func jsonFrame(_ header: String, body: [UInt8] = []) -> ByteBuffer {
        frame(headerWord: UInt32(header.utf8.count), header: Array(header.utf8), body: body)
    }

    static let validRequest: ByteBuffer = {
        var fields = ExtFields()
        fields.append("topic", "TopicTest")
        return RemotingFrameEncoder.encode(.request(code: .getRouteInfoByTopic, opaque: 7, extFields: fields, serializeType: .rocketmq))
    }()

    @Test func truncatedFramesWaitForMoreBytes() throws {
        let whole = Array(Self.validRequest.readableBytesView)
        for cut in 0..<whole.count {
            var buffer = ByteBuffer(bytes: whole[0..<cut])
            #expect(try RemotingFrameDecoder().decode(buffer: &buffer) == nil)
            #expect(buffer.readerIndex == 0)
        }
        var buffer = ByteBuffer(bytes: whole)
        #expect(try RemotingFrameDecoder().decode(buffer: &buffer)?.opaque == 7)
    }

    @Test(arguments: [Int32.min, -1, 0, 1, 3])
    func lengthsBelowTheHeaderWordAreRejected(_ length: Int32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        buffer.writeInteger(UInt32(0))
        #expect(throws: FrameError.lengthTooSmall(length)) { try RemotingFrameDecoder().decode(buffer: &buffer) }
    }

    @Test func oversizedFramesAreRejectedBeforeBuffering() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(16 * 1024 * 1024 - 3))
        #expect(throws: FrameError.frameTooLarge(length: 16 * 1024 * 1024 + 1, maximum: 16 * 1024 * 1024)) {
            try RemotingFrameDecoder().decode(buffer: &buffer)
        }
        var max = ByteBuffer()
        max.writeInteger(Int32.max)
        #expect(throws: FrameError.self) { try RemotingFrameDecoder().decode(buffer: &max) }
        // Exactly 16 MiB is allowed: the decoder waits for the rest.
        var limit = ByteBuffer()
        limit.writeInteger(Int32(16 * 1024 * 1024 - 4))
        #expect(try RemotingFrameDecoder().decode(buffer: &limit) == nil)
    }

    @Test func headerLengthBeyondTheFrameIsRejected() {
        var buffer = Self.frame(headerWord: 100, header: Array("{}".utf8))
        #expect(throws: FrameError.headerLengthOutOfRange(headerLength: 100, frameLength: 6)) {
            try RemotingFrameDecoder().decode(buffer: &buffer)
        }
    }

    @Test(arguments: [UInt8(2), 0x7F, 0xFF])
    func unknownSerializeTypesAreRejected(_ type: UInt8) {
        var buffer = Self.frame(headerWord: UInt32(type) << 24 | 2, header: Array("{}".utf8))
        #expect(throws: FrameError.unknownSerializeType(type)) { try RemotingFrameDecoder().decode(buffer: &buffer) }
    }

    @Test(arguments: [
        "", "{", "}", "[]", "{\"code\":}", "{\"code\":1,}", "{\"code\":\"x\"}", "{\"code\":99999999999}",
        "{\"extFields\":{\"a\":[1]}}", "{\"extFields\":{\"a\":\"\\q\"}}", "{\"remark\":\"\\ud800\"}",
        "{\"code\":1}x", "nul", "{\"remark\":\"abc", "{\"extFields\":{\"a\"", String(repeating: "[", count: 10_000),
        "{\"x\":" + String(repeating: "{\"a\":", count: 200) + "1" + String(repeating: "}", count: 200) + "}",
    ])
    func badJSONHeadersAreRejected(_ header: String) {
        var buffer = Self.jsonFrame(header)
        #expect(throws: FrameError.self) { try RemotingFrameDecoder().decode(buffer: &buffer) }
    }

    @Test func badUTF8IsRejected() {
        var json = Self.frame(headerWord: 14, header: Array("{\"remark\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8))
        #expect(throws: FrameError.self) { try RemotingFrameDecoder().decode(buffer: &json) }
        var binary = ByteBuffer()
        binary.writeInteger(Int16(105))
        binary.writeInteger(UInt8(0))
        binary.writeInteger(Int16(409))
        binary.writeInteger(Int32(1))
        binary.writeInteger(Int32(0))
        binary.writeInteger(Int32(2))
        binary.writeBytes([0xFF, 0xFE])
        binary.writeInteger(Int32(0))
        var frame = Self.frame(headerWord: 1 << 24 | UInt32(binary.readableBytes), header: Array(binary.readableBytesView))
        #expect(throws: FrameError.invalidUTF8(field: "remark")) { try RemotingFrameDecoder().decode(buffer: &frame) }
    }

    @Test func inconsistentBinaryLengthsAreRejected() {
        // Each case: a binary header whose remark/ext/key/value length runs past the header.
        func header(remarkLength: Int32, extLength: Int32, entries: [UInt8] = []) -> ByteBuffer {
            var binary = ByteBuffer()
            binary.writeInteger(Int16(105))
            binary.writeInteger(UInt8(0))
            binary.writeInteger(Int16(409))
            binary.writeInteger(Int32(1))
            binary.writeInteger(Int32(0))
            binary.writeInteger(remarkLength)
            binary.writeInteger(extLength)
            binary.writeBytes(entries)
            return Self.frame(headerWord: 1 << 24 | UInt32(binary.readableBytes), header: Array(binary.readableBytesView))
        }
        var cases = [
            header(remarkLength: 1000, extLength: 0),
            header(remarkLength: -1, extLength: 0),
            header(remarkLength: 0, extLength: 1000),
            header(remarkLength: 0, extLength: -5),
            header(remarkLength: 0, extLength: 7, entries: [0, 1, 0x61, 0, 0, 0, 9]),  // value longer than ext
            header(remarkLength: 0, extLength: 3, entries: [0x7F, 0xFF, 0x61]),  // key longer than ext
            header(remarkLength: 0, extLength: 2, entries: [0, 1]),  // truncated entry
            header(remarkLength: 0, extLength: 0, entries: [1]),  // trailing bytes
        ]
        for index in cases.indices {
            #expect(throws: FrameError.self, "case \(index)") { try RemotingFrameDecoder().decode(buffer: &cases[index]) }
        }
        var short = Self.frame(headerWord: 1 << 24 | 3, header: [0, 1, 2])
        #expect(throws: FrameError.self) { try RemotingFrameDecoder().decode(buffer: &short) }
    }

    @Test func unknownCodesAndLanguagesStillDecode() throws {
        var buffer = Self.jsonFrame(#"{"code":4242,"language":"COBOL","opaque":1,"flag":0,"version":1,"extra":{"nested":[1,2,{"x":null}]}}"#)
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        #expect(command.code == 4242)
        #expect(command.requestCode.name == nil)
        #expect(command.requestCode.description == "CODE_4242")
        #expect(command.language == .other)
    }

    @Test func lenientJSONHeaderForms() throws {
        var buffer = Self.jsonFrame("{\"code\":34,\"language\":\"CPP\",\"version\":63,\"opaque\":5,\"flag\":0,\"remark\":\"\",\"extFields\":{\"queueId\":0,\"unitMode\":true,\"n\":null,\"d\":-4}}\n")
        let command = try #require(try RemotingFrameDecoder().decode(buffer: &buffer))
        #expect(command.language == .cpp)
        #expect(command.remark == "")
        #expect(command.extFields == ["queueId": "0", "unitMode": "true", "d": "-4"])
    }

    /// Seeded random garbage: bounded, reproducible, and it must never trap.
    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED_2026)
        var errors = 0
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 96)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if count >= 8, generator.next() % 2 == 0 {
                // Plausible prefix: a consistent length and a small header length, random content.
                let length = UInt32(count - 4)
                bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: length.bigEndian, Array.init))
                let headerLength = UInt32(generator.next() % UInt64(count - 7)) | UInt32(generator.next() % 2) << 24
                bytes.replaceSubrange(4..<8, with: withUnsafeBytes(of: headerLength.bigEndian, Array.init))
            }
            var buffer = ByteBuffer(bytes: bytes)
            do {
                while let _ = try RemotingFrameDecoder().decode(buffer: &buffer) { decoded += 1 }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }

    /// Random mutations of a valid frame.
    @Test func mutatedFramesNeverCrash() {
        var generator = SplitMix64(seed: 42)
        let original = Array(Self.validRequest.readableBytesView)
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0..<(1 + generator.next() % 4) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            var buffer = ByteBuffer(bytes: bytes)
            _ = try? RemotingFrameDecoder().decode(buffer: &buffer)
        }
    }
}

/// A small seeded generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
