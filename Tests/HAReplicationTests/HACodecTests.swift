import FixtureSupport
import HAReplication
import NIOCore
import RocketMQModel
import Testing

/// The HA bytes of capture 11 (a Java 4.9.8 SYNC_MASTER and its slave): decoded and re-encoded byte for byte.
@Suite struct HACodecTests {
    static let reports = "11-master-slave/0043-c2s-ha-raw.bin"
    static let stream = "11-master-slave/0044-s2c-ha-raw.bin"

    @Test func slaveReportsDecodeAndReencode() throws {
        var buffer = ByteBuffer(bytes: try Fixtures.bytes(Self.reports))
        var decoded: [Int64] = []
        while let report = try HASlaveReport.decode(&buffer) { decoded.append(report.maxOffset) }
        #expect(buffer.readableBytes == 0)
        #expect(decoded == [0, 15046, 15270, 15495, 15719, 15719, 15719])
        var encoded = ByteBuffer()
        for offset in decoded { HASlaveReport(maxOffset: offset).encode(into: &encoded) }
        #expect(Array(encoded.readableBytesView) == (try Fixtures.bytes(Self.reports)))
    }

    @Test func masterStreamDecodesAndReencodes() throws {
        let bytes = try Fixtures.bytes(Self.stream)
        var buffer = ByteBuffer(bytes: bytes)
        var transfers: [HATransfer] = []
        while let transfer = try HATransferDecoder().decode(&buffer) { transfers.append(transfer) }
        #expect(buffer.readableBytes == 0)
        let layout = transfers.map { [$0.physicalOffset, Int64($0.body.readableBytes)] }
        #expect(Array(layout.prefix(5)) == [[0, 0], [0, 15046], [15046, 224], [15270, 225], [15495, 224]])
        #expect(transfers.dropFirst(5).allSatisfy { $0.isHeartbeat && $0.physicalOffset == 15719 })
        // Each data block continues where the previous one ended and holds whole stored entries (§4.1) whose
        // PHYSICALOFFSET is their position in the log.
        var next: Int64 = 0
        for transfer in transfers where !transfer.isHeartbeat {
            #expect(transfer.physicalOffset == next)
            var position = transfer.physicalOffset
            for message in try StoredMessage.decodeAll(transfer.body, verifyBodyCRC: true) {
                #expect(message.physicalOffset == position)
                position += Int64(message.storeSize)
            }
            #expect(position == transfer.endOffset)
            next = transfer.endOffset
        }
        var encoded = ByteBuffer()
        for transfer in transfers { transfer.encode(into: &encoded) }
        #expect(Array(encoded.readableBytesView) == bytes)
    }

    /// Split anywhere, the stream decodes to the same transfers: a partial frame is never consumed.
    @Test func masterStreamDecodesByteByByte() throws {
        let bytes = try Fixtures.bytes(Self.stream)
        var whole = ByteBuffer(bytes: bytes)
        var expected: [HATransfer] = []
        while let transfer = try HATransferDecoder().decode(&whole) { expected.append(transfer) }
        var buffer = ByteBuffer()
        var decoded: [HATransfer] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            while let transfer = try HATransferDecoder().decode(&buffer) { decoded.append(transfer) }
        }
        #expect(decoded == expected)
    }

    @Test func malformedFramesAreErrors() throws {
        var negativeSize = ByteBuffer()
        HATransfer.encodeHeader(physicalOffset: 0, bodySize: -1, into: &negativeSize)
        #expect(throws: HAFrameError.self) { try HATransferDecoder().decode(&negativeSize) }

        var tooLarge = ByteBuffer()
        HATransfer.encodeHeader(physicalOffset: 0, bodySize: Int32.max, into: &tooLarge)
        #expect(throws: HAFrameError.self) { try HATransferDecoder().decode(&tooLarge) }

        var negativeOffset = ByteBuffer()
        HATransfer.encodeHeader(physicalOffset: -5, bodySize: 0, into: &negativeOffset)
        #expect(throws: HAFrameError.self) { try HATransferDecoder().decode(&negativeOffset) }

        var negativeReport = ByteBuffer()
        negativeReport.writeInteger(Int64(-1))
        #expect(throws: HAFrameError.self) { try HASlaveReport.decode(&negativeReport) }

        var short = ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0])
        #expect(try HASlaveReport.decode(&short) == nil)
        #expect(short.readableBytes == 7)
    }
}
