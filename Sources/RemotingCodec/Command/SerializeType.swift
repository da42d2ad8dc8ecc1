/// How a frame's header is encoded (Java `SerializeType`): the top byte of the header word.
public enum SerializeType: UInt8, Sendable, CustomStringConvertible {
    case json = 0
    case rocketmq = 1

    public var description: String {
        switch self {
        case .json: "JSON"
        case .rocketmq: "ROCKETMQ"
        }
    }
}
