import MessageStore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// QUERY_MESSAGE and VIEW_MESSAGE_BY_ID (Java `QueryMessageProcessor`, §3.3.6–§3.3.7): index lookups by
/// `topic#key` and reads by commit-log offset. Java writes both answers straight to the socket, in JSON.
public final class QueryMessageProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [.queryMessage, .viewMessageById]

    /// Java `defaultQueryMaxNum`, used for unique-key lookups; `maxMsgsNumBatch` caps every query.
    static let defaultQueryMaxNum: Int32 = 32
    static let maxMsgsNumBatch: Int32 = 64

    private let store: LocalFileMessageStore

    public init(store: LocalFileMessageStore) {
        self.store = store
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        var response: RemotingCommand
        switch request.requestCode {
        case .queryMessage:
            let header = try request.decodeHeader(QueryMessageRequestHeader.self)
            var maxNum = header.maxNum
            if header.uniqueKeyQuery == "true" { maxNum = Self.defaultQueryMaxNum }
            let result = store.queryMessage(
                topic: header.topic, key: header.key, maxNum: Int(max(0, min(maxNum, Self.maxMsgsNumBatch))),
                begin: header.beginTimestamp, end: header.endTimestamp)
            if result.messageCount > 0 {
                let fields = QueryMessageResponseHeader(
                    indexLastUpdateTimestamp: result.indexLastUpdateTimestamp,
                    indexLastUpdatePhyoffset: result.indexLastUpdatePhyOffset).extFields
                response = request.makeResponse(code: .success, extFields: fields, body: result.body)
            } else {
                response = request.makeResponse(
                    code: .queryNotFound, remark: "can not find message, maybe time range not correct", extFields: ExtFields())
            }
        case .viewMessageById:
            let header = try request.decodeHeader(ViewMessageRequestHeader.self)
            if let entry = store.selectOneMessage(byPhysicalOffset: header.offset) {
                response = request.makeResponse(code: .success, body: entry)
            } else {
                response = request.makeResponse(code: .systemError, remark: "can not find message by the offset, \(header.offset)")
            }
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
        response.serializeType = .json
        return .response(response)
    }
}
