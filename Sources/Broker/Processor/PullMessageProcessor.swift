import Logging
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// PULL_MESSAGE (Java `PullMessageProcessor`, §3.3.5): Java's checks, a read from the store with the
/// subscription's tag filter, the status mapping, the commit-offset piggyback and long polling.
public final class PullMessageProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [.pullMessage]

    private let metadata: BrokerMetadata
    private let store: LocalFileMessageStore
    private let holds: PullRequestHoldService
    /// Where reads are counted (GET_BROKER_RUNTIME_INFO's get figures, the GROUP_GET_* stats items); nil counts nothing.
    private let stats: BrokerStats?

    public init(metadata: BrokerMetadata, store: LocalFileMessageStore, holds: PullRequestHoldService, stats: BrokerStats? = nil) {
        self.metadata = metadata
        self.store = store
        self.holds = holds
        self.stats = stats
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        let header = try request.decodeHeader(PullMessageRequestHeader.self)
        let config = metadata.config
        let fail = { (code: ResponseCode, remark: String) in
            ProcessorResult.response(request.makeResponse(code: code, remark: remark, extFields: ExtFields()))
        }
        guard PermName.isReadable(Int32(config.brokerPermission)) else {
            return fail(.noPermission, "the broker[\(config.brokerIP1)] pulling message is forbidden")
        }
        guard let group = metadata.findSubscriptionGroup(header.consumerGroup) else {
            return fail(.subscriptionGroupNotExist, "subscription group [\(header.consumerGroup)] does not exist, \(FAQ.suggestion)")
        }
        guard group.consumeEnable else { return fail(.noPermission, "subscription group no permission, \(header.consumerGroup)") }
        guard let topic = metadata.withState({ $0.topics[header.topic] }) else {
            return fail(.topicNotExist, "topic[\(header.topic)] not exist, apply first please! \(FAQ.suggestion)")
        }
        guard PermName.isReadable(topic.perm) else { return fail(.noPermission, "the topic[\(header.topic)] pulling message is forbidden") }
        guard header.queueId >= 0, header.queueId < topic.readQueueNums else {
            return fail(.systemError, "queueId[\(header.queueId)] is illegal, topic:[\(header.topic)] topicConfig.readQueueNums:[\(topic.readQueueNums)] consumer:[\(context.connection.remoteAddressText)]")
        }
        let subscription: SubscriptionData
        var sqlFilter: SQLExpression?
        let expressionType = header.expressionType ?? SQLFilter.tag
        if header.sysFlag & PullSysFlag.subscription != 0 {
            subscription = SubscriptionData.rebuilt(SubscriptionData(
                topic: header.topic, subString: header.subscription ?? SubscriptionData.subAll, subVersion: header.subVersion,
                expressionType: expressionType, tagsSet: [], codeSet: []))
            if !SQLFilter.isTagType(expressionType) {
                // Java would pull unfiltered on an expression that does not compile; we refuse it.
                guard let compiled = try? SQLFilter.compile(expressionType: expressionType, expression: subscription.subString) else {
                    return fail(.subscriptionParseFailed, SQLFilter.pullSubscriptionParseFailedRemark)
                }
                sqlFilter = compiled
            }
        } else {
            guard let consumer = metadata.withState({ $0.clients.consumerGroups[header.consumerGroup] }) else {
                return fail(.subscriptionNotExist, "the consumer's group info not exist\(FAQ.suggestion)")
            }
            if !group.consumeBroadcastEnable && consumer.messageModel == .broadcasting {
                return fail(.noPermission, "the consumer group[\(header.consumerGroup)] can not consume by broadcast way")
            }
            guard let registered = consumer.subscriptionTable[header.topic] else {
                return fail(.subscriptionNotExist, "the consumer's subscription not exist\(FAQ.suggestion)")
            }
            guard registered.subVersion >= header.subVersion else {
                return fail(.subscriptionNotLatest, "the consumer's subscription not latest")
            }
            subscription = registered
            if !SQLFilter.isTagType(registered.expressionType) {
                guard let data = metadata.withState({ $0.filters.filter(group: header.consumerGroup, topic: header.topic) }) else {
                    return fail(.filterDataNotExist, SQLFilter.filterDataNotExistRemark)
                }
                guard data.clientVersion >= header.subVersion else {
                    return fail(.filterDataNotLatest, SQLFilter.filterDataNotLatestRemark)
                }
                sqlFilter = data.compiled
            }
        }
        let filter: PullMessageFilter
        if SQLFilter.isTagType(subscription.expressionType) {
            filter = .tags(subscription.subString == SubscriptionData.subAll ? TagsCodeFilter.all : TagsCodeFilter(codes: Set(subscription.codeSet)))
        } else {
            guard subscription.expressionType == SQLFilter.sql92, config.enablePropertyFilter, let sqlFilter else {
                return fail(.systemError, SQLFilter.notSupportedRemark(expressionType: subscription.expressionType))
            }
            // Retry topics are subscribed with `*`: SQL applies there only with filterSupportRetry.
            filter = MixAll.isRetryTopic(header.topic) && !config.filterSupportRetry ? .tags(.all) : .sql(sqlFilter)
        }

        // Commit the piggybacked offset on the first attempt, on a master (§3.3.5 step 10).
        if header.sysFlag & PullSysFlag.commitOffset != 0 && config.isMaster {
            metadata.withState {
                $0.offsets.commit(group: header.consumerGroup, topic: header.topic, queueId: header.queueId, offset: header.commitOffset)
            }
        }
        let first = read(request, header: header, filter: filter, group: group)
        guard first.responseCode == .pullNotFound, header.sysFlag & PullSysFlag.suspend != 0 else { return .response(first) }
        // Nothing new: park until a message arrives or the hold time is over, then read again.
        let timeout = config.longPollingEnable ? header.suspendTimeoutMillis : config.shortPollingTimeMills
        let promise = context.connection.eventLoop.makePromise(of: RemotingCommand?.self)
        holds.hold(topic: header.topic, queueId: header.queueId, offset: header.queueOffset,
                   timeout: .milliseconds(max(0, timeout))) { [self] in
            promise.succeed(read(request, header: header, filter: filter, group: group))
        }
        // A message may have arrived between the read and the hold.
        holds.messageArrived(topic: header.topic, queueId: header.queueId,
                             maxOffset: store.getMaxOffsetInQueue(topic: header.topic, queueId: header.queueId))
        return .future(promise.futureResult)
    }

    /// Reads and maps the store's status to the response (§3.3.5 step 6 table), with the broker to pull from
    /// next (§5.10).
    private func read(
        _ request: RemotingCommand, header: PullMessageRequestHeader, filter: PullMessageFilter, group: SubscriptionGroupConfig
    ) -> RemotingCommand {
        let result = store.getMessage(
            group: header.consumerGroup, topic: header.topic, queueId: header.queueId, offset: header.queueOffset,
            maxMsgNums: Int(max(0, header.maxMsgNums)), filter: filter)
        stats?.messagesGot(
            group: header.consumerGroup, topic: header.topic, found: result.status == .found,
            count: result.messageSizes.count, size: result.body.readableBytes)
        var code: ResponseCode
        switch result.status {
        case .found: code = .success
        case .noMatchedMessage, .messageWasRemoving: code = .pullRetryImmediately
        case .noMessageInQueue, .noMatchedLogicQueue: code = header.queueOffset != 0 ? .pullOffsetMoved : .pullNotFound
        case .offsetTooSmall, .offsetOverflowBadly: code = .pullOffsetMoved
        case .offsetOverflowOne, .offsetFoundNull: code = .pullNotFound
        }
        // §5.10: a far-behind read is sent to the slave only with slaveReadEnable. (Java 4.9.8 also sets
        // PULL_RETRY_IMMEDIATELY on a slave without slaveReadEnable, but the status mapping after it overwrites
        // that: a slave serves pulls.)
        var suggestWhichBrokerId = metadata.config.slaveReadEnable
            ? (result.suggestPullingFromSlave ? group.whichBrokerWhenConsumeSlowly : group.brokerId)
            : MixAll.masterId
        if code == .pullOffsetMoved && store.brokerRole == .slave && !store.config.offsetCheckInSlave {
            // A slave may just be behind its master: the consumer retries rather than moving its offset.
            code = .pullRetryImmediately
            suggestWhichBrokerId = group.brokerId
        }
        let fields = PullMessageResponseHeader(
            suggestWhichBrokerId: suggestWhichBrokerId, nextBeginOffset: result.nextBeginOffset, minOffset: result.minOffset, maxOffset: result.maxOffset)
        return request.makeResponse(
            code: code, remark: result.status.rawValue, extFields: fields.extFields,
            body: code == .success ? result.body : nil)
    }
}

/// Java `PullSysFlag`.
public enum PullSysFlag {
    public static let commitOffset: Int32 = 0x1
    public static let suspend: Int32 = 0x2
    public static let subscription: Int32 = 0x4
    public static let classFilter: Int32 = 0x8
}
