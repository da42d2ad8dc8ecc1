import RocketMQModel
import Synchronization

/// One index file (Java `IndexFile` / `IndexHeader`, PROTOCOL.md §4.10): a 40-byte header, `maxHashSlotNum` 4-byte
/// slots holding the newest entry number for `keyHash % slots`, and `maxIndexNum` 20-byte entries (keyHash 4,
/// phyOffset 8, timeDiff 4 in seconds from beginTimestamp, prevIndex 4). Entry 0 is never used.
///
/// Only the dispatch thread (or recovery) writes. Entries are written before the slot and the count, and readers
/// ignore slots at or beyond the published count.
final class IndexFile: Sendable {
    static let headerSize = 40
    static let hashSlotSize = 4
    static let indexSize = 20
    static let invalidIndex: Int32 = 0

    private static let beginTimestampPosition = 0
    private static let endTimestampPosition = 8
    private static let beginPhyOffsetPosition = 16
    private static let endPhyOffsetPosition = 24
    private static let hashSlotCountPosition = 32
    private static let indexCountPosition = 36

    let file: MappedFile
    let hashSlotNum: Int
    let indexNum: Int
    /// The header's indexCount, published for readers.
    private let publishedCount: Atomic<Int32>
    /// Entries added since the last sync.
    private let dirty = Atomic<Bool>(false)

    static func fileSize(hashSlotNum: Int, indexNum: Int) -> Int {
        Self.headerSize + hashSlotNum * Self.hashSlotSize + indexNum * Self.indexSize
    }

    private init(file: MappedFile, hashSlotNum: Int, indexNum: Int) {
        self.file = file
        self.hashSlotNum = hashSlotNum
        self.indexNum = indexNum
        let count = file.loadInt32(at: Self.indexCountPosition)
        self.publishedCount = Atomic(count <= 0 ? 1 : count)
    }

    /// A new file; a file that follows a full one starts with its end offset and time as begin and end (Java).
    static func create(
        path: String, fileName: String, hashSlotNum: Int, indexNum: Int, endPhyOffset: Int64, endTimestamp: Int64
    ) throws(StoreError) -> IndexFile {
        let file = try MappedFile.create(
            path: path, fileName: fileName, fileFromOffset: 0,
            fileSize: Self.fileSize(hashSlotNum: hashSlotNum, indexNum: indexNum), randomAccess: true)
        file.setPositions(file.fileSize)
        let index = IndexFile(file: file, hashSlotNum: hashSlotNum, indexNum: indexNum)
        index.setIndexCount(1)
        if endPhyOffset > 0 {
            file.storeInt64(endPhyOffset, at: Self.beginPhyOffsetPosition)
            file.storeInt64(endPhyOffset, at: Self.endPhyOffsetPosition)
        }
        if endTimestamp > 0 {
            file.storeInt64(endTimestamp, at: Self.beginTimestampPosition)
            file.storeInt64(endTimestamp, at: Self.endTimestampPosition)
        }
        return index
    }

    static func load(path: String, fileName: String, hashSlotNum: Int, indexNum: Int) throws(StoreError) -> IndexFile {
        let file = try MappedFile.load(
            path: path, fileName: fileName, fileFromOffset: 0,
            fileSize: Self.fileSize(hashSlotNum: hashSlotNum, indexNum: indexNum), randomAccess: true)
        return IndexFile(file: file, hashSlotNum: hashSlotNum, indexNum: indexNum)
    }

    // MARK: Header

    var beginTimestamp: Int64 { self.file.loadInt64(at: Self.beginTimestampPosition) }
    var endTimestamp: Int64 { self.file.loadInt64(at: Self.endTimestampPosition) }
    var beginPhyOffset: Int64 { self.file.loadInt64(at: Self.beginPhyOffsetPosition) }
    var endPhyOffset: Int64 { self.file.loadInt64(at: Self.endPhyOffsetPosition) }
    var hashSlotCount: Int32 { self.file.loadInt32(at: Self.hashSlotCountPosition) }
    /// Entries written + 1.
    var indexCount: Int32 { self.publishedCount.load(ordering: .acquiring) }

    private func setIndexCount(_ count: Int32) {
        self.file.storeInt32(count, at: Self.indexCountPosition)
        self.publishedCount.store(count, ordering: .releasing)
    }

    /// Java `isWriteFull`.
    var isWriteFull: Bool { Int(self.indexCount) >= self.indexNum }

    /// Java `isTimeMatched`: the file's time range overlaps `[begin, end]`.
    func isTimeMatched(begin: Int64, end: Int64) -> Bool {
        let fileBegin = self.beginTimestamp
        let fileEnd = self.endTimestamp
        return (begin < fileBegin && end > fileEnd) || (begin >= fileBegin && begin <= fileEnd)
            || (end >= fileBegin && end <= fileEnd)
    }

    private func slotPosition(keyHash: Int32) -> Int {
        Self.headerSize + Int(keyHash) % self.hashSlotNum * Self.hashSlotSize
    }

    private func entryPosition(_ index: Int32) -> Int {
        Self.headerSize + self.hashSlotNum * Self.hashSlotSize + Int(index) * Self.indexSize
    }

    // MARK: Writing

    /// Java `putKey`: adds an entry at the head of the key's slot chain; false when the file is full.
    func putKey(keyHash: Int32, phyOffset: Int64, storeTimestamp: Int64) -> Bool {
        let count = self.indexCount
        guard Int(count) < self.indexNum else { return false }
        let slot = self.slotPosition(keyHash: keyHash)
        var slotValue = self.file.loadInt32(at: slot)
        if slotValue <= Self.invalidIndex || slotValue > count {
            slotValue = Self.invalidIndex
        }
        let beginTimestamp = self.beginTimestamp
        var timeDiff = (storeTimestamp - beginTimestamp) / 1000
        if beginTimestamp <= 0 {
            timeDiff = 0
        } else if timeDiff > Int64(Int32.max) {
            timeDiff = Int64(Int32.max)
        } else if timeDiff < 0 {
            timeDiff = 0
        }
        let position = self.entryPosition(count)
        self.file.storeInt32(keyHash, at: position)
        self.file.storeInt64(phyOffset, at: position + 4)
        self.file.storeInt32(Int32(timeDiff), at: position + 12)
        self.file.storeInt32(slotValue, at: position + 16)
        self.file.storeInt32(count, at: slot)
        if count <= 1 {
            self.file.storeInt64(phyOffset, at: Self.beginPhyOffsetPosition)
            self.file.storeInt64(storeTimestamp, at: Self.beginTimestampPosition)
        }
        if slotValue == Self.invalidIndex {
            self.file.storeInt32(self.hashSlotCount + 1, at: Self.hashSlotCountPosition)
        }
        self.file.storeInt64(phyOffset, at: Self.endPhyOffsetPosition)
        self.file.storeInt64(storeTimestamp, at: Self.endTimestampPosition)
        self.setIndexCount(count + 1)
        self.dirty.store(true, ordering: .relaxed)
        return true
    }

    /// Syncs the file if entries were added since the last sync.
    func flushIfDirty() throws(StoreError) {
        guard self.dirty.exchange(false, ordering: .acquiringAndReleasing) else { return }
        try self.file.syncAll()
    }

    // MARK: Reading

    /// Java `selectPhyOffset`: walks the key's slot chain, collecting offsets of entries with the key's hash and a
    /// time in `[begin, end]`, newest first, up to `maxNum` in `phyOffsets`.
    func selectPhyOffsets(_ phyOffsets: inout [Int64], key: String, maxNum: Int, begin: Int64, end: Int64) {
        let count = self.indexCount
        let keyHash = TagsCode.indexKeyHash(key)
        let slotValue = self.file.loadInt32(at: self.slotPosition(keyHash: keyHash))
        guard slotValue > Self.invalidIndex, slotValue < count, count > 1 else { return }
        let beginTimestamp = self.beginTimestamp
        var next = slotValue
        while phyOffsets.count < maxNum {
            let position = self.entryPosition(next)
            let keyHashRead = self.file.loadInt32(at: position)
            let phyOffsetRead = self.file.loadInt64(at: position + 4)
            let timeDiff = Int64(self.file.loadInt32(at: position + 12))
            let prevIndexRead = self.file.loadInt32(at: position + 16)
            if timeDiff < 0 { break }
            let timeRead = beginTimestamp + timeDiff * 1000
            if keyHash == keyHashRead && timeRead >= begin && timeRead <= end {
                phyOffsets.append(phyOffsetRead)
            }
            // Chains only point backwards; anything else is damage.
            if prevIndexRead <= Self.invalidIndex || prevIndexRead >= next || timeRead < begin { break }
            next = prevIndexRead
        }
    }

    /// Commit-log offset of entry `index` (1 ≤ index < indexCount).
    func entryPhyOffset(_ index: Int32) -> Int64 {
        self.file.loadInt64(at: self.entryPosition(index) + 4)
    }

    // MARK: Recovery

    /// Removes the entries whose message starts at or beyond `phyOffset` (they are the newest ones), restoring
    /// their slots to the previous chain heads. `storeTimestamp` gives the new last entry's STORETIMESTAMP.
    /// Returns the number of entries left.
    func truncate(from phyOffset: Int64, storeTimestamp: (Int64) -> Int64?) -> Int32 {
        let count = self.indexCount
        var newCount = count
        while newCount > 1 && self.entryPhyOffset(newCount - 1) >= phyOffset {
            newCount -= 1
        }
        guard newCount < count else { return count - 1 }
        var index = count - 1
        var hashSlotCount = self.hashSlotCount
        while index >= newCount {
            let position = self.entryPosition(index)
            let keyHash = self.file.loadInt32(at: position)
            let prev = self.file.loadInt32(at: position + 16)
            let slot = self.slotPosition(keyHash: keyHash < 0 ? 0 : keyHash)
            if self.file.loadInt32(at: slot) == index {
                self.file.storeInt32(prev, at: slot)
                if prev == Self.invalidIndex { hashSlotCount -= 1 }
            }
            for offset in stride(from: 0, to: Self.indexSize, by: 4) {
                self.file.storeInt32(0, at: position + offset)
            }
            index -= 1
        }
        self.file.storeInt32(max(0, hashSlotCount), at: Self.hashSlotCountPosition)
        if newCount > 1 {
            let last = self.entryPhyOffset(newCount - 1)
            self.file.storeInt64(last, at: Self.endPhyOffsetPosition)
            let timestamp = storeTimestamp(last)
                ?? self.beginTimestamp + Int64(self.file.loadInt32(at: self.entryPosition(newCount - 1) + 12)) * 1000
            self.file.storeInt64(timestamp, at: Self.endTimestampPosition)
        }
        self.setIndexCount(newCount)
        self.dirty.store(true, ordering: .relaxed)
        return newCount - 1
    }
}
