import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// SEND_REPLY_MESSAGE(_V2) (Java `ReplyMessageProcessor`): the reply of a request-reply call is pushed
/// to the requesting producer (named by REPLY_TO_CLIENT) as PUSH_REPLY_MESSAGE_TO_CLIENT, and stored
/// in the reply topic when `storeReplyMessageEnable`. The answer's code says whether the push worked.
extension SendMessageProcessor {
    /// Java's `Broker2Client.callClient` timeout.
    static let pushReplyTimeout = TimeAmount.seconds(10)

    func reply(_ request: RemotingCommand, header: SendMessageRequestHeader, context: RequestContext) -> ProcessorResult {
        var header = header
        let topicConfig: TopicConfig
        switch check(&header, request: request, context: context) {
        case .failure(let error): return .response(error.response)
        case .success(let checked): topicConfig = checked
        }
        var sysFlag = MessageSysFlag(rawValue: header.sysFlag)
        if topicConfig.topicFilterType == .multiTag { sysFlag.insert(.multiTags) }
        let bornHost = Self.bornHost(context)
        let properties = MessageProperties(decoding: header.properties ?? "")
        let body = request.body ?? ByteBuffer()
        let config = metadata.config
        let queueId = header.queueId
        let delay = properties[MessageConst.delayTimeLevel].flatMap { Int32($0) } ?? 0
        let message = BrokerInnerMessage(
            topic: header.topic, queueId: header.queueId, body: body, rawProperties: ByteBuffer(string: properties.encoded),
            flag: header.flag, sysFlag: sysFlag, bornTimestamp: header.bornTimestamp, bornHost: bornHost,
            storeHost: storeHost, reconsumeTimes: header.reconsumeTimes ?? 0, delayTimeLevel: delay,
            waitStoreMessageOK: properties[MessageConst.waitStoreMsgOK].map { $0 != "false" } ?? true)
        let push = ReplyMessageRequestHeader(
            producerGroup: header.producerGroup, topic: header.topic, defaultTopic: header.defaultTopic,
            defaultTopicQueueNums: header.defaultTopicQueueNums, queueId: header.queueId, sysFlag: header.sysFlag,
            bornTimestamp: header.bornTimestamp, flag: header.flag, properties: header.properties,
            reconsumeTimes: header.reconsumeTimes, unitMode: header.unitMode,
            bornHost: "\(bornHost.addressString):\(bornHost.port)", storeHost: "\(storeHost.addressString):\(storeHost.port)",
            storeTimestamp: metadata.clock())
        let promise = context.connection.eventLoop.makePromise(of: RemotingCommand?.self)
        promise.completeWithTask {
            let pushError = await self.pushReply(push, properties: properties, body: body)
            var fields = ExtFields()
            if pushError == nil {
                fields = SendMessageResponseHeader(msgId: "0", queueId: queueId, queueOffset: 0).extFields
            }
            if config.storeReplyMessageEnable {
                let result = await self.store.putMessage(message)
                if result.isStored, let append = result.appendResult {
                    fields = SendMessageResponseHeader(msgId: append.msgId, queueId: queueId, queueOffset: append.queueOffset).extFields
                }
            }
            fields.append("MSG_REGION", config.regionId)
            fields.append("TRACE_ON", config.traceOn ? "true" : "false")
            return request.makeResponse(code: pushError == nil ? .success : .systemError, remark: pushError, extFields: fields)
        }
        return .future(promise.futureResult)
    }

    /// Pushes the reply to the requester; nil when it accepted it, else Java's remark.
    private func pushReply(_ header: ReplyMessageRequestHeader, properties: MessageProperties, body: ByteBuffer) async -> String? {
        guard let senderId = properties[MessageConst.replyToClient] else {
            return "reply message properties[\(MessageConst.replyToClient)] is null"
        }
        guard let connection = metadata.withState({ $0.clients.findProducerConnection(clientId: senderId) }) else {
            logger.warning("no channel for the requester of a reply", metadata: ["clientId": "\(senderId)"])
            return "push reply message fail, channel of <\(senderId)> not found."
        }
        var header = header
        var pushed = properties
        pushed[MessageConst.pushReplyTime] = String(metadata.clock())
        header.properties = pushed.encoded
        do {
            let response = try await connection.send(
                .request(code: .pushReplyMessageToClient, extFields: header.extFields, body: body), timeout: Self.pushReplyTimeout)
            guard response.responseCode == .success else {
                logger.warning("the requester refused a reply", metadata: ["clientId": "\(senderId)", "remark": "\(response.remark ?? "")"])
                return "push reply message to \(senderId)fail."
            }
            return nil
        } catch {
            logger.warning("cannot push a reply", metadata: ["clientId": "\(senderId)", "error": "\(error)"])
            return "push reply message to \(senderId)fail."
        }
    }
}
