/// Why bytes are not a stored message (§4.1) or a batch body (§4.5). Decoders never read past an entry.
public enum MessageDecodeError: Error, Equatable, Sendable {
    /// A field of the stored or batch layout.
    public enum Field: String, Sendable, Hashable {
        case totalSize
        case header
        case bornHost
        case storeHost
        case body
        case topic
        case properties
    }

    /// Fewer bytes are available than the entry needs (a cut tail, or a body ending mid-entry).
    case truncated
    /// The MAGICCODE is neither 0xDAA320A7 (4.x) nor 0xDAA320AB (5.x V2).
    case badMagic(Int32)
    /// An end-of-file filler (MAGICCODE 0xCBD43194) of `totalSize` bytes: no message here, continue in the
    /// next commit-log file.
    case blank(totalSize: Int32)
    /// A length field is negative, too small, or points beyond its entry.
    case lengthOutOfRange(field: Field)
    /// The fields do not add up to TOTALSIZE.
    case sizeMismatch(totalSize: Int32, fields: Int)
    /// A string field is not valid UTF-8.
    case invalidUTF8(field: Field)
    /// BODYCRC does not match the body (only checked when asked).
    case bodyCRCMismatch(stored: Int32, computed: Int32)
}
