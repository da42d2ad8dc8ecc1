import NIOCore

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of `java.util.zip.CRC32`.
///
/// RocketMQ stores it masked to 31 bits as a message's BODYCRC (`UtilAll.crc32`, PROTOCOL.md §4.1);
/// use ``masked(_:)-(ByteBuffer)`` for that. The implementation is table-driven, slicing-by-8.
public enum CRC32 {
    /// Eight 256-entry tables, laid out back to back: `tables[k * 256 + i]`.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[i] = crc
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = tables[(k - 1) * 256 + i]
                tables[k * 256 + i] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`. Start from 0.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return self.tables.withUnsafeBufferPointer { table in
            var crc = ~crc
            var pointer = base
            var remaining = bytes.count
            while remaining >= 8 {
                let one = UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self)) ^ crc
                let two = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc = table[7 * 256 + Int(one & 0xFF)]
                    ^ table[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((one >> 16) & 0xFF)]
                    ^ table[4 * 256 + Int(one >> 24)]
                    ^ table[3 * 256 + Int(two & 0xFF)]
                    ^ table[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((two >> 16) & 0xFF)]
                    ^ table[Int(two >> 24)]
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                let byte = pointer.load(as: UInt8.self)
                crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)]
                pointer += 1
                remaining -= 1
            }
            return ~crc
        }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        self.update(0, bytes)
    }

    /// The CRC-32 of the readable bytes of `buffer` (the reader index is not moved).
    public static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        buffer.withUnsafeReadableBytes { self.update(0, $0) }
    }

    /// The CRC-32 of a byte sequence (arrays, `String.UTF8View`, …).
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ self.update(0, UnsafeRawBufferPointer($0)) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { self.update(0, $0) }
    }

    /// `UtilAll.crc32`: the CRC-32 masked with `0x7FFFFFFF`, as stored in BODYCRC.
    public static func masked(_ buffer: ByteBuffer) -> Int32 {
        Int32(truncatingIfNeeded: self.checksum(buffer) & 0x7FFF_FFFF)
    }

    /// `UtilAll.crc32` over raw bytes.
    public static func masked(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        Int32(truncatingIfNeeded: self.checksum(bytes) & 0x7FFF_FFFF)
    }

    /// `UtilAll.crc32` over a byte sequence.
    public static func masked(_ bytes: some Sequence<UInt8>) -> Int32 {
        Int32(truncatingIfNeeded: self.checksum(bytes) & 0x7FFF_FFFF)
    }
}
