import FixtureSupport
import NIOCore
import RocketMQModel
import Testing

@Suite struct MessageCompressionTests {
    static func capturedCompressedBody() throws -> ByteBuffer {
        // capture 04: the producer's SEND_MESSAGE_V2 body, 8213 bytes zlib-compressed by Java to 693.
        try MessageBodyFrame.body("04-big-body-and-batch", "0009-c2s-broker-SEND_MESSAGE_V2.bin")
    }

    @Test func inflatesJavaOutputAndDeflatesIdentically() throws {
        let compressed = try Self.capturedCompressedBody()
        #expect(compressed.readableBytes == 693)
        let inflated = try MessageCompression.inflate(compressed, maxSize: 1 << 20)
        #expect(inflated.readableBytes == 8213)
        // Java's Deflater at level 5 and zlib at level 5 produce the same stream: header 0x78 0x5E.
        let deflated = try MessageCompression.deflate(inflated, level: 5)
        #expect(deflated.getInteger(at: 0, as: UInt8.self) == 0x78)
        #expect(deflated.getInteger(at: 1, as: UInt8.self) == 0x5E)
        #expect(deflated == compressed)
        #expect(try MessageCompression.deflate(inflated) == compressed)
    }

    @Test func roundTripsAtEveryLevel() throws {
        var generator = SplitMix64(seed: 99)
        let bytes = (0..<20000).map { i in i % 7 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(i % 31) }
        let body = ByteBuffer(bytes: bytes)
        for level: Int32 in 0...9 {
            let deflated = try MessageCompression.deflate(body, level: level)
            #expect(deflated.getInteger(at: 0, as: UInt8.self) == 0x78)
            // RFC 1950 header check: (CMF * 256 + FLG) is a multiple of 31.
            let header = Int(deflated.getInteger(at: 0, as: UInt16.self) ?? 0)
            #expect(header % 31 == 0)
            #expect(try MessageCompression.inflate(deflated, maxSize: bytes.count) == body)
        }
        #expect(throws: MessageCompressionError.invalidLevel(10)) { try MessageCompression.deflate(body, level: 10) }
        let empty = try MessageCompression.deflate(ByteBuffer(), level: 5)
        #expect(try MessageCompression.inflate(empty, maxSize: 0).readableBytes == 0)
    }

    @Test func refusesBombs() throws {
        let zeros = ByteBuffer(repeating: 0, count: 8 << 20)
        let bomb = try MessageCompression.deflate(zeros, level: 9)
        #expect(bomb.readableBytes < 16 * 1024)
        #expect(throws: MessageCompressionError.tooLarge(maxSize: 1 << 20)) {
            try MessageCompression.inflate(bomb, maxSize: 1 << 20)
        }
        #expect(throws: MessageCompressionError.tooLarge(maxSize: (8 << 20) - 1)) {
            try MessageCompression.inflate(bomb, maxSize: (8 << 20) - 1)
        }
        #expect(try MessageCompression.inflate(bomb, maxSize: 8 << 20).readableBytes == 8 << 20)
    }

    @Test func truncatedAndCorruptStreamsThrow() throws {
        let compressed = try Self.capturedCompressedBody()
        for length in stride(from: 0, to: compressed.readableBytes, by: 7) {
            let cut = try #require(compressed.getSlice(at: compressed.readerIndex, length: length))
            #expect(throws: MessageCompressionError.self) { try MessageCompression.inflate(cut, maxSize: 1 << 20) }
        }
        let lastByteMissing = try #require(compressed.getSlice(at: compressed.readerIndex, length: compressed.readableBytes - 1))
        #expect(throws: MessageCompressionError.self) { try MessageCompression.inflate(lastByteMissing, maxSize: 1 << 20) }
        #expect(throws: MessageCompressionError.corrupt) {
            try MessageCompression.inflate(ByteBuffer(string: "definitely not zlib"), maxSize: 1 << 20)
        }
        // A broken Adler-32 trailer.
        var badChecksum = compressed
        badChecksum.setInteger(UInt8(0), at: badChecksum.writerIndex - 1)
        badChecksum.setInteger(UInt8(0), at: badChecksum.writerIndex - 2)
        #expect(throws: MessageCompressionError.corrupt) { try MessageCompression.inflate(badChecksum, maxSize: 1 << 20) }
        // Raw deflate and gzip are not accepted.
        #expect(throws: MessageCompressionError.self) {
            try MessageCompression.inflate(ByteBuffer(bytes: [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03]), maxSize: 100)
        }
        var generator = SplitMix64(seed: 3)
        for _ in 0..<300 {
            var bytes = (0..<Int(generator.next() % 64 + 2)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            bytes[0] = 0x78
            bytes[1] = 0x9C
            _ = try? MessageCompression.inflate(ByteBuffer(bytes: bytes), maxSize: 4096)
        }
    }

    @Test func trailingBytesAreIgnored() throws {
        var compressed = try Self.capturedCompressedBody()
        compressed.writeString("trailing")
        #expect(try MessageCompression.inflate(compressed, maxSize: 1 << 20).readableBytes == 8213)
    }

    @Test func uncompressedBodyFollowsSysFlag() throws {
        let host = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
        let plain = ByteBuffer(string: "plain body")
        var message = StoredMessage(topic: "T", body: plain, bornHost: host, storeHost: host)
        #expect(try message.uncompressedBody(maxSize: 1) == plain)
        message.body = try MessageCompression.deflate(plain)
        message.sysFlag = .compressed  // legacy type 0 = zlib
        #expect(try message.uncompressedBody(maxSize: 100) == plain)
        message.sysFlag = MessageSysFlag(rawValue: 0x301)
        #expect(try message.uncompressedBody(maxSize: 100) == plain)
        message.sysFlag = MessageSysFlag(rawValue: 0x101)
        #expect(throws: MessageCompressionError.unsupported(.lz4)) { try message.uncompressedBody(maxSize: 100) }
        message.sysFlag = MessageSysFlag(rawValue: 0x201)
        #expect(throws: MessageCompressionError.unsupported(.zstd)) { try message.uncompressedBody(maxSize: 100) }
        message.sysFlag = MessageSysFlag(rawValue: 0x501)
        #expect(throws: MessageCompressionError.unknownType(0x500)) { try message.uncompressedBody(maxSize: 100) }
    }
}
