/// A frame that cannot be decoded. The connection that sent it is closed (Java closes the channel
/// on any decode error, §1.1).
public enum FrameError: Error, Equatable, Sendable {
    /// The length field is smaller than the 4-byte header word it must cover.
    case lengthTooSmall(Int32)
    /// 4 + length exceeds the maximum frame size (16 MiB by default).
    case frameTooLarge(length: Int, maximum: Int)
    /// The header length claims more bytes than the frame holds.
    case headerLengthOutOfRange(headerLength: Int, frameLength: Int)
    case unknownSerializeType(UInt8)
    case malformedJSONHeader(JSONError)
    /// A JSON header field of the wrong type or range (`code` not an int, …).
    case invalidHeaderField(String)
    /// A ROCKETMQ binary header whose inner lengths run past the header.
    case malformedBinaryHeader(String)
    case invalidUTF8(field: String)
}
