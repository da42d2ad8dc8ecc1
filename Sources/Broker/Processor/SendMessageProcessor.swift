import Logging
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (Java `SendMessageProcessor`): checks the
/// request as Java's `msgCheck` does, auto-creates the topic, redirects exhausted retries to the
/// dead-letter topic, stores through the message store and maps its status to a response (§3.3.1).
public final class SendMessageProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [
        .sendMessage, .sendMessageV2, .sendBatchMessage, .sendReplyMessage, .sendReplyMessageV2, .consumerSendMsgBack,
    ]

    let metadata: BrokerMetadata
    let store: LocalFileMessageStore
    let storeHost: MessageHost
    let logger: Logger

    public init(metadata: BrokerMetadata, store: LocalFileMessageStore, logger: Logger = Logger(label: "rocketmq.broker")) {
        self.metadata = metadata
        self.store = store
        self.storeHost = metadata.config.storeHost
        self.logger = logger
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        // Java `rejectRequest`: the page cache is stalling appends, so producers are told to back off.
        if store.isOSPageCacheBusy {
            return .response(request.makeResponse(code: .systemBusy, remark: "[REJECTREQUEST]system busy, start flow control for a while"))
        }
        let topicsVersion = metadata.topicsVersion
        let result = try send(request, context: context)
        return metadata.answeringAfterRegistration(since: topicsVersion, on: context.connection.eventLoop, result)
    }

    private func send(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        if request.requestCode == .consumerSendMsgBack { return try sendBack(request, context: context) }
        var header = try SendMessageRequestHeader(command: request)
        let (startAccept, cluster, region, traceOn) = metadata.withConfig {
            ($0.startAcceptSendRequestTimeStamp, $0.brokerClusterName, $0.regionId, $0.traceOn)
        }
        if startAccept > metadata.clock() {
            return .response(request.makeResponse(code: .systemError, remark: "broker unable to service, until \(startAccept)"))
        }
        if request.requestCode == .sendReplyMessage || request.requestCode == .sendReplyMessageV2 {
            return reply(request, header: header, context: context)
        }
        let topicConfig: TopicConfig
        switch check(&header, request: request, context: context) {
        case .failure(let error): return .response(error.response)
        case .success(let checked): topicConfig = checked
        }
        let bornHost = Self.bornHost(context)
        var sysFlag = MessageSysFlag(rawValue: header.sysFlag)
        if topicConfig.topicFilterType == .multiTag { sysFlag.insert(.multiTags) }
        // The answer names the queue the producer chose, also for a half message parked in queue 0.
        let queueId = header.queueId
        // Made only when the store has to wait (a group commit, a slave): the common put answers at once.
        var pending: EventLoopFuture<PutMessageResult>?
        func deferred() -> @Sendable (PutMessageResult) -> Void {
            let promise = context.connection.eventLoop.makePromise(of: PutMessageResult.self)
            pending = promise.futureResult
            return { promise.succeed($0) }
        }
        let answered: PutMessageResult?
        if header.batch {
            guard let body = request.body else { return .response(request.makeResponse(code: .messageIllegal, remark: "the batch body is empty")) }
            guard header.topic.utf8.count <= TopicValidator.topicMaxLength else {
                return .response(request.makeResponse(code: .messageIllegal, remark: "message topic length too long \(header.topic.utf8.count)"))
            }
            var batchProperties = MessageProperties(decoding: header.properties ?? "")
            let wait = batchProperties[MessageConst.waitStoreMsgOK].map { $0 != "false" } ?? true
            batchProperties[MessageConst.cluster] = cluster
            var raw = ByteBuffer()
            batchProperties.write(to: &raw)
            answered = store.putMessages(BrokerInnerBatch(
                topic: header.topic, queueId: header.queueId, body: body, batchProperties: raw, sysFlag: sysFlag,
                bornTimestamp: header.bornTimestamp, bornHost: bornHost, storeHost: storeHost,
                reconsumeTimes: header.reconsumeTimes ?? 0,
                delayTimeLevel: batchProperties[MessageConst.delayTimeLevel].flatMap { Int32($0) } ?? 0,
                waitStoreMessageOK: wait), deferred: deferred)
        } else {
            let stored: StoredProperties
            if let plain = StoredProperties(header.properties ?? "", cluster: cluster) {
                stored = plain
            } else {
                switch generalStoredProperties(&header, sysFlag: &sysFlag, request: request) {
                case .failure(let error): return .response(error.response)
                case .success(let redirected): stored = redirected
                }
            }
            answered = store.putMessage(BrokerInnerMessage(
                topic: header.topic, queueId: header.queueId, body: request.body ?? ByteBuffer(), rawProperties: stored.raw,
                flag: header.flag, sysFlag: sysFlag, bornTimestamp: header.bornTimestamp, bornHost: bornHost,
                storeHost: storeHost, reconsumeTimes: header.reconsumeTimes ?? 0, delayTimeLevel: stored.delayTimeLevel,
                waitStoreMessageOK: stored.waitStoreMessageOK), deferred: deferred)
        }
        if let answered {
            return .response(Self.response(to: request, result: answered, queueId: queueId, regionId: region, traceOn: traceOn))
        }
        guard let pending else { preconditionFailure("a put is answered or deferred") }
        return .future(pending.map { result in
            Self.response(to: request, result: result, queueId: queueId, regionId: region, traceOn: traceOn)
        })
    }

    /// The general path of a single message's properties: a half message goes to the half topic, one with a
    /// delivery time to the timer topic (header and sysFlag changed accordingly); WAIT dropped, CLUSTER added.
    private func generalStoredProperties(_ header: inout SendMessageRequestHeader, sysFlag: inout MessageSysFlag, request: RemotingCommand)
        -> Result<StoredProperties, ResponseError>
    {
        let config = metadata.config
        var properties = MessageProperties(decoding: header.properties ?? "")
        if properties[MessageConst.transactionPrepared] == "true" {
            if config.rejectTransactionMessage {
                return .failure(ResponseError(request.makeResponse(
                    code: .noPermission, remark: "the broker[\(config.brokerIP1)] sending transaction message is forbidden")))
            }
            // A half message waits in the half topic until END_TRANSACTION (§5.8).
            properties[MessageConst.realTopic] = header.topic
            properties[MessageConst.realQueueId] = String(header.queueId)
            sysFlag.transactionType = .notType
            header.topic = TopicValidator.transactionHalfTopic
            header.queueId = 0
            metadata.createTopicIfAbsent(header.topic, queueNums: 1, perm: PermName.readWrite.rawValue)
        }
        var delay = properties[MessageConst.delayTimeLevel].flatMap { Int32($0) } ?? 0
        if sysFlag.transactionType == .notType || sysFlag.transactionType == .commit,
           TimerMessageService.deliveryTime(properties, now: metadata.clock()) != nil {
            // A delivery time wins over a delay level: parked in the timer topic until then.
            properties[MessageConst.realTopic] = header.topic
            properties[MessageConst.realQueueId] = String(header.queueId)
            header.topic = TimerMessageService.topic
            header.queueId = 0
            delay = 0
            metadata.createTopicIfAbsent(header.topic, queueNums: 1, perm: PermName.readWrite.rawValue)
        }
        let wait = properties[MessageConst.waitStoreMsgOK].map { $0 != "false" } ?? true
        // WAIT only steers this put; Java stores the properties without it and with CLUSTER.
        properties[MessageConst.waitStoreMsgOK] = nil
        properties[MessageConst.cluster] = config.brokerClusterName
        var raw = ByteBuffer()
        properties.write(to: &raw)
        return .success(StoredProperties(raw: raw, waitStoreMessageOK: wait, delayTimeLevel: delay))
    }

    /// Java `msgCheck` plus the queue choice and the retry/DLQ redirect; a failure is the response.
    func check(_ header: inout SendMessageRequestHeader, request: RemotingCommand, context: RequestContext)
        -> Result<TopicConfig, ResponseError>
    {
        if let violation = TopicValidator.validate(header.topic) {
            return .failure(ResponseError(request.makeResponse(code: .systemError, remark: violation.remark)))
        }
        if TopicValidator.isNotAllowedSendTopic(header.topic) {
            return .failure(ResponseError(request.makeResponse(code: .noPermission, remark: TopicValidator.notAllowedSendRemark(header.topic))))
        }
        let isRetry = MixAll.isRetryTopic(header.topic)
        var topicConfig = metadata.withState { $0.topics[header.topic] }
        if topicConfig == nil {
            let sysFlag: Int32 = header.unitMode ? (isRetry ? 0x2 : 0x1) : 0
            topicConfig = metadata.createTopicForSend(
                header.topic, defaultTopic: header.defaultTopic, clientDefaultTopicQueueNums: header.defaultTopicQueueNums,
                topicSysFlag: sysFlag)
            if topicConfig == nil && isRetry {
                topicConfig = metadata.createTopicIfAbsent(header.topic, queueNums: 1, perm: PermName.readWrite.rawValue, topicSysFlag: sysFlag)
            }
        }
        guard var topicConfig else {
            return .failure(ResponseError(request.makeResponse(
                code: .topicNotExist,
                remark: "topic[\(header.topic)] not exist, apply first please!" + FAQ.suggestion)))
        }
        guard PermName.isWriteable(Int32(metadata.withConfig { $0.brokerPermission })), PermName.isWriteable(topicConfig.perm) else {
            return .failure(ResponseError(request.makeResponse(
                code: .noPermission, remark: "the topic[\(header.topic)] sending message is forbidden")))
        }
        let queueLimit = max(topicConfig.writeQueueNums, topicConfig.readQueueNums)
        if header.queueId >= queueLimit {
            return .failure(ResponseError(request.makeResponse(
                code: .systemError,
                remark: "request queueId[\(header.queueId)] is illegal, \(topicConfig.javaDescription) Producer: \(context.connection.remoteAddressText)")))
        }
        if header.queueId < 0 { header.queueId = Int32.random(in: 0..<max(1, topicConfig.writeQueueNums)) }
        if isRetry {
            let group = String(header.topic.dropFirst(MixAll.retryGroupTopicPrefix.count))
            guard let groupConfig = metadata.findSubscriptionGroup(group) else {
                return .failure(ResponseError(request.makeResponse(
                    code: .subscriptionGroupNotExist,
                    remark: "subscription group not exist, \(group) " + FAQ.suggestion)))
            }
            var maxReconsumeTimes = groupConfig.retryMaxTimes
            if request.version > MQVersion.v3_4_9, let fromClient = header.maxReconsumeTimes { maxReconsumeTimes = fromClient }
            if (header.reconsumeTimes ?? 0) >= maxReconsumeTimes {
                header.topic = MixAll.getDLQTopic(group)
                topicConfig = metadata.createTopicIfAbsent(header.topic, queueNums: 1, perm: PermName.readWrite.rawValue)
                header.queueId = 0
                var properties = MessageProperties(decoding: header.properties ?? "")
                properties[MessageConst.delayTimeLevel] = nil
                header.properties = properties.encoded
            }
        }
        return .success(topicConfig)
    }

    /// Maps the store's status to Java's code and remark (§3.3.1 table).
    static func response(to request: RemotingCommand, result: PutMessageResult, queueId: Int32, regionId: String, traceOn: Bool)
        -> RemotingCommand
    {
        let code: ResponseCode
        var remark: String?
        switch result.status {
        case .putOK: code = .success
        case .flushDiskTimeout: code = .flushDiskTimeout
        case .flushSlaveTimeout: code = .flushSlaveTimeout
        case .slaveNotAvailable: code = .slaveNotAvailable
        case .createMappedFileFailed:
            code = .systemError
            remark = "create mapped file failed, server is busy or broken."
        case .messageIllegal, .propertiesSizeExceeded:
            code = .messageIllegal
            remark = "the message is illegal, maybe msg body or properties length not matched. msg body length limit 128k, msg properties length limit 32k."
        case .serviceNotAvailable:
            code = .serviceNotAvailable
            remark = "service not available now. It may be caused by one of the following reasons: the broker's disk is full [\(result.status.rawValue)], messages are put to the slave, message store has been shut down, etc."
        case .osPageCacheBusy:
            code = .systemError
            remark = "[PC_SYNCHRONIZED]broker busy, start flow control for a while"
        case .unknownError, .lmqConsumeQueueNumExceeded:
            code = .systemError
            remark = "UNKNOWN_ERROR"
        }
        guard result.status.isStored, let append = result.appendResult else {
            return request.makeResponse(code: code, remark: remark)
        }
        let header = SendMessageResponseHeader(
            msgId: append.msgId, queueId: queueId, queueOffset: append.queueOffset, msgRegion: regionId, traceOn: traceOn ? "true" : "false")
        return request.makeResponse(code: code, remark: remark, extFields: header.extFields)
    }
}

extension SendMessageProcessor {
    /// BORNHOST: the producer's address as this connection sees it.
    static func bornHost(_ context: RequestContext) -> MessageHost {
        context.remoteAddress.flatMap(MessageHost.init(peer:))?.normalized ?? MessageHost(ipv4: 0, 0, 0, 0, port: 0)
    }
}

/// A response carried as a failure through a check.
struct ResponseError: Error {
    let response: RemotingCommand
    init(_ response: RemotingCommand) { self.response = response }
}

extension TopicConfig {
    /// Java `TopicConfig.toString`, which some remarks embed.
    var javaDescription: String {
        "TopicConfig [topicName=\(topicName), readQueueNums=\(readQueueNums), writeQueueNums=\(writeQueueNums), "
            + "perm=\(PermName(rawValue: perm)), topicFilterType=\(topicFilterType.rawValue), topicSysFlag=\(topicSysFlag), order=\(order)]"
    }
}

extension MessageHost {
    /// The peer of a connection, as BORNHOST records it.
    init?(peer: SocketAddress) {
        guard let port = peer.port else { return nil }
        // Straight from the socket address: formatting and re-parsing it cost more than the store append.
        switch peer {
        case .v4(let v4):
            let raw = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            self.init(ipv4: UInt8(truncatingIfNeeded: raw >> 24), UInt8(truncatingIfNeeded: raw >> 16),
                      UInt8(truncatingIfNeeded: raw >> 8), UInt8(truncatingIfNeeded: raw), port: Int32(port))
        case .v6(let v6):
            var address = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            self.init(addressBytes: bytes, port: Int32(port))
        default:
            return nil
        }
    }
}
