import Logging
import MessageStore
import NIOConcurrencyHelpers
import RemotingCodec
import RocketMQModel

/// Delivers delayed messages (Java `ScheduleMessageService`): a message sent with delay level L waits in
/// `SCHEDULE_TOPIC_XXXX` queue L − 1, whose consume-queue tag code is its delivery time; when that time
/// comes it is written again to its real topic and queue (REAL_TOPIC / REAL_QID). The next offset to
/// deliver per level is kept in `delayOffset.json`, so delivery resumes after a restart.
public final class ScheduleMessageService: Sendable {
    /// Java `DELAY_FOR_A_WHILE`: how long an idle level waits before looking again.
    static let idleDelayMillis: Int64 = 100
    /// Java `DELAY_FOR_A_PERIOD`: the wait after a failed re-put.
    static let failedPutDelayMillis: Int64 = 10_000
    /// Java `FIRST_DELAY_TIME`.
    static let firstDelayMillis: Int64 = 1000
    /// Units read per pass (at most one consume-queue file's worth in Java).
    static let batchSize = 256

    private let store: LocalFileMessageStore
    /// level → delay (ms).
    let delayLevels: [Int32: Int64]
    private let offsets: NIOLockedValueBox<[Int32: Int64]>
    private let clock: @Sendable () -> Int64
    private let logger: Logger

    public init(
        store: LocalFileMessageStore, delayLevels: [Int32: Int64], offsets: DelayOffsetSerializeWrapper?,
        clock: @escaping @Sendable () -> Int64 = SystemClock.currentTimeMillis, logger: Logger
    ) {
        self.store = store
        self.delayLevels = delayLevels
        self.clock = clock
        self.logger = logger
        var table: [Int32: Int64] = [:]
        for entry in offsets?.offsetTable ?? [] where delayLevels[entry.level] != nil { table[entry.level] = entry.offset }
        self.offsets = NIOLockedValueBox(table)
    }

    /// What `delayOffset.json` holds (GET_ALL_DELAY_OFFSET answers the same).
    public var offsetTable: DelayOffsetSerializeWrapper {
        DelayOffsetSerializeWrapper(offsetTable: offsets.withLockedValue { $0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// A slave takes its master's offsets (Java writes them to `delayOffset.json`), so that it delivers from
    /// there once it becomes a master.
    public func replaceOffsets(_ wrapper: DelayOffsetSerializeWrapper) {
        var table: [Int32: Int64] = [:]
        for entry in wrapper.offsetTable where delayLevels[entry.level] != nil { table[entry.level] = entry.offset }
        offsets.withLockedValue { $0 = table }
    }

    public func offset(level: Int32) -> Int64 { offsets.withLockedValue { $0[level] ?? 0 } }

    /// Delivers due messages until the task is cancelled; each level is looked at again when its next
    /// message is due, 100 ms after it was found empty, or 10 s after a failed put.
    public func run() async {
        var nextCheck: [Int32: Int64] = [:]
        let start = clock() + Self.firstDelayMillis
        for level in delayLevels.keys { nextCheck[level] = start }
        while !Task.isCancelled {
            let now = clock()
            for level in delayLevels.keys.sorted() where nextCheck[level, default: 0] <= now {
                nextCheck[level] = clock() + (await deliverDue(level: level))
            }
            let wait = max(1, (nextCheck.values.min() ?? now + Self.idleDelayMillis) - clock())
            do { try await Task.sleep(for: .milliseconds(wait)) } catch { return }
        }
    }

    /// Java `DeliverDelayedMessageTimerTask.executeOnTimeup`: re-puts the level's due messages in order and
    /// returns how long to wait before looking at the level again.
    func deliverDue(level: Int32) async -> Int64 {
        guard let delay = delayLevels[level] else { return Self.idleDelayMillis }
        let queueId = level - 1
        var offset = self.offset(level: level)
        let minOffset = store.getMinOffsetInQueue(topic: TopicValidator.scheduleTopic, queueId: queueId)
        if offset < minOffset {
            logger.error("delay offset below the queue's minimum, skipping ahead", metadata: ["level": "\(level)", "offset": "\(offset)", "min": "\(minOffset)"])
            offset = minOffset
            setOffset(level: level, offset)
        }
        while !Task.isCancelled {
            let entries = store.consumeQueueEntries(topic: TopicValidator.scheduleTopic, queueId: queueId, from: offset, maxCount: Self.batchSize)
            guard !entries.isEmpty else { return Self.idleDelayMillis }
            for entry in entries {
                let now = clock()
                // A delivery time further away than the level's delay (clock moved back) is due now.
                let deliverAt = entry.tagsCode > now + delay ? now : entry.tagsCode
                if deliverAt > now {
                    setOffset(level: level, entry.queueOffset)
                    return deliverAt - now
                }
                // Blank units pad a queue whose first file starts above offset 0: nothing to deliver.
                if entry.size > 0, entry.size < Int32.max,
                   let message = store.lookMessage(byPhysicalOffset: entry.physicalOffset), let due = Self.timeUp(message) {
                    let result = await store.putMessage(due)
                    guard result.status == .putOK else {
                        logger.error("cannot deliver a delayed message, retrying", metadata: [
                            "topic": "\(due.topic)", "status": "\(result.status.rawValue)", "level": "\(level)"])
                        setOffset(level: level, entry.queueOffset)
                        return Self.failedPutDelayMillis
                    }
                }
                offset = entry.queueOffset + 1
                setOffset(level: level, offset)
            }
        }
        return Self.idleDelayMillis
    }

    /// Java `messageTimeup`: the message for its real topic and queue. The stored properties keep DELAY,
    /// REAL_TOPIC and REAL_QID as Java's do; the store is told not to delay it again.
    static func timeUp(_ message: StoredMessage) -> BrokerInnerMessage? {
        let properties = message.properties
        guard let topic = properties[MessageConst.realTopic], let queueId = properties[MessageConst.realQueueId].flatMap({ Int32($0) }),
              topic != TopicValidator.transactionHalfTopic
        else { return nil }
        return BrokerInnerMessage(
            topic: topic, queueId: queueId, body: message.body, rawProperties: message.rawProperties, flag: message.flag,
            sysFlag: message.sysFlag, bornTimestamp: message.bornTimestamp, bornHost: message.bornHost,
            storeHost: message.storeHost, reconsumeTimes: message.reconsumeTimes, delayTimeLevel: 0, waitStoreMessageOK: false)
    }

    private func setOffset(level: Int32, _ offset: Int64) {
        offsets.withLockedValue { $0[level] = offset }
    }
}
