import NIOCore

/// One remoting frame's content (Java `RemotingCommand`): a request or a response.
public struct RemotingCommand: Sendable {
    /// Flag bit 0: the command is a response.
    public static let responseFlag: Int32 = 0x1
    /// Flag bit 1: the sender wants no response.
    public static let onewayFlag: Int32 = 0x2

    /// RequestCode for a request, ResponseCode for a response.
    public var code: Int32
    public var language: LanguageCode
    public var version: Int32
    public var opaque: Int32
    public var flag: Int32
    public var remark: String?
    /// nil: no `extFields` key at all; empty: `"extFields":{}` (Java tells the two apart, §1.3).
    public var extFields: ExtFields?
    /// The encoding the command arrived in, and the one a response to it is written in.
    public var serializeType: SerializeType
    /// The body, a slice of the frame (no copy); nil when the frame has none.
    public var body: ByteBuffer?

    public init(
        code: Int32,
        language: LanguageCode = .java,
        version: Int32 = MQVersion.current,
        opaque: Int32 = 0,
        flag: Int32 = 0,
        remark: String? = nil,
        extFields: ExtFields? = nil,
        serializeType: SerializeType = .json,
        body: ByteBuffer? = nil
    ) {
        self.code = code
        self.language = language
        self.version = version
        self.opaque = opaque
        self.flag = flag
        self.remark = remark
        self.extFields = extFields
        self.serializeType = serializeType
        self.body = body
    }

    public var isResponse: Bool { flag & Self.responseFlag != 0 }
    public var isOneway: Bool { flag & Self.onewayFlag != 0 }

    public var requestCode: RequestCode { RequestCode(code) }
    public var responseCode: ResponseCode { ResponseCode(code) }

    /// A request as this server sends it (broker to client, or our own client).
    public static func request(
        code: RequestCode, opaque: Int32 = 0, oneway: Bool = false,
        extFields: ExtFields? = nil, body: ByteBuffer? = nil, serializeType: SerializeType = .json
    ) -> RemotingCommand {
        RemotingCommand(
            code: code.rawValue, opaque: opaque, flag: oneway ? onewayFlag : 0,
            extFields: extFields, serializeType: serializeType, body: body)
    }

    /// A response to this request: its opaque, the response flag, and its serialize type except
    /// towards a C++ peer, which cannot read ROCKETMQ headers (§1.1).
    public func makeResponse(
        code: ResponseCode, remark: String? = nil, extFields: ExtFields? = nil, body: ByteBuffer? = nil
    ) -> RemotingCommand {
        RemotingCommand(
            code: code.rawValue, opaque: opaque, flag: Self.responseFlag, remark: remark,
            extFields: extFields, serializeType: responseSerializeType, body: body)
    }

    /// The serialize type a response to this request must use.
    public var responseSerializeType: SerializeType {
        language == .cpp ? .json : serializeType
    }

    /// Decodes the typed custom header of this command.
    public func decodeHeader<Header: CommandCustomHeader>(
        _ type: Header.Type = Header.self
    ) throws(HeaderError) -> Header {
        try Header(extFields: extFields ?? ExtFields())
    }
}

extension RemotingCommand {
    /// Java's `RemotingCommand.createResponseCommand(code, remark)` for errors: no custom header.
    public func makeErrorResponse(_ error: HeaderError) -> RemotingCommand {
        makeResponse(code: error.responseCode, remark: error.remark)
    }
}
