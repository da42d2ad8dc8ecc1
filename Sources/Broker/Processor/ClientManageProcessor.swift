import Logging
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// HEART_BEAT, UNREGISTER_CLIENT and GET_CONSUMER_LIST_BY_GROUP (Java `ClientManageProcessor` and
/// the consumer-list part of `ConsumerManageProcessor`), plus NOTIFY_CONSUMER_IDS_CHANGED to a
/// group's members when it changes.
public final class ClientManageProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [.heartBeat, .unregisterClient, .getConsumerListByGroup, .checkClientConfig]

    private let metadata: BrokerMetadata
    private let logger: Logger

    public init(metadata: BrokerMetadata, logger: Logger = Logger(label: "rocketmq.broker")) {
        self.metadata = metadata
        self.logger = logger
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .heartBeat:
            // A new retry topic is registered before the answer, as Java does.
            let topicsVersion = metadata.topicsVersion
            let response = try heartBeat(request, context: context)
            return metadata.answeringAfterRegistration(since: topicsVersion, on: context.connection.eventLoop, .response(response))
        case .unregisterClient: return .response(try unregisterClient(request, context: context))
        case .checkClientConfig: return .response(try checkClientConfig(request))
        case .getConsumerListByGroup:
            let header = try request.decodeHeader(GetConsumerListByGroupRequestHeader.self)
            let ids = metadata.withState { $0.clients.consumerGroups[header.consumerGroup]?.clientIds ?? [] }
            guard !ids.isEmpty else {
                logger.warning("no consumer for a group asking for its members", metadata: ["group": "\(header.consumerGroup)"])
                return .response(request.makeResponse(code: .systemError, remark: "no consumer for this group, \(header.consumerGroup)"))
            }
            // Java answers with an (empty) GetConsumerListByGroupResponseHeader: `"extFields":{}`.
            return .response(request.makeResponse(
                code: .success, extFields: ExtFields(), body: ConsumerIdList(consumerIdList: ids).encoded()))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }

    public func connectionClosed(_ connection: RemotingConnection) {
        let shrunk = metadata.withState { state in
            defer { state.dropFiltersOfGoneGroups() }
            return state.clients.connectionClosed(connection)
        }
        for group in shrunk { notifyConsumerIdsChanged(group) }
    }

    private func heartBeat(_ request: RemotingCommand, context: RequestContext) throws -> RemotingCommand {
        let heartbeat = try HeartbeatData(body: request.body)
        let channel = ClientChannelInfo(
            connection: context.connection, clientId: heartbeat.clientID, language: request.language, version: request.version)
        let now = metadata.clock()
        for var consumer in heartbeat.consumerDataSet {
            var notify = true
            if let group = metadata.findSubscriptionGroup(consumer.groupName) {
                notify = group.notifyConsumerIdsChangedEnable
                if group.retryQueueNums > 0 {
                    metadata.createTopicIfAbsent(
                        MixAll.getRetryTopic(consumer.groupName), queueNums: group.retryQueueNums,
                        perm: PermName.readWrite.rawValue)
                }
            }
            // The broker rebuilds tags and codes from the expression (C++ sends only subString).
            consumer.subscriptionDataSet = consumer.subscriptionDataSet.map(SubscriptionData.rebuilt)
            // SQL92 subscriptions are compiled for pulls, whatever enablePropertyFilter says (as Java does).
            for subscription in consumer.subscriptionDataSet where !SQLFilter.isTagType(subscription.expressionType) {
                metadata.withState {
                    $0.filters.register(
                        group: consumer.groupName, topic: subscription.topic, expressionType: subscription.expressionType,
                        expression: subscription.subString, clientVersion: subscription.subVersion)
                }
            }
            let changed = metadata.withState { $0.clients.registerConsumer(consumer, channel: channel, now: now) }
            if changed && notify { notifyConsumerIdsChanged(consumer.groupName) }
        }
        for group in heartbeat.producerDataSet {
            metadata.withState { $0.clients.registerProducer(group: group, channel: channel, now: now) }
        }
        return request.makeResponse(code: .success)
    }

    /// CHECK_CLIENT_CONFIG (Java `checkClientConfig`): tag subscriptions always pass; SQL92 needs
    /// `enablePropertyFilter` and an expression that compiles.
    private func checkClientConfig(_ request: RemotingCommand) throws -> RemotingCommand {
        let body = try CheckClientRequestBody(body: request.body)
        guard let subscription = body.subscriptionData, !SQLFilter.isTagType(subscription.expressionType) else {
            return request.makeResponse(code: .success)
        }
        guard metadata.config.enablePropertyFilter else {
            return request.makeResponse(code: .systemError, remark: SQLFilter.notSupportedRemark(expressionType: subscription.expressionType))
        }
        do {
            _ = try SQLFilter.compile(expressionType: subscription.expressionType, expression: subscription.subString)
            return request.makeResponse(code: .success)
        } catch {
            return request.makeResponse(code: .subscriptionParseFailed, remark: error.remark)
        }
    }

    private func unregisterClient(_ request: RemotingCommand, context: RequestContext) throws -> RemotingCommand {
        let header = try request.decodeHeader(UnregisterClientRequestHeader.self)
        // The C++ client sends the unused group as "": treat it as absent.
        if let group = header.producerGroup, !group.isEmpty {
            metadata.withState { $0.clients.unregisterProducer(group: group, connection: context.connection) }
        }
        if let group = header.consumerGroup, !group.isEmpty {
            let left = metadata.withState { state in
                defer { state.dropFiltersOfGoneGroups() }
                return state.clients.unregisterConsumer(group: group, connection: context.connection)
            }
            if left, metadata.withState({ $0.groups[group]?.notifyConsumerIdsChangedEnable ?? true }) {
                notifyConsumerIdsChanged(group)
            }
        }
        return request.makeResponse(code: .success, extFields: ExtFields())
    }

    /// NOTIFY_CONSUMER_IDS_CHANGED, oneway and in JSON, to every member of the group (§3.3.16).
    private func notifyConsumerIdsChanged(_ group: String) {
        let members = metadata.withState { $0.clients.consumerGroups[group]?.channels.values.map(\.connection) ?? [] }
        let header = NotifyConsumerIdsChangedRequestHeader(consumerGroup: group)
        for connection in members {
            connection.sendOneway(.request(code: .notifyConsumerIdsChanged, extFields: header.extFields))
        }
    }
}

extension SubscriptionData {
    /// Java `FilterAPI.buildSubscriptionData`: `*` or empty matches all; otherwise `||`-separated
    /// tags and their Java hash codes.
    static func rebuilt(_ subscription: SubscriptionData) -> SubscriptionData {
        var copy = subscription
        let expression = subscription.subString.trimmingWhitespace()
        guard subscription.expressionType == "TAG", !expression.isEmpty, expression != SubscriptionData.subAll else {
            if subscription.expressionType == "TAG" {
                copy.subString = SubscriptionData.subAll
                copy.tagsSet = []
                copy.codeSet = []
            }
            return copy
        }
        let tags = expression.split(separator: "||", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        copy.tagsSet = tags
        copy.codeSet = tags.map(JavaHash.hashCode)
        return copy
    }
}
