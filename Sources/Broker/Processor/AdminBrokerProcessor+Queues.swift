import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Queue-level views for operators: QUERY_CONSUME_TIME_SPAN, QUERY_CORRECTION_OFFSET, QUERY_CONSUME_QUEUE.
extension AdminBrokerProcessor {
    /// Java `queryConsumeTimeSpan`: per write queue of the topic, the store times of its first and last
    /// message, of the group's last consumed one (the first message's when it consumed nothing), and how long
    /// the next one has waited.
    func queryConsumeTimeSpan(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(QueryConsumeTimeSpanRequestHeader.self)
        let topic = header.topic
        guard let config = metadata.withState({ $0.topics[topic] }) else {
            return request.makeResponse(code: .topicNotExist, remark: "topic[\(topic)] not exist")
        }
        let now = metadata.clock()
        var spans: [QueueTimeSpan] = []
        for queueId in 0..<max(0, config.writeQueueNums) {
            let minTime = store.getEarliestMessageTime(topic: topic, queueId: queueId)
            let maxOffset = store.getMaxOffsetInQueue(topic: topic, queueId: queueId)
            let maxTime = store.getMessageStoreTimestamp(topic: topic, queueId: queueId, consumeQueueOffset: maxOffset - 1)
            let consumerOffset = metadata.withState { $0.offsets.offset(group: header.group, topic: topic, queueId: queueId) }
            let consumeTime = consumerOffset > 0
                ? store.getMessageStoreTimestamp(topic: topic, queueId: queueId, consumeQueueOffset: consumerOffset - 1) : minTime
            var delay: Int64 = 0
            if consumerOffset < maxOffset {
                // As Java: a group without an offset asks for offset -1, whose time is -1.
                delay = now - store.getMessageStoreTimestamp(topic: topic, queueId: queueId, consumeQueueOffset: consumerOffset)
            }
            spans.append(QueueTimeSpan(
                messageQueue: MessageQueue(topic: topic, brokerName: brokerName, queueId: queueId),
                minTimeStamp: minTime, maxTimeStamp: maxTime, consumeTimeStamp: consumeTime, delayTime: delay))
        }
        return request.makeResponse(code: .success, body: QueryConsumeTimeSpanBody(consumeTimeSpanSet: spans).encoded())
    }

    /// Java `queryCorrectionOffset`: per queue of the topic, the lowest offset (still in the queue) among the
    /// groups not in `filterGroups`; a queue where `compareGroup` is behind that gets Long.MAX_VALUE.
    ///
    /// Java drops the filter groups' offsets from its live table while computing this (it removes them through
    /// the table's key set), and fails with a NullPointerException when the compare group has a queue no
    /// other group has; we leave the table alone and leave such a queue out.
    func queryCorrectionOffset(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(QueryCorrectionOffsetHeader.self)
        let filtered = Set((header.filterGroups ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        let filtering = !(header.filterGroups ?? "").allSatisfy(\.isWhitespace)
        let table = metadata.withState { $0.offsets.wrapper.offsetTable }
        var order: [Int32] = []
        var lowest: [Int32: Int64] = [:]
        var compare: [(queueId: Int32, offset: Int64)] = []
        for entry in table {
            guard let at = entry.key.lastIndex(of: "@"), entry.key[..<at] == header.topic else { continue }
            let group = String(entry.key[entry.key.index(after: at)...])
            if group == header.compareGroup && !(filtering && filtered.contains(group)) { compare = entry.offsets }
            if filtering && filtered.contains(group) { continue }
            for (queueId, offset) in entry.offsets where offset >= store.getMinOffsetInQueue(topic: header.topic, queueId: queueId) {
                if let current = lowest[queueId] {
                    lowest[queueId] = min(current, offset)
                } else {
                    lowest[queueId] = offset
                    order.append(queueId)
                }
            }
        }
        for (queueId, offset) in compare {
            guard let current = lowest[queueId] else { continue }
            lowest[queueId] = current > offset ? Int64.max : current
        }
        let body = QueryCorrectionOffsetBody(correctionOffsets: order.sorted().compactMap { id in lowest[id].map { (id, $0) } })
        return request.makeResponse(code: .success, body: body.encoded())
    }

    /// Java `queryConsumeQueue` (mqadmin queryCq): up to `count` units of a consume queue from `index`, within
    /// one consume-queue file, with the group's subscription when one is named. We keep no consume-queue
    /// extension, so units carry no bit map or extension data and `eval` is false, as in Java without one.
    func queryConsumeQueue(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(QueryConsumeQueueRequestHeader.self)
        let maxOffset = store.getMaxOffsetInQueue(topic: header.topic, queueId: header.queueId)
        // Java answers for the queues its store holds; ours are those with messages or of the topic's config.
        let configured = metadata.withState { state in
            state.topics[header.topic].map { header.queueId >= 0 && header.queueId < max($0.readQueueNums, $0.writeQueueNums) } ?? false
        }
        guard maxOffset > 0 || configured else {
            return request.makeResponse(code: .systemError, remark: "\(header.queueId)@\(header.topic) is not exist!")
        }
        let minOffset = store.getMinOffsetInQueue(topic: header.topic, queueId: header.queueId)
        var body = QueryConsumeQueueResponseBody(maxQueueIndex: maxOffset, minQueueIndex: minOffset)
        if let group = header.consumerGroup {
            let (subscription, filter) = metadata.withState { state in
                (state.clients.consumerGroups[group]?.subscriptionTable[header.topic], state.filters.filter(group: group, topic: header.topic))
            }
            body.subscriptionData = subscription
            if let subscription {
                body.filterData = filter.map { filter in
                    JSONWriter().prettyString(.object([
                        "clientVersion": .number(filter.clientVersion), "consumerGroup": .string(group),
                        "expression": .string(filter.expression), "expressionType": .string(subscription.expressionType),
                        "topic": .string(header.topic),
                    ]))
                } ?? "null"
            } else {
                body.filterData = "\(group)@\(header.topic) is not online!"
            }
        }
        let entries = header.index < minOffset
            ? [] : store.consumeQueueEntries(topic: header.topic, queueId: header.queueId, from: header.index, maxCount: Int(max(0, header.count)))
        guard !entries.isEmpty || (header.count <= 0 && header.index >= minOffset && header.index < maxOffset) else {
            // Java answers this without a body.
            return request.makeResponse(code: .success, remark: "Index \(header.index) of \(header.queueId)@\(header.topic) is not exist!")
        }
        body.queueData = entries.map { ConsumeQueueData(physicOffset: $0.physicalOffset, physicSize: $0.size, tagsCode: $0.tagsCode) }
        return request.makeResponse(code: .success, body: body.encoded())
    }
}
