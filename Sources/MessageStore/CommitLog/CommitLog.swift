import Logging
import NIOCore
import RocketMQModel
import Synchronization

/// The commit log (Java `CommitLog`): every message of every topic, appended to a queue of mapped files.
///
/// Appends work out the entry outside the lock (length, CRC, flags); the lock covers choosing the position and
/// queue offset and laying the entry into the mapping — field stores and copies, as cheap as the copy itself
/// (STYLE §5). Readers see an entry once its file's read position is published past it.
final class CommitLog: Sendable {
    /// Java `CommitLog.MESSAGE_MAGIC_CODE`.
    static let messageMagicCode = StoredMessage.magicCodeV1
    /// Java `CommitLog.BLANK_MAGIC_CODE`, the end-of-file filler.
    static let blankMagicCode = StoredMessage.blankMagicCode
    /// Java `END_FILE_MIN_BLANK_LENGTH`: an entry goes into a file only if 8 bytes stay free after it.
    static let endFileMinBlankLength = 4 + 4
    /// Position of QUEUEOFFSET in an entry.
    static let queueOffsetPosition = 4 + 4 + 4 + 4 + 4
    /// Position of PHYSICALOFFSET in an entry.
    static let physicalOffsetPosition = queueOffsetPosition + 8
    /// Position of SYSFLAG in an entry (Java `MessageDecoder.SYSFLAG_POSITION`).
    static let sysFlagPosition = physicalOffsetPosition + 8
    /// Room Java's encoder keeps around the body: an entry may be at most `maxMessageSize` + 64 KiB.
    static let maxEntryOverhead = 64 * 1024

    struct TopicQueueKey: Hashable, Sendable {
        var topic: String
        var queueId: Int32
    }

    struct AppendState: Sendable {
        /// Next queue offset per topic and queue (Java `topicQueueTable`, keyed `topic-queueId`).
        var topicQueueTable: [String: QueueIdMap<Int64>] = [:]
        /// The file being written.
        var current: MappedFile?
        /// End offset and STORETIMESTAMP of the last entry written, for the checkpoint.
        var lastEntryEnd: Int64 = 0
        var lastStoreTimestamp: Int64 = 0
    }

    let queue: MappedFileQueue
    let config: MessageStoreConfig
    let logger: Logger
    /// Marked disk full when a file cannot be created for want of space.
    let runningFlags: RunningFlags
    let state = LockedValue(AppendState())
    let allocator: AllocateMappedFileService
    /// The offset a slave has confirmed (Java `confirmOffset`), -1 until set.
    private let confirmOffsetValue = Atomic<Int64>(-1)
    /// When the append under way took the lock (ms), 0 when none is (Java `beginTimeInLock`).
    let beginTimeInLock = Atomic<Int64>(0)
    /// Delay level → milliseconds, for the consume-queue tag field of `SCHEDULE_TOPIC_XXXX` (§4.7).
    let delayLevelTable: [Int32: Int64]
    let maxDelayLevel: Int32

    init(config: MessageStoreConfig, logger: Logger, runningFlags: RunningFlags = RunningFlags()) {
        self.config = config
        self.logger = logger
        self.runningFlags = runningFlags
        self.queue = MappedFileQueue(directory: config.storePathCommitLog, mappedFileSize: config.mappedFileSizeCommitLog)
        self.allocator = AllocateMappedFileService(
            queue: self.queue, syncFlush: config.flushDiskType == .syncFlush, logger: logger)
        self.delayLevelTable = config.delayLevelTable
        self.maxDelayLevel = self.delayLevelTable.keys.max() ?? 0
    }

    var mappedFileSize: Int { self.queue.mappedFileSize }

    /// Starts the allocator. An empty log gets its first file now, so that no append creates one.
    func startAllocator() throws(StoreError) {
        if self.queue.isEmpty {
            let first = try self.allocator.obtain(offset: 0)
            self.queue.append(first)
            self.state.withLock { $0.current = first }
        }
        // SYNC_FLUSH: before the first append can fault pages in itself, into large folios (see
        // ``MappedFile/prefault(upTo:onePagePerFolio:)``).
        if self.config.flushDiskType == .syncFlush, let last = self.queue.lastMappedFile {
            last.prefault(upTo: last.readPosition + AllocateMappedFileService.prefaultWindow, onePagePerFolio: true)
        }
        self.allocator.start()
        if let last = self.queue.lastMappedFile {
            self.allocator.request(offset: last.fileFromOffset + Int64(self.mappedFileSize))
        }
    }

    func shutdownAllocator() {
        self.allocator.shutdown()
    }

    // MARK: Offsets

    /// Offset after the last published byte (Java `getMaxOffset`).
    var maxOffset: Int64 { self.queue.maxOffset }

    /// Offset of the first byte held (Java `getMinOffset`), -1 when there is no file.
    var minOffset: Int64 { self.queue.minOffset }

    /// Offset below which the commit log is on disk.
    var flushedWhere: Int64 { self.queue.flushedWhere }

    var confirmOffset: Int64 {
        get { self.confirmOffsetValue.load(ordering: .acquiring) }
        set { self.confirmOffsetValue.store(newValue, ordering: .releasing) }
    }

    /// Java `rollNextFile`: the start of the file after the one holding `offset`.
    func rollNextFile(_ offset: Int64) -> Int64 {
        let size = Int64(self.mappedFileSize)
        return offset + size - offset % size
    }

    /// End offset and STORETIMESTAMP of the last entry written, read together.
    var lastEntry: (end: Int64, storeTimestamp: Int64) {
        self.state.withLock { ($0.lastEntryEnd, $0.lastStoreTimestamp) }
    }

    /// Replaces the queue-offset table (recovery: from the consume queues' max offsets).
    func setTopicQueueTable(_ table: [TopicQueueKey: Int64]) {
        var offsets: [String: QueueIdMap<Int64>] = [:]
        for (key, offset) in table { offsets[key.topic, default: QueueIdMap()][key.queueId] = offset }
        self.state.withLock { state in
            state.topicQueueTable = offsets
            state.current = self.queue.lastMappedFile
            state.lastEntryEnd = self.queue.maxOffset
        }
    }

    /// Forgets a queue's next offset (Java `removeQueueFromTopicQueueTable`).
    func removeQueueFromTopicQueueTable(topic: String, queueId: Int32) {
        self.state.withLock { $0.topicQueueTable[topic]?[queueId] = nil }
    }

    // MARK: Flush

    /// Syncs the commit log (see ``MappedFileQueue/flush(leastPages:)``) and returns the STORETIMESTAMP of the last
    /// entry now on disk, if the sync reached one.
    func flush(leastPages: Int) throws(StoreError) -> Int64? {
        let (end, timestamp) = self.lastEntry
        try self.queue.flush(leastPages: leastPages)
        return self.queue.flushedWhere >= end && timestamp > 0 ? timestamp : nil
    }

    // MARK: Reading

    /// Calls `body` with the bytes `[offset, offset + size)` if they are all in one file and published
    /// (Java `getMessage(offset, size)`); nil otherwise (not written yet, or the file is gone).
    func withBytes<T>(at offset: Int64, size: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        guard size >= 0, let file = self.queue.findMappedFile(byOffset: offset, returnFirstOnNotFound: offset == 0),
            offset >= file.fileFromOffset
        else { return nil }
        let position = Int(offset - file.fileFromOffset)
        guard position + size <= file.readPosition else { return nil }
        return try withExtendedLifetime(file) { try body(file.bytes(at: position, count: size)) }
    }

    /// Copies the entry at `offset` (its TOTALSIZE read first) into `buffer`; false if there is no entry there.
    func readEntry(at offset: Int64, size: Int32? = nil, into buffer: inout ByteBuffer) -> Bool {
        let total: Int
        if let size {
            total = Int(size)
        } else {
            guard let read = self.withBytes(at: offset, size: 8, { bytes -> Int32? in
                let magic = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self))
                guard magic == Self.messageMagicCode else { return nil }
                return Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))
            }), let read, read > 0 else { return false }
            total = Int(read)
        }
        return self.withBytes(at: offset, size: total) { bytes in buffer.writeBytes(bytes) } != nil
    }

    /// Java `pickupStoreTimestamp`: STORETIMESTAMP of the entry at `offset`, -1 if it cannot be read.
    func pickupStoreTimestamp(offset: Int64, size: Int) -> Int64 {
        guard offset >= self.minOffset else { return -1 }
        return self.withBytes(at: offset, size: size) { bytes -> Int64 in
            guard bytes.count >= Self.sysFlagPosition + 4 else { return -1 }
            let sysFlag = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: Self.sysFlagPosition, as: Int32.self))
            let position = Self.storeTimestampPosition(sysFlag: MessageSysFlag(rawValue: sysFlag))
            guard bytes.count >= position + 8 else { return -1 }
            return Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int64.self))
        } ?? -1
    }

    /// Position of STORETIMESTAMP in an entry: after BORNHOST, whose size depends on the IPv6 bit.
    static func storeTimestampPosition(sysFlag: MessageSysFlag) -> Int {
        Self.sysFlagPosition + 4 + 8 + (sysFlag.contains(.bornHostV6) ? 20 : 8)
    }

    // MARK: Appending

    /// Result of copying encoded entries into the log.
    struct Placement {
        var wroteOffset: Int64
        var queueOffset: Int64
        var storeTimestamp: Int64
    }

    /// Appends one prepared message under the lock (see ``place(byteCount:key:count:consumesQueueOffset:write:)``).
    func place(_ message: borrowing PreparedMessage) throws(StoreError) -> Placement {
        try self.place(
            byteCount: message.length, key: message.key, count: 1, consumesQueueOffset: message.consumesQueueOffset
        ) { file, position, queueOffset, storeTimestamp in
            message.write(
                to: file.base + position, queueOffset: queueOffset, physicalOffset: file.fileFromOffset + Int64(position),
                storeTimestamp: storeTimestamp)
            return Int32(message.length)
        }
    }

    /// Appends a batch's entries under the lock: copies them, then patches each entry's QUEUEOFFSET,
    /// PHYSICALOFFSET and STORETIMESTAMP.
    func place(_ batch: borrowing EncodedBatch) throws(StoreError) -> Placement {
        try self.place(
            byteCount: batch.buffer.readableBytes, key: batch.key, count: batch.entryLengths.count,
            consumesQueueOffset: true
        ) { file, position, queueOffset, storeTimestamp in
            batch.buffer.withUnsafeReadableBytes { bytes in
                file.write(UnsafeRawBufferPointer(rebasing: bytes[4...]), at: position + 4)
            }
            var entryPosition = position
            for (index, length) in batch.entryLengths.enumerated() {
                file.storeInt64(queueOffset + Int64(index), at: entryPosition + Self.queueOffsetPosition)
                file.storeInt64(file.fileFromOffset + Int64(entryPosition), at: entryPosition + Self.physicalOffsetPosition)
                file.storeInt64(storeTimestamp, at: entryPosition + batch.storeTimestampPosition)
                entryPosition += Int(length)
            }
            return batch.entryLengths[0]
        }
    }

    /// Appends `byteCount` bytes of entries under the lock: rolls to the next file with a BLANK filler when they
    /// do not fit with 8 bytes to spare, takes `count` queue offsets (or 0 when `consumesQueueOffset` is false),
    /// and has `write` lay the entries out at the position — all but the first entry's TOTALSIZE, which `write`
    /// returns and which goes in last, after a release fence: a process killed during the copy leaves a zero
    /// size, which recovery reads as the end of the log. STORETIMESTAMP is the time the lock was taken, as in
    /// Java. Then the entries are published and the queue's next offset moves on.
    private func place(
        byteCount: Int, key: TopicQueueKey, count: Int, consumesQueueOffset: Bool,
        write: (_ file: MappedFile, _ position: Int, _ queueOffset: Int64, _ storeTimestamp: Int64) -> Int32
    ) throws(StoreError) -> Placement {
        try self.state.withLock { state throws(StoreError) -> Placement in
            let storeTimestamp = SystemClock.currentTimeMillis()
            self.beginTimeInLock.store(storeTimestamp, ordering: .relaxed)
            defer { self.beginTimeInLock.store(0, ordering: .relaxed) }
            var file = try self.currentFile(&state)
            var position = file.readPosition
            if byteCount + Self.endFileMinBlankLength > self.mappedFileSize - position {
                // Java writes only TOTALSIZE and the BLANK magic; the rest of the file stays zero.
                file.storeInt32(Self.blankMagicCode, at: position + 4)
                file.storeInt32(Int32(self.mappedFileSize - position), at: position)
                file.publish(wrotePosition: self.mappedFileSize)
                file = try self.rollFile(&state, after: file)
                position = 0
            }
            let wroteOffset = file.fileFromOffset + Int64(position)
            // One hash of the key for the read and the update.
            let queueOffset = consumesQueueOffset ? Self.takeQueueOffsets(
                &state.topicQueueTable[key.topic, default: QueueIdMap()][key.queueId, default: 0], count: count) : 0
            let firstSize = write(file, position, queueOffset, storeTimestamp)
            atomicMemoryFence(ordering: .releasing)
            file.storeInt32(firstSize, at: position)
            file.publish(wrotePosition: position + byteCount)
            state.lastEntryEnd = wroteOffset + Int64(byteCount)
            state.lastStoreTimestamp = storeTimestamp
            return Placement(wroteOffset: wroteOffset, queueOffset: queueOffset, storeTimestamp: storeTimestamp)
        }
    }

    /// Returns the queue's next offset and moves it on by `count`.
    private static func takeQueueOffsets(_ next: inout Int64, count: Int) -> Int64 {
        defer { next += Int64(count) }
        return next
    }

    func currentFile(_ state: inout AppendState) throws(StoreError) -> MappedFile {
        if let current = state.current, !current.isFull {
            return current
        }
        if let current = state.current {
            return try self.rollFile(&state, after: current)
        }
        if let last = self.queue.lastMappedFile {
            state.current = last
            return last.isFull ? try self.rollFile(&state, after: last) : last
        }
        let file = try self.allocator.obtain(offset: 0)
        self.queue.append(file)
        state.current = file
        return file
    }

    private func rollFile(_ state: inout AppendState, after file: MappedFile) throws(StoreError) -> MappedFile {
        let next = try self.allocator.obtain(offset: file.fileFromOffset + Int64(self.mappedFileSize))
        self.queue.append(next)
        state.current = next
        return next
    }
}
