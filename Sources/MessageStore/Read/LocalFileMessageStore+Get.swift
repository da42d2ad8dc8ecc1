import NIOCore
import RocketMQModel

extension LocalFileMessageStore {
    /// Reads up to `maxMsgNums` messages of a queue from queue offset `offset` (Java `getMessage`), filtered by
    /// `filter`, within Java's per-pull byte and count limits (in memory: `maxTransferBytesOnMessageInMemory` /
    /// `maxTransferCountOnMessageInMemory`; messages further behind the log end than `accessMessageInMemoryMaxRatio`
    /// of RAM: the `…InDisk` limits). The first message is always returned whatever its size. At most
    /// `max(16000, maxMsgNums × 20)` bytes of units, all from one consume-queue file, are scanned per call.
    public func getMessage(
        group: String, topic: String, queueId: Int32, offset: Int64, maxMsgNums: Int,
        filter: some MessageFilter = TagsCodeFilter.all
    ) -> GetMessageResult {
        guard let queue = self.consumeQueues.find(topic: topic, queueId: queueId) else {
            // Java creates the queue on the spot, so an unknown queue reads as an empty one; a queue that could
            // never exist is reported as such.
            let possible = queueId >= 0 && TopicValidator.isValid(topic)
            return GetMessageResult(
                status: possible ? .noMessageInQueue : .noMatchedLogicQueue,
                nextBeginOffset: self.nextOffsetCorrection(offset, 0), minOffset: 0, maxOffset: 0)
        }
        let minOffset = queue.minOffsetInQueue
        let maxOffset = queue.maxOffsetInQueue
        var result = GetMessageResult(status: .noMessageInQueue, nextBeginOffset: offset, minOffset: minOffset, maxOffset: maxOffset)
        if maxOffset == 0 {
            result.status = .noMessageInQueue
            result.nextBeginOffset = self.nextOffsetCorrection(offset, 0)
        } else if offset < minOffset {
            result.status = .offsetTooSmall
            result.nextBeginOffset = self.nextOffsetCorrection(offset, minOffset)
        } else if offset == maxOffset {
            result.status = .offsetOverflowOne
            result.nextBeginOffset = self.nextOffsetCorrection(offset, offset)
        } else if offset > maxOffset {
            result.status = .offsetOverflowBadly
            result.nextBeginOffset = self.nextOffsetCorrection(offset, maxOffset)
        } else if let units = queue.units(from: offset) {
            self.read(units, maxMsgNums: maxMsgNums, filter: filter, into: &result)
        } else {
            result.status = .offsetFoundNull
            result.nextBeginOffset = self.nextOffsetCorrection(offset, queue.rollNextFile(offset))
        }
        return result
    }

    private func read(_ units: ConsumeQueueUnits, maxMsgNums: Int, filter: some MessageFilter, into result: inout GetMessageResult) {
        result.status = .noMatchedMessage
        let maxOffsetPy = self.commitLog.maxOffset
        let memory = Int64(Double(SystemClock.totalPhysicalMemory) * Double(self.config.accessMessageInMemoryMaxRatio) / 100.0)
        let maxFilterUnits = max(16000, maxMsgNums * ConsumeQueue.unitSize) / ConsumeQueue.unitSize
        var nextPhyFileStartOffset = Int64.min
        var maxPhyOffsetPulling: Int64 = 0
        // Java's `for (i = 0; …; i += 20)`: `continue` moves on, `break` leaves the unit unread.
        var index = 0
        scan: while index < units.count && index < maxFilterUnits {
            guard let unit = units.unit(index) else { break }
            maxPhyOffsetPulling = unit.physicalOffset
            if nextPhyFileStartOffset != Int64.min && unit.physicalOffset < nextPhyFileStartOffset {
                index += 1
                continue scan
            }
            let isInDisk = maxOffsetPy - unit.physicalOffset > memory
            if self.isTheBatchFull(
                sizePy: Int(unit.size), maxMsgNums: maxMsgNums, bufferTotal: result.bufferTotalSize,
                messageTotal: result.messageCount, isInDisk: isInDisk)
            {
                break scan
            }
            index += 1
            guard filter.isMatchedByConsumeQueue(tagsCode: unit.tagsCode) else {
                if result.bufferTotalSize == 0 { result.status = .noMatchedMessage }
                continue scan
            }
            let copied = self.commitLog.withBytes(at: unit.physicalOffset, size: Int(unit.size)) { entry -> Bool in
                guard filter.isMatchedByCommitLog(entry) else { return false }
                result.body.writeBytes(entry)
                return true
            }
            switch copied {
            case .none:
                if result.bufferTotalSize == 0 { result.status = .messageWasRemoving }
                nextPhyFileStartOffset = self.commitLog.rollNextFile(unit.physicalOffset)
            case .some(false):
                if result.bufferTotalSize == 0 { result.status = .noMatchedMessage }
            case .some(true):
                result.messageQueueOffsets.append(units.startIndex + Int64(index - 1))
                result.messagePhysicalOffsets.append(unit.physicalOffset)
                result.messageSizes.append(unit.size)
                result.status = .found
                nextPhyFileStartOffset = Int64.min
            }
        }
        result.nextBeginOffset = units.startIndex + Int64(index)
        result.suggestPullingFromSlave = maxOffsetPy - maxPhyOffsetPulling > memory
    }

    /// Java `isTheBatchFull`.
    private func isTheBatchFull(sizePy: Int, maxMsgNums: Int, bufferTotal: Int, messageTotal: Int, isInDisk: Bool) -> Bool {
        if bufferTotal == 0 || messageTotal == 0 { return false }
        if maxMsgNums <= messageTotal { return true }
        if isInDisk {
            if bufferTotal + sizePy > self.config.maxTransferBytesOnMessageInDisk { return true }
            if messageTotal > self.config.maxTransferCountOnMessageInDisk - 1 { return true }
        } else {
            if bufferTotal + sizePy > self.config.maxTransferBytesOnMessageInMemory { return true }
            if messageTotal > self.config.maxTransferCountOnMessageInMemory - 1 { return true }
        }
        return false
    }

    /// Java `nextOffsetCorrection`: a slave keeps the consumer's offset unless `offsetCheckInSlave`.
    private func nextOffsetCorrection(_ oldOffset: Int64, _ newOffset: Int64) -> Int64 {
        self.brokerRole != .slave || self.config.offsetCheckInSlave ? newOffset : oldOffset
    }

    // MARK: Queue offsets

    /// Next queue offset to be written (Java `getMaxOffsetInQueue`); 0 for an unknown queue.
    public func getMaxOffsetInQueue(topic: String, queueId: Int32) -> Int64 {
        self.consumeQueues.find(topic: topic, queueId: queueId)?.maxOffsetInQueue ?? 0
    }

    /// First queue offset held (Java `getMinOffsetInQueue`); 0 for an unknown queue (Java creates it empty).
    public func getMinOffsetInQueue(topic: String, queueId: Int32) -> Int64 {
        self.consumeQueues.find(topic: topic, queueId: queueId)?.minOffsetInQueue ?? 0
    }

    /// Commit-log offset of the message at a queue offset (Java `getCommitLogOffsetInQueue`), 0 if none.
    public func getCommitLogOffsetInQueue(topic: String, queueId: Int32, consumeQueueOffset: Int64) -> Int64 {
        self.consumeQueues.find(topic: topic, queueId: queueId)?.unit(at: consumeQueueOffset)?.physicalOffset ?? 0
    }

    /// STORETIMESTAMP of the message at a queue offset (Java `getMessageStoreTimeStamp`), -1 if none.
    public func getMessageStoreTimestamp(topic: String, queueId: Int32, consumeQueueOffset: Int64) -> Int64 {
        guard let unit = self.consumeQueues.find(topic: topic, queueId: queueId)?.unit(at: consumeQueueOffset) else {
            return -1
        }
        return self.commitLog.pickupStoreTimestamp(offset: unit.physicalOffset, size: Int(unit.size))
    }

    /// STORETIMESTAMP of a queue's first message (Java `getEarliestMessageTime(topic, queueId)`), -1 if none.
    public func getEarliestMessageTime(topic: String, queueId: Int32) -> Int64 {
        guard let queue = self.consumeQueues.find(topic: topic, queueId: queueId) else { return -1 }
        return self.getMessageStoreTimestamp(topic: topic, queueId: queueId, consumeQueueOffset: queue.minOffsetInQueue)
    }

    /// STORETIMESTAMP of the commit log's first message (Java `getEarliestMessageTime()`), -1 if none.
    public func getEarliestMessageTime() -> Int64 {
        let offset = self.commitLog.minOffset
        guard offset >= 0 else { return -1 }
        return self.commitLog.pickupStoreTimestamp(offset: offset, size: 91)
    }

    /// SEARCH_OFFSET_BY_TIMESTAMP (PROTOCOL.md §3.3.12): the queue offset whose message was stored at
    /// `timestamp` (the first such), else the nearer of its two neighbours (the earlier on a tie); before the
    /// first message the min offset, after the last the last message's offset; 0 for an empty queue.
    ///
    /// Java binary-searches only the consume-queue file whose modification time is at or after `timestamp`; this
    /// searches the whole queue, which gives the same answer when the file times are in order.
    public func getOffsetInQueueByTime(topic: String, queueId: Int32, timestamp: Int64) -> Int64 {
        guard let queue = self.consumeQueues.find(topic: topic, queueId: queueId) else { return 0 }
        let minOffset = queue.minOffsetInQueue
        let maxOffset = queue.maxOffsetInQueue
        guard maxOffset > minOffset else { return 0 }
        let minPhysicalOffset = self.commitLog.minOffset
        func storeTime(_ index: Int64) -> Int64 {
            guard let unit = queue.unit(at: index), unit.physicalOffset >= minPhysicalOffset else { return -1 }
            return self.commitLog.pickupStoreTimestamp(offset: unit.physicalOffset, size: Int(unit.size))
        }
        // First index whose store time is at or after the timestamp.
        var low = minOffset
        var high = maxOffset
        while low < high {
            let middle = low + (high - low) / 2
            if storeTime(middle) < timestamp {
                low = middle + 1
            } else {
                high = middle
            }
        }
        if low == maxOffset { return maxOffset - 1 }
        let right = storeTime(low)
        if right == timestamp || low == minOffset { return low }
        let left = storeTime(low - 1)
        if left < 0 { return low }
        return timestamp - left > right - timestamp ? low : low - 1
    }

    // MARK: Reads by physical offset

    /// The stored entry at a commit-log offset (Java `selectOneMessageByOffset`), nil if there is none.
    public func selectOneMessage(byPhysicalOffset offset: Int64, size: Int32? = nil) -> ByteBuffer? {
        var buffer = ByteBuffer()
        guard self.commitLog.readEntry(at: offset, size: size, into: &buffer) else { return nil }
        return buffer
    }

    /// The decoded message at a commit-log offset (Java `lookMessageByOffset`).
    public func lookMessage(byPhysicalOffset offset: Int64) -> StoredMessage? {
        guard var buffer = self.selectOneMessage(byPhysicalOffset: offset) else { return nil }
        return try? StoredMessage.decode(from: &buffer)
    }

    // MARK: Query by key

    /// QUERY_MESSAGE (Java `queryMessage`): messages indexed under `<topic>#<key>` (a KEYS token or a UNIQ_KEY)
    /// stored between `begin` and `end` (ms), at most `min(maxNum, maxMsgsNumBatch)`, in commit-log order. Hash
    /// collisions are returned too; clients filter them.
    public func queryMessage(topic: String, key: String, maxNum: Int, begin: Int64, end: Int64) -> QueryMessageResult {
        var result = QueryMessageResult()
        let hits = self.indexService.queryOffset(topic: topic, key: key, maxNum: maxNum, begin: begin, end: end)
        result.indexLastUpdateTimestamp = hits.indexLastUpdateTimestamp
        result.indexLastUpdatePhyOffset = hits.indexLastUpdatePhyOffset
        for offset in hits.phyOffsets.sorted() {
            let before = result.body.writerIndex
            if self.commitLog.readEntry(at: offset, into: &result.body) {
                result.messagePhysicalOffsets.append(offset)
                result.messageSizes.append(Int32(result.body.writerIndex - before))
            }
        }
        return result
    }

    // MARK: Queues

    /// Topics that have consume queues.
    public var topics: [String] {
        self.consumeQueues.topics
    }
}
