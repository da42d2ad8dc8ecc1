#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Two-phase messages (Java `TransactionalMessageServiceImpl` + `TransactionalMessageBridge` + the check
/// service). A half message waits in `RMQ_SYS_TRANS_HALF_TOPIC`; END_TRANSACTION commits it to its real
/// topic or rolls it back, and either way an op record (tag `d`, body = the half message's queue offset)
/// goes to `RMQ_SYS_TRANS_OP_HALF_TOPIC`. A periodic check asks a producer of the group about half
/// messages older than `transactionTimeOut` that have no op record, at most `transactionCheckMax` times,
/// then parks them in `TRANS_CHECK_MAX_TIME_TOPIC`. Progress is kept as offsets of the system group
/// `CID_RMQ_SYS_TRANS`, so the check resumes where it was after a restart.
public final class TransactionalMessageService: Sendable {
    /// Java `MixAll.CID_SYS_RMQ_TRANS`.
    public static let checkGroup = "CID_RMQ_SYS_TRANS"
    /// Java `TransactionalMessageUtil.REMOVETAG`.
    static let removeTag = "d"
    /// Java `MAX_PROCESS_TIME_LIMIT`: one queue's check pass stops after this long.
    static let maxProcessMillis: Int64 = 60_000
    /// Java `MAX_RETRY_COUNT_WHEN_HALF_NULL`.
    static let maxRetryWhenHalfNull = 1
    /// Op records read per fill (Java pulls 32).
    static let opBatch = 32

    private let store: LocalFileMessageStore
    private let metadata: BrokerMetadata
    private let storeConfig: MessageStoreConfig
    private let storeHost: MessageHost
    /// UNIQ_KEY of op records, as Java's `MessageClientIDSetter` gives them.
    private let uniqueKeys: NIOLockedValueBox<UniqueKeyGenerator>
    private let logger: Logger

    public init(store: LocalFileMessageStore, metadata: BrokerMetadata, storeConfig: MessageStoreConfig, logger: Logger) {
        self.store = store
        self.metadata = metadata
        self.storeConfig = storeConfig
        self.storeHost = metadata.config.storeHost
        self.uniqueKeys = NIOLockedValueBox(UniqueKeyGenerator(
            ipAddress: storeHost.addressBytes, pid: getpid(), hash: Int32.random(in: .min ... .max)))
        self.logger = logger
    }

    // MARK: END_TRANSACTION

    /// Java `getHalfMessageByOffset` + `checkPrepareMessage`: the half message an END_TRANSACTION names,
    /// or Java's remark for why it cannot be ended.
    func preparedMessage(for header: EndTransactionRequestHeader) -> Result<StoredMessage, TransactionError> {
        guard let half = store.lookMessage(byPhysicalOffset: header.commitLogOffset) else {
            return .failure(TransactionError("Find prepared transaction message failed"))
        }
        if half.properties[MessageConst.producerGroup] != header.producerGroup { return .failure(TransactionError("The producer group wrong")) }
        if half.queueOffset != header.tranStateTableOffset { return .failure(TransactionError("The transaction state table offset wrong")) }
        if half.physicalOffset != header.commitLogOffset { return .failure(TransactionError("The commit log offset wrong")) }
        return .success(half)
    }

    /// Java `endMessageTransaction`: the committed message for the real topic. Its stored properties are the
    /// half message's as they are (REAL_TOPIC, REAL_QID and TRAN_MSG included, as Java stores them).
    static func committed(_ half: StoredMessage, commitLogOffset: Int64) -> BrokerInnerMessage? {
        let properties = half.properties
        guard let topic = properties[MessageConst.realTopic], let queueId = properties[MessageConst.realQueueId].flatMap({ Int32($0) }) else {
            return nil
        }
        var sysFlag = half.sysFlag
        sysFlag.transactionType = .commit
        return BrokerInnerMessage(
            topic: topic, queueId: queueId, body: half.body, rawProperties: half.rawProperties, flag: half.flag, sysFlag: sysFlag,
            bornTimestamp: half.bornTimestamp, bornHost: half.bornHost, storeHost: half.storeHost,
            reconsumeTimes: half.reconsumeTimes, preparedTransactionOffset: commitLogOffset, waitStoreMessageOK: false)
    }

    /// Java `deletePrepareMessage`: the op record saying the half message at its queue offset is done.
    func putOpRemove(for half: StoredMessage) async {
        metadata.createTopicIfAbsent(TopicValidator.transactionOpHalfTopic, queueNums: 1, perm: PermName.readWrite.rawValue)
        let now = metadata.clock()
        var properties = MessageProperties()
        properties[MessageConst.tags] = Self.removeTag
        properties[MessageConst.uniqueClientMessageIdKeyIndex] = uniqueKeys.withLockedValue { $0.next(nowMillis: now) }
        let op = BrokerInnerMessage(
            topic: TopicValidator.transactionOpHalfTopic, queueId: half.queueId, body: ByteBuffer(string: String(half.queueOffset)),
            rawProperties: ByteBuffer(string: properties.encoded), bornTimestamp: now, bornHost: storeHost, storeHost: storeHost,
            waitStoreMessageOK: false)
        let result = await store.putMessage(op)
        if result.status != .putOK {
            logger.error("cannot write a transaction op record", metadata: ["queueOffset": "\(half.queueOffset)", "status": "\(result.status.rawValue)"])
        }
    }

    // MARK: Check-back

    /// One check pass over every half queue (Java `TransactionalMessageServiceImpl.check`).
    public func check(transactionTimeout: Int64, transactionCheckMax: Int) async {
        guard let halfTopic = metadata.withState({ $0.topics[TopicValidator.transactionHalfTopic] }) else { return }
        for queueId in 0..<max(halfTopic.readQueueNums, halfTopic.writeQueueNums) {
            await checkQueue(queueId, transactionTimeout: transactionTimeout, transactionCheckMax: transactionCheckMax)
        }
    }

    private func consumeOffset(topic: String, queueId: Int32) -> Int64 {
        let offset = metadata.withState { $0.offsets.offset(group: Self.checkGroup, topic: topic, queueId: queueId) }
        return offset >= 0 ? offset : store.getMinOffsetInQueue(topic: topic, queueId: queueId)
    }

    private func commitOffset(topic: String, queueId: Int32, _ offset: Int64) {
        metadata.withState { $0.offsets.commit(group: Self.checkGroup, topic: topic, queueId: queueId, offset: offset) }
    }

    /// Op records read so far: half queue offsets already ended (→ their op offsets), and op offsets whose
    /// half message lies below the check's start (done).
    struct OpRecords {
        var removed: [Int64: Int64] = [:]
        var doneOpOffsets: [Int64] = []
        var nextOpOffset: Int64
        var lastBornTimestamp: Int64?
        var exhausted = false
    }

    /// Java `fillOpRemoveMap`: reads up to 32 op records from `records.nextOpOffset`.
    private func fillOpRecords(_ records: inout OpRecords, queueId: Int32, halfOffset: Int64) {
        let entries = store.consumeQueueEntries(
            topic: TopicValidator.transactionOpHalfTopic, queueId: queueId, from: records.nextOpOffset, maxCount: Self.opBatch)
        guard !entries.isEmpty else {
            records.exhausted = true
            return
        }
        records.exhausted = false
        for entry in entries {
            records.nextOpOffset = entry.queueOffset + 1
            guard let op = store.lookMessage(byPhysicalOffset: entry.physicalOffset) else { continue }
            records.lastBornTimestamp = op.bornTimestamp
            guard op.tags == Self.removeTag, let halfQueueOffset = Int64(String(buffer: op.body)) else { continue }
            if halfQueueOffset < halfOffset {
                records.doneOpOffsets.append(entry.queueOffset)
            } else {
                records.removed[halfQueueOffset] = entry.queueOffset
            }
        }
    }

    private func checkQueue(_ queueId: Int32, transactionTimeout: Int64, transactionCheckMax: Int) async {
        let halfTopic = TopicValidator.transactionHalfTopic
        let opTopic = TopicValidator.transactionOpHalfTopic
        let start = metadata.clock()
        let halfOffset = consumeOffset(topic: halfTopic, queueId: queueId)
        let opOffset = consumeOffset(topic: opTopic, queueId: queueId)
        var records = OpRecords(nextOpOffset: opOffset)
        fillOpRecords(&records, queueId: queueId, halfOffset: halfOffset)
        var nullCount = 1
        var newOffset = halfOffset
        var i = halfOffset
        while metadata.clock() - start < Self.maxProcessMillis {
            if let opQueueOffset = records.removed.removeValue(forKey: i) {
                records.doneOpOffsets.append(opQueueOffset)
                i += 1
                newOffset = i
                continue
            }
            guard let entry = store.consumeQueueEntries(topic: halfTopic, queueId: queueId, from: i, maxCount: 1).first,
                  var half = store.lookMessage(byPhysicalOffset: entry.physicalOffset)
            else {
                nullCount += 1
                let minOffset = store.getMinOffsetInQueue(topic: halfTopic, queueId: queueId)
                // Nothing more to read, or a gap after retention: resume from the queue's minimum once.
                if nullCount > Self.maxRetryWhenHalfNull + 1 || i >= store.getMaxOffsetInQueue(topic: halfTopic, queueId: queueId) || i >= minOffset { break }
                i = minOffset
                newOffset = i
                continue
            }
            let now = metadata.clock()
            // needDiscard / needSkip: checked too often, or older than the commit log keeps messages.
            let checkTimes = Int(half.properties[MessageConst.transactionCheckTimes] ?? "") ?? 0
            if checkTimes >= transactionCheckMax || now - half.bornTimestamp > Int64(storeConfig.fileReservedTime) * 3_600_000 {
                await discard(half)
                i += 1
                newOffset = i
                continue
            }
            if half.storeTimestamp >= start { break }
            let age = now - half.bornTimestamp
            var immunity = transactionTimeout
            if let seconds = half.properties[MessageConst.checkImmunityTimeInSeconds].flatMap({ Int64($0) }) {
                immunity = seconds * 1000
                if age < immunity {
                    if await isImmunityHandled(&half, records: &records) {
                        i += 1
                        newOffset = i
                        continue
                    }
                }
            } else if age >= 0 && age < immunity {
                break
            }
            let needCheck = (records.exhausted && age > immunity)
                || (!records.exhausted && (records.lastBornTimestamp ?? start) - start > transactionTimeout)
                || age <= -1
            if needCheck {
                var properties = half.properties
                properties[MessageConst.transactionCheckTimes] = String(checkTimes + 1)
                half.rawProperties = ByteBuffer(string: properties.encoded)
                // A failed put is retried on the next pass rather than spinning here.
                guard let renewed = await putBack(half) else { break }
                sendCheck(renewed)
            } else if !records.exhausted {
                fillOpRecords(&records, queueId: queueId, halfOffset: halfOffset)
                continue
            } else {
                // No op record yet and not old enough for a check: look again next pass.
                break
            }
            i += 1
            newOffset = i
        }
        if newOffset != halfOffset { commitOffset(topic: halfTopic, queueId: queueId, newOffset) }
        // Java `calculateOpOffset`: the op offset advances over the contiguous run of done records.
        var newOpOffset = opOffset
        for done in records.doneOpOffsets.sorted() {
            guard done == newOpOffset else { break }
            newOpOffset += 1
        }
        if newOpOffset != opOffset { commitOffset(topic: opTopic, queueId: queueId, newOpOffset) }
    }

    /// Java `checkPrepareQueueOffset` for a message with a check immunity time: done when its original was
    /// ended, else a marked copy goes back to the half queue to be looked at later.
    private func isImmunityHandled(_ half: inout StoredMessage, records: inout OpRecords) async -> Bool {
        if let prepared = half.properties[MessageConst.transactionPreparedQueueOffset].flatMap({ Int64($0) }) {
            if prepared == -1 { return false }
            if let opQueueOffset = records.removed.removeValue(forKey: prepared) {
                records.doneOpOffsets.append(opQueueOffset)
                return true
            }
            return await putBack(half) != nil
        }
        var properties = half.properties
        properties[MessageConst.transactionPreparedQueueOffset] = String(half.queueOffset)
        half.rawProperties = ByteBuffer(string: properties.encoded)
        return await putBack(half) != nil
    }

    /// Java `putBackHalfMsgQueue`: a copy at the end of the half queue (the original will not be looked at
    /// again); returns the copy as stored.
    private func putBack(_ half: StoredMessage) async -> StoredMessage? {
        var properties = half.properties
        properties[MessageConst.waitStoreMsgOK] = "false"
        let copy = BrokerInnerMessage(
            topic: half.topic, queueId: half.queueId, body: half.body, rawProperties: ByteBuffer(string: properties.encoded),
            flag: half.flag, sysFlag: half.sysFlag, bornTimestamp: half.bornTimestamp, bornHost: half.bornHost,
            storeHost: half.storeHost, reconsumeTimes: half.reconsumeTimes, waitStoreMessageOK: false)
        let result = await store.putMessage(copy)
        guard result.status == .putOK, let append = result.appendResult else {
            logger.error("cannot put a half message back for its check", metadata: ["status": "\(result.status.rawValue)"])
            return nil
        }
        return store.lookMessage(byPhysicalOffset: append.wroteOffset)
    }

    /// Java `resolveDiscardMsg`: a half message nobody resolved is kept in TRANS_CHECK_MAX_TIME_TOPIC.
    private func discard(_ half: StoredMessage) async {
        logger.warning("half message checked too often or too old, discarding it", metadata: [
            "uniqKey": "\(half.properties.uniqueKey ?? "")", "queueOffset": "\(half.queueOffset)"])
        // Java registers this topic as soon as it creates it (`createTopicOfTranCheckMaxTime`).
        let topicsVersion = metadata.topicsVersion
        metadata.createTopicIfAbsent(TopicValidator.transactionCheckMaxTimeTopic, queueNums: 1, perm: PermName.readWrite.rawValue)
        if metadata.topicsVersion != topicsVersion { await metadata.registerTopics() }
        let parked = BrokerInnerMessage(
            topic: TopicValidator.transactionCheckMaxTimeTopic, queueId: 0, body: half.body, rawProperties: half.rawProperties,
            flag: half.flag, sysFlag: half.sysFlag, bornTimestamp: half.bornTimestamp, bornHost: half.bornHost,
            storeHost: half.storeHost, reconsumeTimes: half.reconsumeTimes, waitStoreMessageOK: false)
        _ = await store.putMessage(parked)
    }

    /// Java `sendCheckMessage`: a oneway CHECK_TRANSACTION_STATE to a producer of the group, with the message
    /// as it will be committed (real topic and queue) in the body.
    private func sendCheck(_ half: StoredMessage) {
        let properties = half.properties
        guard let group = properties[MessageConst.producerGroup],
              let connection = metadata.withState({ $0.clients.availableProducerConnection(group: group) })
        else {
            logger.warning("no producer of the group to check a transaction with", metadata: ["group": "\(properties[MessageConst.producerGroup] ?? "")"])
            return
        }
        let uniqueKey = properties.uniqueKey
        let header = CheckTransactionStateRequestHeader(
            tranStateTableOffset: half.queueOffset, commitLogOffset: half.physicalOffset, msgId: uniqueKey,
            transactionId: uniqueKey, offsetMsgId: half.offsetMsgId)
        var message = half
        message.topic = properties[MessageConst.realTopic] ?? half.topic
        message.queueId = properties[MessageConst.realQueueId].flatMap { Int32($0) } ?? half.queueId
        guard let body = try? message.encoded() else { return }
        connection.sendOneway(.request(code: .checkTransactionState, extFields: header.extFields, body: body))
    }
}

/// Why an END_TRANSACTION cannot end its half message (Java's SYSTEM_ERROR remarks).
struct TransactionError: Error {
    let remark: String
    init(_ remark: String) { self.remark = remark }
}
