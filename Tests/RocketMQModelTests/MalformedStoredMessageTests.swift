import NIOCore
import RocketMQModel
import Testing

/// Malformed stored messages must throw, never crash or read past the entry.
@Suite struct MalformedStoredMessageTests {
    static let host = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)

    static func sample() throws -> ByteBuffer {
        let message = StoredMessage(
            topic: "FixtureTopic", body: ByteBuffer(string: "hello body"),
            properties: ["KEYS": "k1 k2", "TAGS": "TagA", "UNIQ_KEY": "C000020261815FFD2B27807B6B040000"],
            queueId: 1, queueOffset: 2, physicalOffset: 3, bornTimestamp: 4, bornHost: Self.host, storeTimestamp: 5,
            storeHost: Self.host)
        return try message.encoded()
    }

    static func decodeError(_ bytes: ByteBuffer) -> MessageDecodeError? {
        var buffer = bytes
        do {
            _ = try StoredMessage.decode(from: &buffer)
            return nil
        } catch {
            #expect(buffer.readerIndex == bytes.readerIndex, "reader index moved on error")
            return error
        }
    }

    static func patched(_ bytes: ByteBuffer, at offset: Int, _ value: some FixedWidthInteger) -> ByteBuffer {
        var copy = bytes
        copy.setInteger(value, at: copy.readerIndex + offset)
        return copy
    }

    @Test func everyTruncationThrows() throws {
        let full = try Self.sample()
        for length in 0..<full.readableBytes {
            let cut = try #require(full.getSlice(at: 0, length: length))
            let error = Self.decodeError(cut)
            #expect(error != nil, "length \(length)")
            if length >= 8 { #expect(error == .truncated, "length \(length)") }
            if length == 0 {
                #expect(try StoredMessage.decodeAll(cut).isEmpty)
            } else {
                #expect(throws: MessageDecodeError.self) { try StoredMessage.decodeAll(cut) }
            }
        }
        #expect(Self.decodeError(full) == nil)
        // A complete entry followed by a cut one.
        var two = full
        var again = full
        two.writeBuffer(&again)
        let cutSecond = try #require(two.getSlice(at: 0, length: two.readableBytes - 1))
        #expect(throws: MessageDecodeError.truncated) { try StoredMessage.decodeAll(cutSecond) }
        #expect(try StoredMessage.decodeAll(two).count == 2)
        #expect(try StoredMessage.decodeAll(ByteBuffer()).isEmpty)
    }

    @Test func corruptLengths() throws {
        let full = try Self.sample()
        let size = full.readableBytes
        let bodyLengthAt = 84
        let topicLengthAt = 88 + 10
        let propertiesLengthAt = topicLengthAt + 1 + 12

        #expect(Self.decodeError(Self.patched(full, at: 0, Int32(-1))) == .lengthOutOfRange(field: .totalSize))
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32.min)) == .lengthOutOfRange(field: .totalSize))
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32(90))) == .lengthOutOfRange(field: .totalSize))
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32.max)) == .truncated)
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32(size + 1))) == .truncated)
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32(size - 1))) == .lengthOutOfRange(field: .properties))

        #expect(Self.decodeError(Self.patched(full, at: bodyLengthAt, Int32(-1))) == .lengthOutOfRange(field: .body))
        #expect(Self.decodeError(Self.patched(full, at: bodyLengthAt, Int32.max)) == .lengthOutOfRange(field: .body))
        #expect(Self.decodeError(Self.patched(full, at: bodyLengthAt, Int32.min)) == .lengthOutOfRange(field: .body))
        #expect(Self.decodeError(Self.patched(full, at: topicLengthAt, Int8(-1))) == .lengthOutOfRange(field: .topic))
        #expect(Self.decodeError(Self.patched(full, at: topicLengthAt, Int8.max)) == .lengthOutOfRange(field: .topic))
        #expect(Self.decodeError(Self.patched(full, at: propertiesLengthAt, Int16(-1))) == .lengthOutOfRange(field: .properties))
        #expect(Self.decodeError(Self.patched(full, at: propertiesLengthAt, Int16.max)) == .lengthOutOfRange(field: .properties))
        // Shorter inner lengths leave bytes over: the fields do not add up.
        if case .sizeMismatch = Self.decodeError(Self.patched(full, at: propertiesLengthAt, Int16(1))) {} else {
            Issue.record("expected sizeMismatch")
        }
        // IPv6 flags make the hosts longer than the entry allows.
        let v6 = Self.patched(full, at: 36, MessageSysFlag([.bornHostV6, .storeHostV6]).rawValue)
        #expect(Self.decodeError(v6) != nil)
        // A zero-length entry at the minimum size still has to add up.
        #expect(Self.decodeError(Self.patched(full, at: 0, Int32(91))) != nil)
    }

    @Test func magicCodes() throws {
        let full = try Self.sample()
        #expect(Self.decodeError(Self.patched(full, at: 4, Int32(0))) == .badMagic(0))
        #expect(Self.decodeError(Self.patched(full, at: 4, Int32(0x1234))) == .badMagic(0x1234))
        let blank = Self.patched(full, at: 4, StoredMessage.blankMagicCode)
        #expect(Self.decodeError(blank) == .blank(totalSize: Int32(full.readableBytes)))
        // An end-of-file filler needs only its 8 header bytes to be recognised.
        var filler = ByteBuffer()
        filler.writeMultipleIntegers(Int32(94), StoredMessage.blankMagicCode)
        #expect(Self.decodeError(filler) == .blank(totalSize: 94))
        #expect(throws: MessageDecodeError.blank(totalSize: 94)) { try StoredMessage.decodeAll(filler) }
        // All zeros: the unused tail of a commit-log file.
        #expect(Self.decodeError(ByteBuffer(repeating: 0, count: 200)) == .badMagic(0))
    }

    @Test func invalidUTF8AndCRC() throws {
        let full = try Self.sample()
        let topicAt = 88 + 10 + 1
        #expect(Self.decodeError(Self.patched(full, at: topicAt, UInt8(0xFF))) == .invalidUTF8(field: .topic))
        #expect(Self.decodeError(Self.patched(full, at: topicAt, UInt8(0xC0))) == .invalidUTF8(field: .topic))
        let propertiesAt = topicAt + 12 + 2
        #expect(Self.decodeError(Self.patched(full, at: propertiesAt, UInt8(0xED))) == .invalidUTF8(field: .properties))

        let badCRC = Self.patched(full, at: 8, Int32(1))
        var buffer = badCRC
        let decoded = try StoredMessage.decode(from: &buffer)
        #expect(!decoded.isBodyCRCValid)
        #expect(try decoded.encoded() == badCRC)
        buffer = badCRC
        #expect(throws: MessageDecodeError.bodyCRCMismatch(stored: 1, computed: CRC32.masked(ByteBuffer(string: "hello body")))) {
            try StoredMessage.decode(from: &buffer, verifyBodyCRC: true)
        }
    }

    @Test func strictUTF8() {
        func valid(_ bytes: [UInt8]) -> Bool {
            var entryless = ByteBuffer()
            let message = StoredMessage(
                topic: "T", body: ByteBuffer(), rawProperties: ByteBuffer(bytes: bytes), bornHost: Self.host, storeHost: Self.host)
            guard (try? message.encode(into: &entryless)) != nil else { return false }
            return (try? StoredMessage.decode(from: &entryless)) != nil
        }
        #expect(valid(Array("héllo 主题 😀".utf8)))
        #expect(!valid([0xC0, 0x80]))  // overlong NUL
        #expect(!valid([0xE0, 0x80, 0x80]))  // overlong
        #expect(!valid([0xED, 0xA0, 0x80]))  // surrogate
        #expect(!valid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!valid([0xE4, 0xB8]))  // cut sequence
        #expect(!valid([0x80]))  // stray continuation
        #expect(valid([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED)
        var decodedCount = 0
        for iteration in 0..<3000 {
            let length = Int(generator.next() % 320)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Make most inputs get past the first checks so the inner fields are exercised.
            if length >= 8, iteration % 4 != 0 {
                let size = iteration % 3 == 0 ? UInt32(length) : UInt32(truncatingIfNeeded: generator.next() % 400)
                bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: size.bigEndian) { Array($0) })
                let magic = UInt32(bitPattern: iteration % 2 == 0 ? StoredMessage.magicCodeV1 : StoredMessage.magicCodeV2)
                bytes.replaceSubrange(4..<8, with: withUnsafeBytes(of: magic.bigEndian) { Array($0) })
            }
            var buffer = ByteBuffer(bytes: bytes)
            if let message = try? StoredMessage.decode(from: &buffer) {
                decodedCount += 1
                #expect((try? message.encoded()) == ByteBuffer(bytes: bytes[0..<Int(message.storeSize)]))
            } else {
                #expect(buffer.readerIndex == 0)
            }
            _ = try? StoredMessage.decodeAll(ByteBuffer(bytes: bytes))
            _ = try? MessageBatch.decode(ByteBuffer(bytes: bytes))
        }
        // Random bytes are almost never a valid entry; what matters is that nothing crashed or over-read.
        #expect(decodedCount < 3000)
    }

    @Test func mutatedEntriesNeverCrash() throws {
        let full = try Self.sample()
        let original = Array(full.readableBytesView)
        var generator = SplitMix64(seed: 42)
        var decodedCount = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0...(generator.next() % 4) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            var buffer = ByteBuffer(bytes: bytes)
            if let message = try? StoredMessage.decode(from: &buffer) {
                decodedCount += 1
                // Whatever decodes re-encodes to the same bytes.
                #expect((try? message.encoded()) == ByteBuffer(bytes: bytes[0..<Int(message.storeSize)]))
            }
        }
        // Mutations of body, CRC, offsets and timestamps keep the entry decodable.
        #expect(decodedCount > 100)
    }
}
