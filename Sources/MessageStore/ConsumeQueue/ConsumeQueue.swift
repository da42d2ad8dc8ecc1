import Logging
import Synchronization

/// One queue of a topic (Java `ConsumeQueue`): fixed 20-byte units — commit-log offset (8), size (4), tags code
/// (8) — where unit n is the message with queue offset n (PROTOCOL.md §4.7). Files live in
/// `consumequeue/<topic>/<queueId>/`, named by their first byte offset.
///
/// Only the dispatch thread (and recovery before it starts) writes; readers look below the published position.
final class ConsumeQueue: Sendable {
    /// Java `CQ_STORE_UNIT_SIZE`.
    static let unitSize = 20

    /// One unit.
    struct Unit: Sendable, Hashable {
        /// Commit-log offset of the message.
        var physicalOffset: Int64
        /// TOTALSIZE of the message.
        var size: Int32
        /// Tag hash (§4.9), or the delivery time in `SCHEDULE_TOPIC_XXXX`.
        var tagsCode: Int64
    }

    let topic: String
    let queueId: Int32
    let directory: String
    let queue: MappedFileQueue
    private let logger: Logger
    /// Byte offset of the first unit still held (Java `minLogicOffset`).
    private let minLogicOffsetValue = Atomic<Int64>(0)
    /// End (offset + size) of the last unit's message, -1 when empty (Java `maxPhysicOffset`).
    private let maxPhysicOffsetValue = Atomic<Int64>(-1)

    init(topic: String, queueId: Int32, storePath: String, mappedFileSize: Int, logger: Logger) {
        self.topic = topic
        self.queueId = queueId
        self.directory = FileSystem.join(FileSystem.join(storePath, topic), String(queueId))
        self.queue = MappedFileQueue(directory: self.directory, mappedFileSize: mappedFileSize, randomAccess: true)
        self.logger = logger
    }

    var mappedFileSize: Int { self.queue.mappedFileSize }

    func load() throws(StoreError) {
        try self.queue.load()
    }

    // MARK: Offsets

    /// Next queue offset to be written (Java `getMaxOffsetInQueue`).
    var maxOffsetInQueue: Int64 {
        self.queue.maxOffset / Int64(Self.unitSize)
    }

    /// First queue offset still held (Java `getMinOffsetInQueue`).
    var minOffsetInQueue: Int64 {
        self.minLogicOffset / Int64(Self.unitSize)
    }

    var minLogicOffset: Int64 {
        get { self.minLogicOffsetValue.load(ordering: .acquiring) }
        set { self.minLogicOffsetValue.store(newValue, ordering: .releasing) }
    }

    var maxPhysicOffset: Int64 {
        get { self.maxPhysicOffsetValue.load(ordering: .acquiring) }
        set { self.maxPhysicOffsetValue.store(newValue, ordering: .releasing) }
    }

    /// Java `rollNextFile`: the first queue offset of the file after the one holding `index`.
    func rollNextFile(_ index: Int64) -> Int64 {
        let unitsPerFile = Int64(self.mappedFileSize / Self.unitSize)
        return index + unitsPerFile - index % unitsPerFile
    }

    // MARK: Reading

    /// The units from queue offset `index` to the end of its file (Java `getIndexBuffer`); nil when `index` is
    /// below the minimum, its file is gone or nothing is written there.
    func units(from index: Int64) -> ConsumeQueueUnits? {
        let offset = index * Int64(Self.unitSize)
        guard index >= 0, offset >= self.minLogicOffset,
            let file = self.queue.findMappedFile(byOffset: offset)
        else { return nil }
        let position = Int(offset - file.fileFromOffset)
        let end = file.readPosition
        guard position < end else { return nil }
        return ConsumeQueueUnits(file: file, startIndex: index, startPosition: position, endPosition: end)
    }

    /// The unit at queue offset `index`.
    func unit(at index: Int64) -> Unit? {
        self.units(from: index)?.unit(0)
    }

    // MARK: Writing (dispatch thread)

    /// Appends the unit of the message with queue offset `cqOffset` (Java `putMessagePositionInfo`): skipped when
    /// the message is already in the queue (re-dispatch after recovery); the first file of a queue that starts
    /// above offset 0 is padded with blank units.
    func putMessagePositionInfo(offset: Int64, size: Int32, tagsCode: Int64, cqOffset: Int64) throws(StoreError) {
        if offset + Int64(size) <= self.maxPhysicOffset {
            return
        }
        let expectLogicOffset = cqOffset * Int64(Self.unitSize)
        if self.queue.isEmpty {
            try FileSystem.createDirectories(self.directory)
        }
        var file = try self.queue.lastMappedFile(startOffset: expectLogicOffset)
        if file.firstCreateInQueue && cqOffset != 0 && file.readPosition == 0 {
            self.minLogicOffset = expectLogicOffset
            self.queue.flushedWhere = expectLogicOffset
            Self.fillPreBlank(file, until: Int(expectLogicOffset % Int64(self.mappedFileSize)))
        }
        if cqOffset != 0 {
            let currentLogicOffset = file.fileFromOffset + Int64(file.readPosition)
            if expectLogicOffset < currentLogicOffset {
                self.logger.debug("consume queue unit written already", metadata: [
                    "topic": "\(self.topic)", "queueId": "\(self.queueId)", "cqOffset": "\(cqOffset)",
                ])
                return
            }
            if expectLogicOffset != currentLogicOffset {
                self.logger.error("consume queue order broken", metadata: [
                    "topic": "\(self.topic)", "queueId": "\(self.queueId)",
                    "expectLogicOffset": "\(expectLogicOffset)", "currentLogicOffset": "\(currentLogicOffset)",
                ])
            }
        }
        if file.isFull {
            file = try self.queue.lastMappedFile(startOffset: expectLogicOffset)
        }
        let position = file.readPosition
        file.storeInt64(offset, at: position)
        file.storeInt32(size, at: position + 8)
        file.storeInt64(tagsCode, at: position + 12)
        file.publish(wrotePosition: position + Self.unitSize)
        self.maxPhysicOffset = offset + Int64(size)
    }

    /// Java `fillPreBlank`: units (0, Int32.max, 0) up to `until` bytes.
    private static func fillPreBlank(_ file: MappedFile, until: Int) {
        var position = 0
        while position < until {
            file.storeInt64(0, at: position)
            file.storeInt32(Int32.max, at: position + 8)
            file.storeInt64(0, at: position + 12)
            position += Self.unitSize
        }
        file.publish(wrotePosition: until)
    }

    func flush(leastPages: Int) throws(StoreError) {
        try self.queue.flush(leastPages: leastPages)
    }

    // MARK: Recovery

    /// Finds the last unit (Java `ConsumeQueue.recover`): scans from the third-last file while units have
    /// `offset >= 0 && size > 0`, then cuts the queue there.
    func recover() {
        let files = self.queue.mappedFiles
        guard !files.isEmpty else { return }
        var index = max(0, files.count - 3)
        var file = files[index]
        var processOffset = file.fileFromOffset
        var fileOffset = 0
        scan: while true {
            fileOffset = 0
            var position = 0
            while position + Self.unitSize <= self.mappedFileSize {
                let offset = file.loadInt64(at: position)
                let size = file.loadInt32(at: position + 8)
                guard offset >= 0 && size > 0 else { break }
                fileOffset = position + Self.unitSize
                self.maxPhysicOffset = offset + Int64(size)
                position += Self.unitSize
            }
            if fileOffset == self.mappedFileSize, index + 1 < files.count {
                index += 1
                file = files[index]
                processOffset = file.fileFromOffset
                continue scan
            }
            break scan
        }
        processOffset += Int64(fileOffset)
        self.queue.flushedWhere = processOffset
        self.queue.truncateDirtyFiles(processOffset)
    }

    /// Removes the units of messages at or beyond `phyOffset` (Java `truncateDirtyLogicFiles`), so that the
    /// queue never points past the commit log. Units whose message does not end by `phyOffset` go too.
    func truncateDirtyLogicFiles(_ phyOffset: Int64) {
        self.maxPhysicOffset = -1
        while let file = self.queue.lastMappedFile {
            var keep = 0
            var lastEnd: Int64 = -1
            var position = 0
            let end = file.readPosition
            while position + Self.unitSize <= end {
                let offset = file.loadInt64(at: position)
                let size = file.loadInt32(at: position + 8)
                guard offset >= 0 && size > 0 else { break }
                // Blank padding units (size Int32.max) stay.
                if size != Int32.max && offset + Int64(size) > phyOffset { break }
                keep = position + Self.unitSize
                if size != Int32.max { lastEnd = offset + Int64(size) }
                position += Self.unitSize
            }
            if keep == 0 {
                self.queue.deleteLastMappedFile()
                continue
            }
            if keep < end {
                file.zero(from: keep)
            }
            file.setPositions(keep)
            if lastEnd >= 0 { self.maxPhysicOffset = lastEnd }
            if self.maxPhysicOffset < 0 {
                // Only padding left in this file: look at the previous files for the last real unit.
                self.maxPhysicOffset = self.lastPhysicOffset(before: file) ?? -1
            }
            break
        }
        if self.queue.flushedWhere > self.queue.maxOffset {
            self.queue.flushedWhere = self.queue.maxOffset
        }
        if self.queue.isEmpty {
            self.minLogicOffset = 0
        }
    }

    private func lastPhysicOffset(before file: MappedFile) -> Int64? {
        for candidate in self.queue.mappedFiles.reversed() where candidate.fileFromOffset < file.fileFromOffset {
            var position = candidate.readPosition - Self.unitSize
            while position >= 0 {
                let offset = candidate.loadInt64(at: position)
                let size = candidate.loadInt32(at: position + 8)
                if offset >= 0 && size > 0 && size != Int32.max { return offset + Int64(size) }
                position -= Self.unitSize
            }
        }
        return nil
    }

    /// Moves the minimum past units whose messages are below the commit log's first offset (Java
    /// `correctMinOffset`), looking in the first file. When none of its units is still in the log, the minimum
    /// moves to its end (Java leaves it where it was, pointing at deleted messages).
    func correctMinOffset(_ phyMinOffset: Int64) {
        guard let file = self.queue.firstMappedFile else { return }
        self.correctMinOffset(phyMinOffset, in: file)
    }

    private func correctMinOffset(_ phyMinOffset: Int64, in file: MappedFile) {
        let end = file.readPosition
        var position = max(0, Int(self.minLogicOffset - file.fileFromOffset))
        position -= position % Self.unitSize
        while position + Self.unitSize <= end {
            let offset = file.loadInt64(at: position)
            let size = file.loadInt32(at: position + 8)
            if offset >= phyMinOffset && size != Int32.max {
                self.minLogicOffset = file.fileFromOffset + Int64(position)
                return
            }
            position += Self.unitSize
        }
        let fileEnd = file.fileFromOffset + Int64(end - end % Self.unitSize)
        if self.minLogicOffset < fileEnd {
            self.minLogicOffset = fileEnd
        }
    }

    /// Retention (Java `ConsumeQueue.deleteExpiredFile`, `deleteExpiredFileByOffset`): deletes the files, oldest
    /// first and never the last, whose last unit points below `phyMinOffset` (the commit log's new first
    /// offset), then corrects the minimum. The minimum moves before the files go, so that a read in between
    /// gets OFFSET_TOO_SMALL rather than a missing file. Returns the number of files deleted.
    func deleteExpiredFile(_ phyMinOffset: Int64) -> Int {
        let files = self.queue.mappedFiles
        var expired: [MappedFile] = []
        for file in files.dropLast() {
            guard file.readPosition >= self.mappedFileSize else { break }
            let lastUnitOffset = file.loadInt64(at: self.mappedFileSize - Self.unitSize)
            guard lastUnitOffset < phyMinOffset else { break }
            expired.append(file)
        }
        if let survivor = files.dropFirst(expired.count).first {
            self.correctMinOffset(phyMinOffset, in: survivor)
        }
        var deleted = 0
        for file in expired {
            guard self.queue.removeFirst(file) else { break }
            file.destroy()
            deleted += 1
        }
        self.correctMinOffset(phyMinOffset)
        return deleted
    }

    /// Deletes every file (the commit log is gone).
    func destroy() {
        self.maxPhysicOffset = -1
        self.minLogicOffset = 0
        self.queue.destroyAll()
    }
}

/// Units of one consume-queue file from a start offset to its published end.
struct ConsumeQueueUnits: Sendable {
    let file: MappedFile
    /// Queue offset of unit 0.
    let startIndex: Int64
    let startPosition: Int
    let endPosition: Int

    var count: Int { (self.endPosition - self.startPosition) / ConsumeQueue.unitSize }

    func unit(_ i: Int) -> ConsumeQueue.Unit? {
        guard i >= 0 && i < self.count else { return nil }
        let position = self.startPosition + i * ConsumeQueue.unitSize
        return ConsumeQueue.Unit(
            physicalOffset: self.file.loadInt64(at: position), size: self.file.loadInt32(at: position + 8),
            tagsCode: self.file.loadInt64(at: position + 12))
    }
}
