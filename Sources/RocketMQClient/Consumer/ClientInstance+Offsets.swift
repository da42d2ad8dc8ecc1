import RemotingCodec
import RocketMQModel

/// Queue offset requests to the broker that holds a queue (Java `MQClientAPIImpl`, `MQAdminImpl`).
extension ClientInstance {
    /// The master of `queue`'s broker, refreshing the route once when it is unknown.
    func masterAddress(for queue: MessageQueue) async throws -> String {
        if let address = masterAddress(queue.brokerName) { return address }
        _ = try? await updateRoute(queue.topic)
        guard let address = masterAddress(queue.brokerName) else { throw MQClientError.brokerNotFound(brokerName: queue.brokerName) }
        return address
    }

    /// QUERY_CONSUMER_OFFSET; -1 when the broker has none (QUERY_NOT_FOUND).
    func queryConsumerOffset(group: String, queue: MessageQueue) async throws -> Int64 {
        let address = try await masterAddress(for: queue)
        let header = QueryConsumerOffsetRequestHeader(consumerGroup: group, topic: queue.topic, queueId: queue.queueId,
                                                      bname: queue.brokerName)
        let response = try await invokeExpecting(address, request(.queryConsumerOffset, header: header), accept: [.queryNotFound])
        guard response.responseCode == .success else { return -1 }
        do { return try response.decodeHeader(QueryConsumerOffsetResponseHeader.self).offset } catch {
            throw MQClientError.badResponse("\(error)")
        }
    }

    /// UPDATE_CONSUMER_OFFSET, oneway as Java's periodic persist sends it, or awaited.
    func updateConsumerOffset(group: String, queue: MessageQueue, offset: Int64, oneway: Bool) async throws {
        let address = try await masterAddress(for: queue)
        let header = UpdateConsumerOffsetRequestHeader(consumerGroup: group, topic: queue.topic, queueId: queue.queueId,
                                                       commitOffset: offset, bname: queue.brokerName)
        let command = request(.updateConsumerOffset, header: header)
        if oneway { try await invokeOneway(address, command) } else { _ = try await invokeExpecting(address, command) }
    }

    public func maxOffset(_ queue: MessageQueue) async throws -> Int64 {
        let address = try await masterAddress(for: queue)
        let header = GetMaxOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId, bname: queue.brokerName)
        let response = try await invokeExpecting(address, request(.getMaxOffset, header: header))
        do { return try response.decodeHeader(GetMaxOffsetResponseHeader.self).offset } catch {
            throw MQClientError.badResponse("\(error)")
        }
    }

    public func minOffset(_ queue: MessageQueue) async throws -> Int64 {
        let address = try await masterAddress(for: queue)
        let header = GetMinOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId, bname: queue.brokerName)
        let response = try await invokeExpecting(address, request(.getMinOffset, header: header))
        do { return try response.decodeHeader(GetMinOffsetResponseHeader.self).offset } catch {
            throw MQClientError.badResponse("\(error)")
        }
    }

    /// SEARCH_OFFSET_BY_TIMESTAMP: the first offset stored at or after `timestamp` (ms).
    public func searchOffset(_ queue: MessageQueue, timestamp: Int64) async throws -> Int64 {
        let address = try await masterAddress(for: queue)
        let header = SearchOffsetRequestHeader(topic: queue.topic, queueId: queue.queueId, timestamp: timestamp,
                                               bname: queue.brokerName)
        let response = try await invokeExpecting(address, request(.searchOffsetByTimestamp, header: header))
        do { return try response.decodeHeader(SearchOffsetResponseHeader.self).offset } catch {
            throw MQClientError.badResponse("\(error)")
        }
    }

    /// GET_CONSUMER_LIST_BY_GROUP from a broker of `topic` (Java `findConsumerIdList`).
    func consumerIDs(group: String, topic: String) async throws -> [String] {
        var addresses = allBrokerAddresses()
        if addresses.isEmpty {
            _ = try? await updateRoute(topic)
            addresses = allBrokerAddresses()
        }
        guard let address = addresses.randomElement() else { throw MQClientError.noRoute(topic: topic) }
        let response = try await invokeExpecting(address, request(.getConsumerListByGroup,
                                                                  header: GetConsumerListByGroupRequestHeader(consumerGroup: group)))
        do { return try ConsumerIdList(body: response.body).consumerIdList } catch {
            throw MQClientError.badResponse("\(error)")
        }
    }
}

/// Admin look-ups a gateway or dashboard needs (Java `MQAdminImpl` / `DefaultMQAdminExt`).
extension ClientInstance {
    /// Whether the name servers route `topic` to at least one readable queue; a cached route answers
    /// without a request (routes are refreshed every `pollNameServerInterval`).
    public func topicExists(_ topic: String) async throws -> Bool {
        if cachedPublishQueues(topic) != nil { return true }
        if let queues = cachedSubscribeQueues(topic), !queues.isEmpty { return true }
        guard let route = try await updateRoute(topic) else { return false }
        return !TopicPublishInfo.subscribeQueues(topic: topic, route: route).isEmpty
    }

    /// Java `examineConsumeStats(group, topic)`: GET_CONSUME_STATS on every master of `topic`'s route,
    /// merged: per queue, the broker's max offset and the group's committed offset.
    public func consumeStats(group: String, topic: String) async throws -> ConsumeStats {
        guard let route = try await updateRoute(topic) else { throw MQClientError.noRoute(topic: topic) }
        var merged = ConsumeStats(offsetTable: [], consumeTps: 0)
        for broker in route.brokerDatas {
            guard let master = broker.brokerAddrs[MixAll.masterId] else { continue }
            let header = GetConsumeStatsRequestHeader(consumerGroup: group, topic: topic)
            let response = try await invokeExpecting(master, request(.getConsumeStats, header: header))
            do {
                let stats = try ConsumeStats(body: response.body)
                merged.offsetTable += stats.offsetTable
                merged.consumeTps += stats.consumeTps
            } catch {
                throw MQClientError.badResponse("\(error)")
            }
        }
        return merged
    }
}
