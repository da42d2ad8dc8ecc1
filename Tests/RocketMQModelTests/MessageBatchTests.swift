import FixtureSupport
import NIOCore
import RocketMQModel
import Testing

@Suite struct MessageBatchTests {
    static func batchBody() throws -> ByteBuffer {
        try MessageBodyFrame.body("04-big-body-and-batch", "0012-c2s-broker-SEND_BATCH_MESSAGE.bin")
    }

    @Test func decodesCapture04AndReencodes() throws {
        let body = try Self.batchBody()
        #expect(body.readableBytes == 610)
        let entries = try MessageBatch.decode(body)
        #expect(entries.count == 5)
        for (i, entry) in entries.enumerated() {
            // §4.5: 122 = 20 + 12 + 2 + 88; MAGICCODE and BODYCRC are 0 from Java.
            #expect(MessageBatch.entryOverhead + entry.body.readableBytes + entry.rawProperties.readableBytes == 122)
            #expect(entry.magicCode == 0)
            #expect(entry.bodyCRC == 0)
            #expect(entry.flag == 0)
            #expect(String(buffer: entry.body) == "batch body \(i)")
            let properties = entry.properties
            #expect(properties.keys == "batch-key-\(i)")
            #expect(properties.tags == "TagBatch")
            #expect(properties[MessageConst.waitStoreMsgOK] == "true")
            #expect(properties["seq"] == "\(i)")
            #expect(properties.uniqueKey == "C000020247295FFD2B27806D152A000\(i + 1)")
        }
        #expect(try MessageBatch.encode(entries) == body)
    }

    /// The broker appends CLUSTER and the header properties to each entry's own string (§3.3.3); the pulled
    /// messages of capture 04 hold exactly that.
    @Test func storedPropertiesMatchPulledMessages() throws {
        let entries = try MessageBatch.decode(try Self.batchBody())
        let pull = try #require(MessageBodyFrame.all.first { $0.scenario == "04-big-body-and-batch" && $0.file.hasPrefix("0070") })
        let pulled = try StoredMessage.decodeAll(try pull.body())
        #expect(pulled.count == 5)
        for (entry, message) in zip(entries, pulled) {
            let stored = entry.storedProperties(appending: "CLUSTER\u{1}DefaultCluster\u{2}WAIT\u{1}true")
            #expect(stored == message.rawProperties)
            #expect(entry.body == message.body)
            #expect(message.properties[MessageConst.waitStoreMsgOK] == "true")
            #expect(message.properties.count == 6)
        }
    }

    @Test func storedPropertiesSeparatorRules() {
        let java = BatchEntry(body: ByteBuffer(), rawProperties: ByteBuffer(string: "A\u{1}1"))
        #expect(java.storedProperties(appending: "C\u{1}D") == ByteBuffer(string: "A\u{1}1\u{2}C\u{1}D"))
        let cpp = BatchEntry(body: ByteBuffer(), rawProperties: ByteBuffer(string: "A\u{1}1\u{2}"))
        #expect(cpp.storedProperties(appending: "C\u{1}D") == ByteBuffer(string: "A\u{1}1\u{2}C\u{1}D"))
        let empty = BatchEntry(body: ByteBuffer(), rawProperties: ByteBuffer())
        #expect(empty.storedProperties(appending: "C\u{1}D") == ByteBuffer(string: "C\u{1}D"))
        #expect(java.storedProperties(appending: "") == ByteBuffer(string: "A\u{1}1"))
    }

    @Test func truncationOnlyDecodesAtEntryBoundaries() throws {
        let body = try Self.batchBody()
        for length in 0..<body.readableBytes {
            let cut = try #require(body.getSlice(at: 0, length: length))
            if length % 122 == 0 {
                #expect(try MessageBatch.decode(cut).count == length / 122)
            } else {
                #expect(throws: MessageDecodeError.self) { try MessageBatch.decode(cut) }
            }
        }
    }

    @Test func inconsistentSizesThrow() throws {
        let body = try Self.batchBody()
        func patched(_ offset: Int, _ value: some FixedWidthInteger) -> ByteBuffer {
            var copy = body
            copy.setInteger(value, at: offset)
            return copy
        }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .totalSize)) { try MessageBatch.decode(patched(0, Int32(-1))) }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .totalSize)) { try MessageBatch.decode(patched(0, Int32(21))) }
        #expect(throws: MessageDecodeError.truncated) { try MessageBatch.decode(patched(0, Int32(611))) }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .body)) { try MessageBatch.decode(patched(16, Int32(-5))) }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .body)) { try MessageBatch.decode(patched(16, Int32(200))) }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .properties)) { try MessageBatch.decode(patched(32, Int16(-1))) }
        #expect(throws: MessageDecodeError.lengthOutOfRange(field: .properties)) { try MessageBatch.decode(patched(32, Int16(89))) }
        #expect(throws: MessageDecodeError.sizeMismatch(totalSize: 122, fields: 121)) { try MessageBatch.decode(patched(32, Int16(87))) }
        #expect(throws: MessageDecodeError.invalidUTF8(field: .properties)) { try MessageBatch.decode(patched(34, UInt8(0xFF))) }
    }

    @Test func encodeBuildsEntries() throws {
        let entries = [
            BatchEntry(flag: 7, body: ByteBuffer(string: "one"), properties: ["TAGS": "T", "KEYS": "k"]),
            BatchEntry(body: ByteBuffer(), rawProperties: ByteBuffer()),
        ]
        let body = try MessageBatch.encode(entries)
        #expect(body.readableBytes == (22 + 3 + 13) + 22)
        #expect(body.getInteger(at: 0, as: Int32.self) == 38)
        let decoded = try MessageBatch.decode(body)
        #expect(decoded == entries)
        #expect(decoded[0].properties.tags == "T")
        let tooLong = BatchEntry(body: ByteBuffer(), rawProperties: ByteBuffer(repeating: 0x41, count: 40000))
        #expect(throws: MessageEncodeError.propertiesTooLong(40000)) { try MessageBatch.encode([tooLong]) }
    }
}
