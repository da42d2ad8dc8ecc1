import Logging
import MessageStore
import RemotingCodec
import RemotingNIO
import RocketMQModel
#if canImport(Glibc)
import Glibc
#endif

/// Committed offsets and queue positions (Java `ConsumerManageProcessor` and the offset codes of
/// `AdminBrokerProcessor`): QUERY/UPDATE_CONSUMER_OFFSET, GET_MAX/MIN_OFFSET,
/// GET_EARLIEST_MSG_STORETIME, SEARCH_OFFSET_BY_TIMESTAMP (§3.3.10–§3.3.12).
public final class ConsumerManageProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [
        .queryConsumerOffset, .updateConsumerOffset, .getMaxOffset, .getMinOffset, .getEarliestMsgStoretime,
        .searchOffsetByTimestamp,
    ]

    private let metadata: BrokerMetadata
    private let store: LocalFileMessageStore
    /// Java's `accessMessageInMemoryMaxRatio` (40 %) of physical memory: newer data counts as "in memory".
    private let inMemoryBytes: Int64

    public init(metadata: BrokerMetadata, store: LocalFileMessageStore) {
        self.metadata = metadata
        self.store = store
        let pages = Int64(sysconf(Int32(_SC_PHYS_PAGES)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        self.inMemoryBytes = max(0, pages * pageSize * 40 / 100)
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .queryConsumerOffset:
            let header = try request.decodeHeader(QueryConsumerOffsetRequestHeader.self)
            let committed = metadata.withState {
                $0.offsets.offset(group: header.consumerGroup, topic: header.topic, queueId: header.queueId)
            }
            if committed >= 0 {
                return .response(request.makeResponse(code: .success, extFields: QueryConsumerOffsetResponseHeader(offset: committed).extFields))
            }
            // A new group starts at 0 when the queue begins at 0 and its first message is still in memory.
            let minOffset = store.getMinOffsetInQueue(topic: header.topic, queueId: header.queueId)
            if minOffset <= 0 && isInMemory(topic: header.topic, queueId: header.queueId, offset: 0) {
                return .response(request.makeResponse(code: .success, extFields: QueryConsumerOffsetResponseHeader(offset: 0).extFields))
            }
            return .response(request.makeResponse(
                code: .queryNotFound, remark: "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first", extFields: ExtFields()))
        case .updateConsumerOffset:
            let header = try request.decodeHeader(UpdateConsumerOffsetRequestHeader.self)
            metadata.withState {
                $0.offsets.commit(group: header.consumerGroup, topic: header.topic, queueId: header.queueId, offset: header.commitOffset)
            }
            return .response(request.makeResponse(code: .success, extFields: ExtFields()))
        case .getMaxOffset:
            let header = try request.decodeHeader(GetMaxOffsetRequestHeader.self)
            let offset = store.getMaxOffsetInQueue(topic: header.topic, queueId: header.queueId)
            return .response(request.makeResponse(code: .success, extFields: GetMaxOffsetResponseHeader(offset: offset).extFields))
        case .getMinOffset:
            let header = try request.decodeHeader(GetMinOffsetRequestHeader.self)
            let offset = store.getMinOffsetInQueue(topic: header.topic, queueId: header.queueId)
            return .response(request.makeResponse(code: .success, extFields: GetMinOffsetResponseHeader(offset: offset).extFields))
        case .getEarliestMsgStoretime:
            let header = try request.decodeHeader(GetEarliestMsgStoretimeRequestHeader.self)
            let timestamp = store.getEarliestMessageTime(topic: header.topic, queueId: header.queueId)
            return .response(request.makeResponse(
                code: .success, extFields: GetEarliestMsgStoretimeResponseHeader(timestamp: timestamp).extFields))
        case .searchOffsetByTimestamp:
            let header = try request.decodeHeader(SearchOffsetRequestHeader.self)
            let offset = store.getOffsetInQueueByTime(topic: header.topic, queueId: header.queueId, timestamp: header.timestamp)
            return .response(request.makeResponse(code: .success, extFields: SearchOffsetResponseHeader(offset: offset).extFields))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }

    /// Java `checkInDiskByConsumeOffset`, negated: an empty queue, or a message within the newest
    /// 40 % of RAM of the commit log.
    private func isInMemory(topic: String, queueId: Int32, offset: Int64) -> Bool {
        let physical = store.getCommitLogOffsetInQueue(topic: topic, queueId: queueId, consumeQueueOffset: offset)
        guard physical >= 0 else { return true }
        return store.maxPhysicalOffset - physical <= inMemoryBytes
    }
}
