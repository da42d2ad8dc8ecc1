import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Calls on a group's consumers (Java `Broker2Client` and `callConsumer`): GET_CONSUMER_RUNNING_INFO and
/// CONSUME_MESSAGE_DIRECTLY relayed to one client, INVOKE_BROKER_TO_RESET_OFFSET and
/// INVOKE_BROKER_TO_GET_CONSUMER_STATUS to every member.
extension AdminBrokerProcessor {
    /// Java's timeout of relayed calls (`callClient`).
    static let relayTimeout = TimeAmount.seconds(10)
    /// Java's timeout of GET_CONSUMER_STATUS_FROM_CLIENT.
    static let statusTimeout = TimeAmount.seconds(5)

    /// Java `getConsumerRunningInfo`: the request goes to the client, whose answer is returned.
    func getConsumerRunningInfo(_ request: RemotingCommand) throws -> ProcessorResult {
        let header = try request.decodeHeader(GetConsumerRunningInfoRequestHeader.self)
        return callConsumer(.getConsumerRunningInfo, request, group: header.consumerGroup, clientId: header.clientId)
    }

    /// Java `consumeMessageDirectly`: the message named by `msgId` is read here and sent to the client with the
    /// request's fields plus `brokerName`.
    func consumeMessageDirectly(_ request: RemotingCommand) throws -> ProcessorResult {
        let header = try request.decodeHeader(ConsumeMessageDirectlyResultRequestHeader.self)
        var forwarded = request
        forwarded.extFields?["brokerName"] = brokerName
        if let msgId = header.msgId, let decoded = MessageId.decodeOffsetMsgId(msgId),
           let message = store.selectOneMessage(byPhysicalOffset: decoded.physicalOffset) {
            forwarded.body = message
        }
        return callConsumer(.consumeMessageDirectly, forwarded, group: header.consumerGroup, clientId: header.clientId ?? "")
    }

    /// Java `callConsumer`: the request's fields and body to the client (10 s), its answer as ours.
    func callConsumer(_ code: RequestCode, _ request: RemotingCommand, group: String, clientId: String) -> ProcessorResult {
        let channel = metadata.withState { state in
            state.clients.consumerGroups[group]?.channels.sorted { $0.key < $1.key }.first { $0.value.clientId == clientId }?.value
        }
        guard let channel else {
            return .response(request.makeResponse(code: .systemError, remark: "The Consumer <\(group)> <\(clientId)> not online"))
        }
        guard channel.version >= Self.v3_1_8Snapshot else {
            return .response(request.makeResponse(
                code: .systemError,
                remark: "The Consumer <\(clientId)> Version <\(MQVersion.description(of: channel.version))> too low to finish, please upgrade it to V3_1_8_SNAPSHOT"))
        }
        let relayed = RemotingCommand.request(code: code, extFields: request.extFields, body: request.body)
        let address = channel.connection.remoteAddressText
        let answer = channel.connection.sendRequest(relayed, timeout: Self.relayTimeout).map { answer -> RemotingCommand? in
            request.makeResponse(code: answer.responseCode, remark: answer.remark, extFields: answer.extFields, body: answer.body)
        }.recover { error -> RemotingCommand? in
            if case RemotingError.timeout = error {
                return request.makeResponse(
                    code: .consumeMsgTimeout,
                    remark: "consumer <\(group)> <\(clientId)> Timeout: wait response on the channel <\(address)> timeout, 10000(ms)")
            }
            return request.makeResponse(code: .systemError, remark: "invoke consumer <\(group)> <\(clientId)> Exception: \(error)")
        }
        return .future(answer)
    }

    /// Java `Broker2Client.resetOffset`: each write queue's offset at `timestamp` (-1: the max offset), kept at
    /// the group's committed offset when that is lower unless `isForce`; sent oneway as
    /// RESET_CONSUMER_CLIENT_OFFSET to every member and answered with the table. The client sets its offsets
    /// and commits them; the broker's committed offsets change then. The list form goes out when the caller is
    /// a C++ client, as in Java.
    func resetOffset(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(ResetOffsetRequestHeader.self)
        logger.info("reset offset", metadata: [
            "topic": "\(header.topic)", "group": "\(header.group)", "timestamp": "\(header.timestamp)", "isForce": "\(header.isForce)"])
        guard let config = metadata.withState({ $0.topics[header.topic] }) else {
            return request.makeResponse(
                code: .systemError, remark: "[reset-offset] reset offset failed, no topic in this broker. topic=\(header.topic)")
        }
        let brokerName = self.brokerName
        var table: [(queue: MessageQueue, offset: Int64)] = []
        for queueId in 0..<max(0, config.writeQueueNums) {
            let committed = metadata.withState { $0.offsets.offset(group: header.group, topic: header.topic, queueId: queueId) }
            guard committed != -1 else {
                return request.makeResponse(code: .systemError, remark: "THe consumer group <\(header.group)> not exist")
            }
            var offset = header.timestamp == -1
                ? store.getMaxOffsetInQueue(topic: header.topic, queueId: queueId)
                : store.getOffsetInQueueByTime(topic: header.topic, queueId: queueId, timestamp: header.timestamp)
            if offset < 0 { offset = 0 }
            let queue = MessageQueue(topic: header.topic, brokerName: brokerName, queueId: queueId)
            table.append((queue, header.isForce || offset < committed ? offset : committed))
        }
        let body = ResetOffsetBody(offsetTable: table)
        let clientBody = request.language == .cpp ? JSONWriter().encode(body.jsonForC) : body.encoded()
        let clientHeader = ResetOffsetRequestHeader(topic: header.topic, group: header.group, timestamp: header.timestamp, isForce: false)
        let members = metadata.withState { $0.clients.consumerGroups[header.group]?.channels.sorted { $0.key < $1.key }.map(\.value) ?? [] }
        guard !members.isEmpty else {
            return request.makeResponse(
                code: .consumerNotOnline,
                remark: "Consumer not online, so can not reset offset, Group: \(header.group) Topic: \(header.topic) Timestamp: \(header.timestamp)")
        }
        for member in members {
            guard member.version >= Self.v3_0_7Snapshot else {
                return request.makeResponse(
                    code: .systemError, remark: "the client does not support this feature. version=\(MQVersion.description(of: member.version))")
            }
            member.connection.sendOneway(.request(code: .resetConsumerClientOffset, extFields: clientHeader.extFields, body: clientBody))
            logger.info("reset offset sent", metadata: ["group": "\(header.group)", "clientId": "\(member.clientId)"])
        }
        return request.makeResponse(code: .success, remark: Self.notSetRemark, body: body.encoded())
    }

    /// Java `Broker2Client.getConsumeStatus`: GET_CONSUMER_STATUS_FROM_CLIENT to each member (or the one named by
    /// `clientAddr`, a client id), one after another; the offsets of those that answered, by client id.
    func getConsumerStatus(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        let header = try request.decodeHeader(GetConsumerStatusRequestHeader.self)
        let members = metadata.withState { $0.clients.consumerGroups[header.group]?.channels.sorted { $0.key < $1.key }.map(\.value) ?? [] }
        // Java throws a NullPointerException for a group it never saw; both cases answer this.
        guard !members.isEmpty else {
            return .response(request.makeResponse(code: .systemError, remark: "No Any Consumer online in the consumer group: [\(header.group)]"))
        }
        if let old = members.first(where: { $0.version < Self.v3_0_7Snapshot }) {
            return .response(request.makeResponse(
                code: .systemError, remark: "the client does not support this feature. version=\(MQVersion.description(of: old.version))"))
        }
        let wanted = header.clientAddr.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        let targets = wanted.map { id in members.filter { $0.clientId == id }.prefix(1).map { $0 } } ?? members
        let statusRequest = RemotingCommand.request(
            code: .getConsumerStatusFromClient, extFields: GetConsumerStatusRequestHeader(topic: header.topic, group: header.group).extFields)
        let logger = self.logger
        let promise = context.connection.eventLoop.makePromise(of: RemotingCommand?.self)
        promise.completeWithTask {
            var table: [(clientId: String, offsets: [(queue: MessageQueue, offset: Int64)])] = []
            for member in targets {
                do {
                    let answer = try await member.connection.send(statusRequest, timeout: Self.statusTimeout)
                    if answer.responseCode == .success, answer.body != nil {
                        table.append((member.clientId, try GetConsumerStatusBody(body: answer.body).messageQueueTable))
                    }
                } catch {
                    logger.warning("get consumer status failed", metadata: ["group": "\(header.group)", "clientId": "\(member.clientId)", "error": "\(error)"])
                }
            }
            return request.makeResponse(code: .success, remark: Self.notSetRemark, body: GetConsumerStatusBody(consumerTable: table).encoded())
        }
        return .future(promise.futureResult)
    }
}
