/// Java's `String.hashCode()`: `h = 31 * h + c` over the UTF-16 code units, wrapping in 32 bits.
///
/// RocketMQ uses it for the consume-queue tag field and the index key hash (PROTOCOL.md §4.9, §4.10), so it must
/// be computed over UTF-16 units exactly as Java does (a character outside the BMP counts as two surrogates).
public enum JavaHash {
    /// `String.hashCode()` of `string`.
    public static func hashCode(_ string: some StringProtocol) -> Int32 {
        var hash: Int32 = 0
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }
}
