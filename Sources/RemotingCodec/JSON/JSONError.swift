/// Why JSON text could not be read.
public enum JSONError: Error, Equatable, Sendable {
    case unexpectedEnd
    case unexpectedByte(UInt8, at: Int)
    case invalidEscape(at: Int)
    case invalidUTF8(at: Int)
    case nestingTooDeep
    case trailingData(at: Int)
}
