import Logging
import MessageStore
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// The broker's administrative requests, those `mqadmin` sends (Java `AdminBrokerProcessor`): topics and
/// subscription groups, the config, runtime figures and consumption statistics, the queue locks of orderly
/// consumers, and the calls relayed to consumers (running info, offset reset, status). The queue-offset
/// queries Java also handles here are `ConsumerManageProcessor`'s.
///
/// Concerns live in `AdminBrokerProcessor+Topics`, `+Groups`, `+Queues`, `+Config` and `+Clients`. Requests that delete
/// files run on a blocking thread pool and are answered when it is done.
public struct AdminBrokerProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [
        .updateAndCreateTopic, .deleteTopicInBroker, .getAllTopicConfig, .updateBrokerConfig, .getBrokerConfig,
        .getBrokerRuntimeInfo, .lockBatchMQ, .unlockBatchMQ, .updateAndCreateSubscriptionGroup,
        .getAllSubscriptionGroupConfig, .deleteSubscriptionGroup, .getTopicStatsInfo, .getConsumerConnectionList,
        .getProducerConnectionList, .getConsumeStats, .getAllConsumerOffset, .getAllDelayOffset,
        .invokeBrokerToResetOffset, .invokeBrokerToGetConsumerStatus, .queryTopicConsumeByWho,
        .getSystemTopicListFromBroker, .cleanExpiredConsumeQueue, .cleanUnusedTopic, .getConsumerRunningInfo,
        .consumeMessageDirectly, .getBrokerConsumeStats, .cloneGroupOffset, .getAllProducerInfo, .viewBrokerStatsData,
        .queryConsumeTimeSpan, .queryCorrectionOffset, .queryConsumeQueue,
        .updateAndCreateAclConfig, .deleteAclConfig, .updateGlobalWhiteAddrsConfig, .getBrokerClusterAclInfo,
    ]

    /// Java's `createResponseCommand` default remark, left on answers Java never clears it from.
    static let notSetRemark = "not set any response code"
    /// Java `MQVersion.Version.V3_0_7_SNAPSHOT.ordinal()`: clients from here on take offset resets and status calls.
    static let v3_0_7Snapshot: Int32 = 28
    /// Java `V3_1_8_SNAPSHOT.ordinal()`: clients from here on answer relayed calls.
    static let v3_1_8Snapshot: Int32 = 62

    let metadata: BrokerMetadata
    let store: LocalFileMessageStore
    let schedule: ScheduleMessageService
    let configuration: BrokerConfiguration
    let stats: BrokerStats
    /// Where the requests that delete files run (never on an event loop).
    let blockingPool: NIOThreadPool
    let logger: Logger

    public init(
        metadata: BrokerMetadata, store: LocalFileMessageStore, schedule: ScheduleMessageService,
        configuration: BrokerConfiguration, stats: BrokerStats, blockingPool: NIOThreadPool = .singleton,
        logger: Logger = Logger(label: "rocketmq.broker")
    ) {
        self.metadata = metadata
        self.store = store
        self.schedule = schedule
        self.configuration = configuration
        self.stats = stats
        self.blockingPool = blockingPool
        self.logger = logger
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .updateAndCreateTopic: return try updateAndCreateTopic(request, context: context)
        case .deleteTopicInBroker: return try deleteTopic(request, context: context)
        case .getAllTopicConfig: return .response(getAllTopicConfig(request))
        case .getTopicStatsInfo: return .response(try getTopicStatsInfo(request))
        case .queryTopicConsumeByWho: return .response(try queryTopicConsumeByWho(request))
        case .getSystemTopicListFromBroker: return .response(getSystemTopicList(request))
        case .cleanExpiredConsumeQueue: return cleanExpiredConsumeQueue(request, context: context)
        case .cleanUnusedTopic: return cleanUnusedTopic(request, context: context)
        case .updateBrokerConfig: return updateBrokerConfig(request, context: context)
        case .getBrokerConfig: return .response(getBrokerConfig(request))
        case .getBrokerRuntimeInfo: return .response(getBrokerRuntimeInfo(request))
        case .updateAndCreateSubscriptionGroup: return .response(try updateAndCreateSubscriptionGroup(request))
        case .getAllSubscriptionGroupConfig: return .response(getAllSubscriptionGroup(request))
        case .deleteSubscriptionGroup: return .response(try deleteSubscriptionGroup(request))
        case .getConsumerConnectionList: return .response(try getConsumerConnectionList(request))
        case .getProducerConnectionList: return .response(try getProducerConnectionList(request))
        case .getConsumeStats: return .response(try getConsumeStats(request))
        case .getBrokerConsumeStats: return .response(try getBrokerConsumeStats(request))
        case .cloneGroupOffset: return .response(try cloneGroupOffset(request))
        case .getAllProducerInfo: return .response(getAllProducerInfo(request))
        case .viewBrokerStatsData: return .response(try viewBrokerStatsData(request))
        case .queryConsumeTimeSpan: return .response(try queryConsumeTimeSpan(request))
        case .queryCorrectionOffset: return .response(try queryCorrectionOffset(request))
        case .queryConsumeQueue: return .response(try queryConsumeQueue(request))
        case .updateAndCreateAclConfig, .deleteAclConfig, .updateGlobalWhiteAddrsConfig, .getBrokerClusterAclInfo:
            return try aclConfigWithoutACL(request)
        case .getAllConsumerOffset: return .response(getAllConsumerOffset(request))
        case .getAllDelayOffset: return .response(getAllDelayOffset(request))
        case .invokeBrokerToResetOffset: return .response(try resetOffset(request))
        case .invokeBrokerToGetConsumerStatus: return try getConsumerStatus(request, context: context)
        case .getConsumerRunningInfo: return try getConsumerRunningInfo(request)
        case .consumeMessageDirectly: return try consumeMessageDirectly(request)
        case .lockBatchMQ:
            let body = try LockBatchRequestBody(body: request.body)
            let now = metadata.clock()
            let locked = metadata.withState {
                $0.locks.tryLockBatch(group: body.consumerGroup, queues: body.mqSet, clientId: body.clientId, now: now)
            }
            return .response(request.makeResponse(code: .success, body: LockBatchResponseBody(lockOKMQSet: locked).encoded()))
        case .unlockBatchMQ:
            let body = try LockBatchRequestBody(body: request.body)
            metadata.withState { $0.locks.unlockBatch(group: body.consumerGroup, queues: body.mqSet, clientId: body.clientId) }
            return .response(request.makeResponse(code: .success))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }

    /// Java `validateSlave`: topics and groups change on the master only.
    func refusedOnSlave(_ request: RemotingCommand) -> RemotingCommand? {
        guard store.brokerRole == .slave else { return nil }
        return request.makeResponse(
            code: .systemError,
            remark: "Can't modify topic or subscription group from slave broker, please execute it from master broker.")
    }

    /// The broker's name for the MessageQueue keys of its answers.
    var brokerName: String { metadata.config.brokerName }

    /// Runs `work` (which deletes files) on the blocking pool and answers `response` when it is done.
    func answering(
        _ response: RemotingCommand, after work: @escaping @Sendable () -> Void, context: RequestContext
    ) -> ProcessorResult {
        let loop = context.connection.eventLoop
        return .future(blockingPool.runIfActive(eventLoop: loop, work).map { Optional(response) })
    }
}
