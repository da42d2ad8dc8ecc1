import Logging
import RocketMQModel
import Synchronization

/// Hits of an index query (Java `QueryOffsetResult`).
struct QueryOffsetResult: Sendable {
    var phyOffsets: [Int64]
    var indexLastUpdateTimestamp: Int64
    var indexLastUpdatePhyOffset: Int64
}

/// The index files, oldest first (Java `IndexService`): keys `<topic>#<UNIQ_KEY>` and `<topic>#<each KEYS token>`
/// of every message but rollback ones, in commit-log order.
final class IndexService: Sendable {
    let storePath: String
    let hashSlotNum: Int
    let indexNum: Int
    let maxMsgsNumBatch: Int
    private let files = LockedValue<[IndexFile]>([])
    private let logger: Logger

    init(config: MessageStoreConfig, logger: Logger) {
        self.storePath = config.storePathIndex
        self.hashSlotNum = config.maxHashSlotNum
        self.indexNum = config.maxIndexNum
        self.maxMsgsNumBatch = config.maxMsgsNumBatch
        self.logger = logger
    }

    /// Maps the index files in name (= creation time) order. Unlike Java, which deletes the newer files after an
    /// abnormal stop, recovery truncates them (``truncate(from:storeTimestamp:)``). Files of another geometry are
    /// skipped with a warning.
    func load() throws(StoreError) {
        var loaded: [IndexFile] = []
        for name in try FileSystem.contents(of: self.storePath) {
            let path = FileSystem.join(self.storePath, name)
            do {
                loaded.append(try IndexFile.load(path: path, fileName: name, hashSlotNum: self.hashSlotNum, indexNum: self.indexNum))
            } catch .fileSizeMismatch(let path, let expected, let actual) {
                self.logger.warning("index file skipped: its size does not match maxHashSlotNum/maxIndexNum", metadata: [
                    "path": "\(path)", "size": "\(actual)", "expected": "\(expected)",
                ])
            }
        }
        self.files.withLock { $0 = loaded }
    }

    var indexFiles: [IndexFile] {
        self.files.withLock { $0 }
    }

    /// Offset of the newest indexed message, nil if nothing is indexed.
    var lastIndexedPhyOffset: Int64? {
        guard let last = self.files.withLock({ $0.last }), last.indexCount > 1 else { return nil }
        return last.endPhyOffset
    }

    // MARK: Building (dispatch thread)

    /// Java `buildIndex`: indexes the message's UNIQ_KEY and KEYS under its topic unless it is a rollback
    /// message or already indexed (at or below the newest file's end offset).
    func buildIndex(_ request: DispatchRequest) throws(StoreError) {
        var file = try self.lastWritableFile()
        let endPhyOffset = file.endPhyOffset
        if request.commitLogOffset < endPhyOffset
            || (request.commitLogOffset == endPhyOffset && (file.indexCount > 1 || endPhyOffset > 0))
        {
            return
        }
        if request.sysFlag.transactionType == .rollback { return }
        if let uniqueKeyHash = request.uniqueKeyHash {
            file = try self.putKey(file, uniqueKeyHash, request)
        }
        if let keys = request.keys, !keys.isEmpty {
            for key in keys.split(separator: " ", omittingEmptySubsequences: true) {
                file = try self.putKey(file, TagsCode.indexKeyHash(topic: request.topic, key: key), request)
            }
        }
    }

    private func putKey(_ file: IndexFile, _ keyHash: Int32, _ request: DispatchRequest) throws(StoreError) -> IndexFile {
        var file = file
        while !file.putKey(keyHash: keyHash, phyOffset: request.commitLogOffset, storeTimestamp: request.storeTimestamp) {
            file = try self.lastWritableFile()
        }
        return file
    }

    /// Java `getAndCreateLastIndexFile`: the newest file, or a new one when there is none or it is full.
    private func lastWritableFile() throws(StoreError) -> IndexFile {
        let last = self.files.withLock { $0.last }
        if let last, !last.isWriteFull { return last }
        let names = self.files.withLock { Set($0.map(\.file.fileName)) }
        try FileSystem.createDirectories(self.storePath)
        var now = SystemClock.currentTimeMillis()
        var name = SystemClock.humanString(millis: now)
        while names.contains(name) {
            now += 1
            name = SystemClock.humanString(millis: now)
        }
        let file = try IndexFile.create(
            path: FileSystem.join(self.storePath, name), fileName: name, hashSlotNum: self.hashSlotNum,
            indexNum: self.indexNum, endPhyOffset: last?.endPhyOffset ?? 0, endTimestamp: last?.endTimestamp ?? 0)
        self.files.withLock { $0.append(file) }
        return file
    }

    /// Syncs files written since their last sync.
    func flush() throws(StoreError) {
        for file in self.indexFiles {
            try file.flushIfDirty()
        }
    }

    // MARK: Querying

    /// Java `queryOffset`: newest file first, files whose time range meets `[begin, end]`, at most
    /// `min(maxNum, maxMsgsNumBatch)` offsets.
    func queryOffset(topic: String, key: String, maxNum: Int, begin: Int64, end: Int64) -> QueryOffsetResult {
        let maxNum = min(maxNum, self.maxMsgsNumBatch)
        var result = QueryOffsetResult(phyOffsets: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyOffset: 0)
        let files = self.indexFiles
        guard let last = files.last else { return result }
        result.indexLastUpdateTimestamp = last.endTimestamp
        result.indexLastUpdatePhyOffset = last.endPhyOffset
        let indexKey = TagsCode.indexKey(topic: topic, key: key)
        for file in files.reversed() {
            if file.isTimeMatched(begin: begin, end: end) {
                file.selectPhyOffsets(&result.phyOffsets, key: indexKey, maxNum: maxNum, begin: begin, end: end)
            }
            if file.beginTimestamp < begin || result.phyOffsets.count >= maxNum { break }
        }
        return result
    }

    // MARK: Recovery

    /// Drops entries of messages at or beyond `phyOffset`, newest files first; a file left empty is deleted (the
    /// next message creates a new one).
    func truncate(from phyOffset: Int64, storeTimestamp: (Int64) -> Int64?) {
        while let last = self.files.withLock({ $0.last }) {
            let left = last.truncate(from: phyOffset, storeTimestamp: storeTimestamp)
            if left > 0 { break }
            self.files.withLock { _ = $0.popLast() }
            last.file.destroy()
            self.logger.info("index file emptied by recovery, deleted", metadata: ["file": "\(last.file.fileName)"])
        }
    }

    // MARK: Retention

    /// Java `IndexService.deleteExpiredFile`: deletes the files, oldest first and never the last, whose newest
    /// entry points below `offset` (the commit log's first offset). Returns the number deleted.
    func deleteExpiredFile(_ offset: Int64) -> Int {
        let expired = self.files.withLock { files -> [IndexFile] in
            guard files.count > 1 else { return [] }
            let count = files.dropLast().prefix(while: { $0.endPhyOffset < offset }).count
            defer { files.removeFirst(count) }
            return Array(files.prefix(count))
        }
        for file in expired {
            file.file.destroy()
            self.logger.info("index file expired, deleted", metadata: ["file": "\(file.file.fileName)"])
        }
        return expired.count
    }

    /// Deletes every index file.
    func destroy() {
        let all = self.files.withLock { files -> [IndexFile] in
            defer { files.removeAll() }
            return files
        }
        for file in all { file.file.destroy() }
    }
}
