import NIOCore
import RocketMQModel
import Testing

@Suite struct CRC32Tests {
    /// Bit-at-a-time reference.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownVectors() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        // PROTOCOL.md A.6: BODYCRC of "Hello".
        #expect(CRC32.masked(Array("Hello".utf8)) == 0x77D1_8982)
    }

    @Test func everyLengthMatchesReference() {
        let pattern = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...pattern.count {
            let bytes = Array(pattern[0..<length])
            let expected = Self.reference(bytes)
            #expect(CRC32.checksum(bytes) == expected, "length \(length)")
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == expected)
            #expect(CRC32.checksum(ByteBuffer(bytes: bytes)) == expected)
        }
    }

    @Test func updateContinues() {
        let bytes = Array("swift-rocketmq stores messages".utf8)
        for split in 0...bytes.count {
            let first = bytes[0..<split].withUnsafeBytes { CRC32.checksum($0) }
            let whole = bytes[split...].withUnsafeBytes { CRC32.update(first, $0) }
            #expect(whole == CRC32.checksum(bytes))
        }
    }

    @Test func byteBufferUsesReadableBytesOnly() {
        var buffer = ByteBuffer(bytes: Array("xx123456789".utf8))
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(CRC32.checksum(buffer) == 0xCBF4_3926)
        #expect(CRC32.masked(buffer) == Int32(0xCBF4_3926 & 0x7FFF_FFFF))
    }

    @Test func maskedIsNonNegative() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let masked = CRC32.masked(bytes)
            #expect(masked >= 0)
            #expect(UInt32(masked) == CRC32.checksum(bytes) & 0x7FFF_FFFF)
        }
    }
}

/// A small seeded generator so fuzz-style tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
