/// Eight bytes tested at once (SWAR): string scans copy the runs between quotes and escapes a word at a time.
/// A mask has the high bit set in every lane that matches; lanes above a match can be set spuriously, so
/// only the lowest set lane (``firstLane``) is exact.
enum ByteWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The word at `offset`, little-endian: lane 0 is the byte at `offset`.
    @inline(__always)
    static func load(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Lanes equal to `byte`.
    @inline(__always)
    static func lanes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & highs
    }

    /// Lanes below `bound` (at most 0x80).
    @inline(__always)
    static func lanes(of word: UInt64, below bound: UInt8) -> UInt64 {
        (word &- ones &* UInt64(bound)) & ~word & highs
    }

    /// Index of the first matching lane, 8 when none.
    @inline(__always)
    static func firstLane(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount >> 3
    }

    /// The lanes below `count` (0...8) of `word`, the others zero.
    @inline(__always)
    static func prefix(_ word: UInt64, lanes count: Int) -> UInt64 {
        count >= 8 ? word : word & ((1 &<< UInt64(count &* 8)) &- 1)
    }
}
