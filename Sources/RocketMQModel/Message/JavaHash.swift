/// Java's `String.hashCode()`: `h = 31 * h + c` over the UTF-16 code units, wrapping in 32 bits.
///
/// RocketMQ uses it for the consume-queue tag field and the index key hash (PROTOCOL.md §4.9, §4.10), so it must
/// be computed over UTF-16 units exactly as Java does (a character outside the BMP counts as two surrogates).
public enum JavaHash {
    /// `String.hashCode()` of `string`.
    public static func hashCode(_ string: some StringProtocol) -> Int32 {
        hashCode(string, seed: 0)
    }

    /// `String.hashCode()` of the concatenation of the string whose hash `seed` is and `string`
    /// (Java's hash folds left), without building it.
    public static func hashCode(_ string: some StringProtocol, seed: Int32) -> Int32 {
        // ASCII (keys, tags and ids almost always are): its UTF-8 bytes are its UTF-16 units, and
        // walking them is several times cheaper than transcoding.
        let ascii = string.utf8.withContiguousStorageIfAvailable { asciiHash(UnsafeRawBufferPointer($0), seed: seed) }
        if let ascii, let hash = ascii { return hash }
        var hash = seed
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }

    /// `String.hashCode()` of the UTF-8 text `bytes` (invalid sequences read as U+FFFD, as `String(decoding:)`
    /// does), continuing from `seed`, without a `String` when the text is ASCII.
    public static func hashCode(utf8 bytes: UnsafeRawBufferPointer, seed: Int32) -> Int32 {
        asciiHash(bytes, seed: seed) ?? hashCode(String(decoding: bytes, as: UTF8.self), seed: seed)
    }

    /// The hash of ASCII bytes (each its own UTF-16 unit); nil at the first non-ASCII byte.
    @inline(__always)
    private static func asciiHash(_ bytes: UnsafeRawBufferPointer, seed: Int32) -> Int32? {
        var hash = seed
        for byte in bytes {
            guard byte < 0x80 else { return nil }
            hash = hash &* 31 &+ Int32(byte)
        }
        return hash
    }
}
