import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// CONSUMER_SEND_MSG_BACK (Java `asyncConsumerSendMsgBack`): a message the consumer could not process goes
/// to `%RETRY%<group>` with a growing delay level (3 + reconsume times unless the client names one), or to
/// `%DLQ%<group>` once `maxReconsumeTimes` is reached or the client asks for it with a negative level.
extension SendMessageProcessor {
    /// Java `DLQ_NUMS_PER_GROUP`.
    static let dlqQueueNums: Int32 = 1

    func sendBack(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        let header = try request.decodeHeader(ConsumerSendMsgBackRequestHeader.self)
        let config = metadata.config
        func fail(_ code: ResponseCode, _ remark: String) -> ProcessorResult {
            .response(request.makeResponse(code: code, remark: remark))
        }
        guard let group = metadata.findSubscriptionGroup(header.group) else {
            return fail(.subscriptionGroupNotExist, "subscription group not exist, \(header.group) " + FAQ.suggestion)
        }
        guard PermName.isWriteable(Int32(config.brokerPermission)) else {
            return fail(.noPermission, "the broker[\(config.brokerIP1)] sending message is forbidden")
        }
        // A group without retry queues drops failed messages.
        guard group.retryQueueNums > 0 else { return .response(request.makeResponse(code: .success)) }

        var topic = MixAll.getRetryTopic(header.group)
        var queueId = Int32.random(in: 0..<group.retryQueueNums)
        let retryTopic = metadata.createTopicIfAbsent(
            topic, queueNums: group.retryQueueNums, perm: PermName.readWrite.rawValue, topicSysFlag: header.unitMode ? 0x2 : 0)
        guard PermName.isWriteable(retryTopic.perm) else {
            return fail(.noPermission, "the topic[\(topic)] sending message is forbidden")
        }
        guard let original = store.lookMessage(byPhysicalOffset: header.offset) else {
            return fail(.systemError, "look message by offset failed, \(header.offset)")
        }
        var properties = original.properties
        if properties[MessageConst.retryTopic] == nil { properties[MessageConst.retryTopic] = original.topic }
        properties[MessageConst.waitStoreMsgOK] = "false"
        var maxReconsumeTimes = group.retryMaxTimes
        if request.version >= MQVersion.v3_4_9, let fromClient = header.maxReconsumeTimes { maxReconsumeTimes = fromClient }
        var delayLevel = header.delayLevel
        if original.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0 {
            topic = MixAll.getDLQTopic(header.group)
            queueId = Int32.random(in: 0..<Self.dlqQueueNums)
            metadata.createTopicIfAbsent(topic, queueNums: Self.dlqQueueNums, perm: PermName.readWrite.rawValue)
            delayLevel = 0
        } else if delayLevel == 0 {
            delayLevel = 3 + original.reconsumeTimes
        }
        properties[MessageConst.delayTimeLevel] = String(delayLevel)
        if properties[MessageConst.originMessageId]?.isEmpty ?? true {
            properties[MessageConst.originMessageId] = original.offsetMsgId
        }
        let message = BrokerInnerMessage(
            topic: topic, queueId: queueId, body: original.body, properties: properties, flag: original.flag,
            sysFlag: original.sysFlag, bornTimestamp: original.bornTimestamp, bornHost: original.bornHost,
            storeHost: original.storeHost, reconsumeTimes: original.reconsumeTimes + 1)
        let promise = context.connection.eventLoop.makePromise(of: PutMessageResult.self)
        store.putMessage(message, promise: promise)
        return .future(promise.futureResult.map { result in
            // Only PUT_OK counts here, as in Java: a flush or replication timeout is reported.
            result.status == .putOK
                ? request.makeResponse(code: .success)
                : request.makeResponse(code: .systemError, remark: result.status.rawValue)
        })
    }
}
