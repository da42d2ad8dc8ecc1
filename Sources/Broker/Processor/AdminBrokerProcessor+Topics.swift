import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Topics: UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER, GET_ALL_TOPIC_CONFIG, GET_TOPIC_STATS_INFO,
/// QUERY_TOPIC_CONSUME_BY_WHO, GET_SYSTEM_TOPIC_LIST_FROM_BROKER, CLEAN_EXPIRED_CONSUMEQUEUE, CLEAN_UNUSED_TOPIC.
extension AdminBrokerProcessor {
    /// Java `updateAndCreateTopic`: the topic as the header gives it (`order` is not taken from the header,
    /// as in Java), persisted and registered with the name servers before the answer. Java answers SUCCESS
    /// with the default remark it never clears. 4.9.8 checks the name, not the queue counts or the permission.
    func updateAndCreateTopic(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        if let refused = refusedOnSlave(request) { return .response(refused) }
        let header = try request.decodeHeader(CreateTopicRequestHeader.self)
        // The header's checkFields.
        guard let filterType = TopicConfig.FilterType(rawValue: header.topicFilterType) else {
            return .response(request.makeResponse(code: .systemError, remark: "topicFilterType = [\(header.topicFilterType)] value invalid"))
        }
        if let refused = refusedTopic(header.topic, request) { return .response(refused) }
        let topic = TopicConfig(
            topicName: header.topic, readQueueNums: header.readQueueNums, writeQueueNums: header.writeQueueNums,
            perm: header.perm, topicFilterType: filterType, topicSysFlag: header.topicSysFlag ?? 0)
        logger.info("updateAndCreateTopic", metadata: ["topic": "\(header.topic)", "remote": "\(context.connection.remoteAddressText)"])
        let version = metadata.topicsVersion
        metadata.updateTopic(topic)
        let response = request.makeResponse(code: .success, remark: Self.notSetRemark)
        return metadata.answeringAfterRegistration(since: version, on: context.connection.eventLoop, .response(response))
    }

    /// Java `deleteTopic`: the topic leaves the table (persisted) and its consume queues are destroyed. The
    /// name servers learn it from DELETE_TOPIC_IN_NAMESRV, which mqadmin sends them; committed offsets stay,
    /// as in 4.9.8.
    func deleteTopic(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        if let refused = refusedOnSlave(request) { return .response(refused) }
        let header = try request.decodeHeader(DeleteTopicRequestHeader.self)
        if let refused = refusedTopic(header.topic, request) { return .response(refused) }
        logger.info("deleteTopic", metadata: ["topic": "\(header.topic)", "remote": "\(context.connection.remoteAddressText)"])
        metadata.deleteTopic(header.topic)
        let remaining = Set(metadata.withState { $0.topics.topicNames })
        let store = self.store
        return answering(request.makeResponse(code: .success), after: { store.cleanUnusedTopic(keeping: remaining) }, context: context)
    }

    /// Java `TopicValidator.validateTopic` then `isSystemTopic`: SYSTEM_ERROR with Java's remark, or nil.
    func refusedTopic(_ topic: String, _ request: RemotingCommand) -> RemotingCommand? {
        if let violation = TopicValidator.validate(topic) {
            return request.makeResponse(code: .systemError, remark: violation.remark)
        }
        if isSystemTopic(topic) {
            return request.makeResponse(code: .systemError, remark: TopicValidator.systemTopicConflictRemark(topic))
        }
        return nil
    }

    /// Java's `SYSTEM_TOPIC_SET` as this broker fills it: the built-in topics, its cluster and broker names,
    /// the cluster's reply topic and, when enabled, the trace topic; or any `rmq_sys_` topic.
    func isSystemTopic(_ topic: String) -> Bool {
        let config = metadata.config
        if config.traceTopicEnable && topic == config.msgTraceTopicName { return true }
        return TopicValidator.isSystemTopic(topic, brokerClusterName: config.brokerClusterName, brokerName: config.brokerName)
    }

    /// Java `getAllTopicConfig`: the table and its data version (the answer has an empty custom header).
    func getAllTopicConfig(_ request: RemotingCommand) -> RemotingCommand {
        let wrapper = metadata.withState { $0.topics.wrapper }
        return request.makeResponse(code: .success, extFields: ExtFields(), body: wrapper.encoded())
    }

    /// Java `getTopicStatsInfo`: min and max offset of each write queue and the store time of its last message.
    func getTopicStatsInfo(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetTopicStatsInfoRequestHeader.self)
        guard let config = metadata.withState({ $0.topics[header.topic] }) else {
            return request.makeResponse(code: .topicNotExist, remark: "topic[\(header.topic)] not exist")
        }
        let brokerName = self.brokerName
        var table: [(queue: MessageQueue, offsets: TopicOffset)] = []
        for queueId in 0..<max(0, config.writeQueueNums) {
            let minOffset = max(0, store.getMinOffsetInQueue(topic: header.topic, queueId: queueId))
            let maxOffset = max(0, store.getMaxOffsetInQueue(topic: header.topic, queueId: queueId))
            let timestamp = maxOffset > 0
                ? store.getMessageStoreTimestamp(topic: header.topic, queueId: queueId, consumeQueueOffset: maxOffset - 1) : 0
            table.append((
                MessageQueue(topic: header.topic, brokerName: brokerName, queueId: queueId),
                TopicOffset(minOffset: minOffset, maxOffset: maxOffset, lastUpdateTimestamp: timestamp)))
        }
        return request.makeResponse(code: .success, body: TopicStatsTable(offsetTable: table).encoded())
    }

    /// Java `queryTopicConsumeByWho`: the online groups subscribed to the topic and the groups with offsets on it.
    func queryTopicConsumeByWho(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(QueryTopicConsumeByWhoRequestHeader.self)
        let groups = metadata.withState { state in
            let online = state.clients.consumerGroups.values.filter { $0.subscriptionTable[header.topic] != nil }.map(\.groupName).sorted()
            var seen = Set(online)
            return online + state.offsets.groups(of: header.topic).filter { seen.insert($0).inserted }
        }
        return request.makeResponse(code: .success, body: GroupList(groupList: groups).encoded())
    }

    /// Java `getSystemTopicListFromBroker`.
    func getSystemTopicList(_ request: RemotingCommand) -> RemotingCommand {
        let config = metadata.config
        var topics = TopicValidator.systemTopics
        topics.formUnion([config.brokerClusterName, config.brokerName, MixAll.getReplyTopic(config.brokerClusterName)])
        if config.traceTopicEnable { topics.insert(config.msgTraceTopicName) }
        return request.makeResponse(code: .success, body: TopicList(topicList: topics.sorted()).encoded())
    }

    /// Java `cleanExpiredConsumeQueue`: queues whose messages are all gone from the commit log are destroyed.
    func cleanExpiredConsumeQueue(_ request: RemotingCommand, context: RequestContext) -> ProcessorResult {
        logger.notice("invoke cleanExpiredConsumeQueue", metadata: ["remote": "\(context.connection.remoteAddressText)"])
        let store = self.store
        return answering(request.makeResponse(code: .success), after: { store.cleanExpiredConsumeQueue() }, context: context)
    }

    /// Java `cleanUnusedTopic`: consume queues of topics no longer in the table are destroyed.
    func cleanUnusedTopic(_ request: RemotingCommand, context: RequestContext) -> ProcessorResult {
        logger.notice("invoke cleanUnusedTopic", metadata: ["remote": "\(context.connection.remoteAddressText)"])
        let topics = Set(metadata.withState { $0.topics.topicNames })
        let store = self.store
        return answering(request.makeResponse(code: .success), after: { store.cleanUnusedTopic(keeping: topics) }, context: context)
    }
}
