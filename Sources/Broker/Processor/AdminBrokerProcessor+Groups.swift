import MessageStore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Consumer and producer groups: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
/// DELETE_SUBSCRIPTIONGROUP, GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST, GET_CONSUME_STATS,
/// GET_BROKER_CONSUME_STATS, CLONE_GROUP_OFFSET, GET_ALL_PRODUCER_INFO, GET_ALL_CONSUMER_OFFSET,
/// GET_ALL_DELAY_OFFSET.
extension AdminBrokerProcessor {
    /// Java `updateAndCreateSubscriptionGroup`: the body's group replaces any other of its name (persisted).
    func updateAndCreateSubscriptionGroup(_ request: RemotingCommand) throws -> RemotingCommand {
        if let refused = refusedOnSlave(request) { return refused }
        let config = try SubscriptionGroupConfig(body: request.body)
        logger.info("updateAndCreateSubscriptionGroup", metadata: ["group": "\(config.groupName)"])
        metadata.updateSubscriptionGroup(config)
        return request.makeResponse(code: .success)
    }

    /// Java `getAllSubscriptionGroup`: `subscriptionGroup.json`'s content.
    func getAllSubscriptionGroup(_ request: RemotingCommand) -> RemotingCommand {
        request.makeResponse(code: .success, body: metadata.withState { $0.groups.wrapper }.encoded())
    }

    /// Java `deleteSubscriptionGroup`, and the group's committed offsets when `removeOffset` is set. Deleting an
    /// unknown group succeeds.
    func deleteSubscriptionGroup(_ request: RemotingCommand) throws -> RemotingCommand {
        if let refused = refusedOnSlave(request) { return refused }
        let header = try request.decodeHeader(DeleteSubscriptionGroupRequestHeader.self)
        logger.info("deleteSubscriptionGroup", metadata: ["group": "\(header.groupName)", "removeOffset": "\(header.removeOffset)"])
        metadata.deleteSubscriptionGroup(header.groupName)
        if header.removeOffset {
            metadata.withState { $0.offsets.remove(group: header.groupName) }
        }
        return request.makeResponse(code: .success)
    }

    /// Java `getConsumerConnectionList`: the group's members and subscriptions; CONSUMER_NOT_ONLINE without any.
    func getConsumerConnectionList(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetConsumerConnectionListRequestHeader.self)
        guard let group = metadata.withState({ $0.clients.consumerGroups[header.consumerGroup] }) else {
            return request.makeResponse(code: .consumerNotOnline, remark: "the consumer group[\(header.consumerGroup)] not online")
        }
        let body = ConsumerConnection(
            connectionSet: Self.connections(group.channels), subscriptionTable: group.subscriptionTable.keys.sorted().compactMap { group.subscriptionTable[$0] },
            consumeType: group.consumeType, messageModel: group.messageModel, consumeFromWhere: group.consumeFromWhere)
        return request.makeResponse(code: .success, body: body.encoded())
    }

    /// Java `getProducerConnectionList`: SYSTEM_ERROR for a group with no live producer.
    func getProducerConnectionList(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetProducerConnectionListRequestHeader.self)
        guard let channels = metadata.withState({ $0.clients.producerGroups[header.producerGroup] }) else {
            return request.makeResponse(code: .systemError, remark: "the producer group[\(header.producerGroup)] not exist")
        }
        return request.makeResponse(code: .success, body: ProducerConnection(connectionSet: Self.connections(channels)).encoded())
    }

    /// Java `Connection`s of a group's channels, in connection order.
    static func connections(_ channels: [UInt64: ClientChannelInfo]) -> [Connection] {
        channels.sorted { $0.key < $1.key }.map { _, channel in
            Connection(clientId: channel.clientId, clientAddr: channel.connection.remoteAddressText, language: channel.language, version: channel.version)
        }
    }

    /// Java `getConsumeStats`: for the header's topic, or every topic the group committed offsets on, each read
    /// queue's max offset, the group's offset and the store time of the last message consumed. Topics the
    /// online group does not subscribe to are left out. `consumeTps` sums the group's pull rate on each topic over
    /// the last minute (Java `tpsGroupGetNums`).
    func getConsumeStats(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetConsumeStatsRequestHeader.self)
        let group = header.consumerGroup
        let topics: [String]
        if let topic = header.topic, !topic.allSatisfy(\.isWhitespace) {
            topics = [topic]
        } else {
            topics = metadata.withState { $0.offsets.topics(of: group) }
        }
        var table: [(queue: MessageQueue, offsets: OffsetWrapper)] = []
        var consumeTps = 0.0
        for topic in topics {
            guard let config = consumedTopic(topic, by: group) else { continue }
            let stats = consumeStats(group: group, topic: topic, queueCount: config.readQueueNums)
            table += stats.offsetTable
            consumeTps += stats.consumeTps
        }
        return request.makeResponse(code: .success, body: ConsumeStats(offsetTable: table, consumeTps: consumeTps).encoded())
    }

    /// Java `fetchAllConsumeStatsInBroker`: for every subscription group, the ConsumeStats of each topic it has
    /// offsets on (write queues; with `isOrder`, order topics only), and the total lag.
    func getBrokerConsumeStats(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetConsumerStatsInBrokerHeader.self)
        let groups = metadata.withState { $0.groups.groupNames }
        var list: [(group: String, stats: [ConsumeStats])] = []
        var totalDiff: Int64 = 0
        for group in groups {
            var perTopic: [ConsumeStats] = []
            for topic in metadata.withState({ $0.offsets.topics(of: group) }) {
                guard let config = consumedTopic(topic, by: group), !header.isOrder || config.order else { continue }
                let stats = consumeStats(group: group, topic: topic, queueCount: config.writeQueueNums)
                totalDiff += stats.totalDiff
                perTopic.append(stats)
            }
            list.append((group, perTopic))
        }
        let config = metadata.config
        let body = ConsumeStatsList(brokerAddr: config.brokerAddr, consumeStatsList: list, totalDiff: totalDiff)
        return request.makeResponse(code: .success, body: body.encoded())
    }

    /// The topic's config when the group's stats include it: it exists, and the group is offline or subscribes to it.
    private func consumedTopic(_ topic: String, by group: String) -> TopicConfig? {
        metadata.withState { state in
            guard let config = state.topics[topic] else { return nil }
            if let online = state.clients.consumerGroups[group], !online.subscriptionTable.isEmpty, online.subscriptionTable[topic] == nil {
                return nil
            }
            return config
        }
    }

    private func consumeStats(group: String, topic: String, queueCount: Int32) -> ConsumeStats {
        let brokerName = self.brokerName
        var table: [(queue: MessageQueue, offsets: OffsetWrapper)] = []
        for queueId in 0..<max(0, queueCount) {
            let brokerOffset = max(0, store.getMaxOffsetInQueue(topic: topic, queueId: queueId))
            let consumerOffset = max(0, metadata.withState { $0.offsets.offset(group: group, topic: topic, queueId: queueId) })
            var lastTimestamp: Int64 = 0
            if consumerOffset > 0 {
                let stored = store.getMessageStoreTimestamp(topic: topic, queueId: queueId, consumeQueueOffset: consumerOffset - 1)
                if stored > 0 { lastTimestamp = stored }
            }
            table.append((
                MessageQueue(topic: topic, brokerName: brokerName, queueId: queueId),
                OffsetWrapper(brokerOffset: brokerOffset, consumerOffset: consumerOffset, lastTimestamp: lastTimestamp)))
        }
        return ConsumeStats(offsetTable: table, consumeTps: stats.groupGetTps(group: group, topic: topic))
    }

    /// Java `cloneGroupOffset`: `destGroup` gets `srcGroup`'s offsets on the header's topic when that topic exists
    /// and (unless `offline`) the online source group subscribes to it. Java copies the header's topic inside its
    /// loop over topics, so without a topic nothing is copied; so here.
    func cloneGroupOffset(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(CloneGroupOffsetRequestHeader.self)
        if let topic = header.topic, !topic.allSatisfy(\.isWhitespace) {
            let eligible = header.offline ? metadata.withState { $0.topics[topic] } != nil : consumedTopic(topic, by: header.srcGroup) != nil
            if eligible {
                metadata.withState { $0.offsets.clone(from: header.srcGroup, to: header.destGroup, topic: topic) }
                logger.info("cloneGroupOffset", metadata: ["from": "\(header.srcGroup)", "to": "\(header.destGroup)", "topic": "\(topic)"])
            }
        }
        return request.makeResponse(code: .success)
    }

    /// Java `getAllProducerInfo`: every producer connection by group (`remoteIP` as Java prints a socket address).
    func getAllProducerInfo(_ request: RemotingCommand) -> RemotingCommand {
        let groups = metadata.withState { $0.clients.producerGroups }
        let data = groups.keys.sorted().map { group in
            (group: group, producers: (groups[group] ?? [:]).sorted { $0.key < $1.key }.map { _, channel in
                ProducerInfo(
                    clientId: channel.clientId, remoteIP: "/" + channel.connection.remoteAddressText, language: channel.language,
                    version: channel.version, lastUpdateTimestamp: channel.lastUpdateTimestamp)
            })
        }
        return request.makeResponse(code: .success, body: ProducerTableInfo(data: data).encoded())
    }

    /// Java `getAllConsumerOffset`: `consumerOffset.json`'s content (a slave copies it every 10 s).
    func getAllConsumerOffset(_ request: RemotingCommand) -> RemotingCommand {
        request.makeResponse(code: .success, body: metadata.withState { $0.offsets.wrapper }.encoded())
    }

    /// Java `getAllDelayOffset`: `delayOffset.json`'s content.
    func getAllDelayOffset(_ request: RemotingCommand) -> RemotingCommand {
        request.makeResponse(code: .success, body: schedule.offsetTable.encoded())
    }
}
