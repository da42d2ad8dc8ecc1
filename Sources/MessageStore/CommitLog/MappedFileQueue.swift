import Synchronization

/// The files of one queue, in offset order (Java `MappedFileQueue`): the commit log's segments, or one consume
/// queue's files. Each file is named by the 20-digit offset of its first byte and holds `mappedFileSize` bytes.
///
/// The file list is under a mutex held only to copy or change the array; mapping, syncing and deleting happen
/// outside it.
final class MappedFileQueue: Sendable {
    let directory: String
    let mappedFileSize: Int
    private let files = LockedValue<[MappedFile]>([])
    /// Offset below which the queue is on disk (Java `flushedWhere`).
    private let flushedWhereValue = Atomic<Int64>(0)

    /// Files mapped without read-around (see ``MappedFile``).
    let randomAccess: Bool

    init(directory: String, mappedFileSize: Int, randomAccess: Bool = false) {
        self.randomAccess = randomAccess
        self.directory = directory
        self.mappedFileSize = mappedFileSize
    }

    /// Maps every file of the directory (Java `MappedFileQueue.load`). A file of another size is an error, as in
    /// Java, except an empty last file, which a crash during file creation leaves behind and which is removed.
    /// Names that are not offsets are skipped.
    func load() throws(StoreError) {
        let names = try FileSystem.contents(of: self.directory)
        var loaded: [MappedFile] = []
        for (index, name) in names.enumerated() {
            guard name.utf8.count == 20, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let offset = Int64(name) else {
                continue
            }
            let path = FileSystem.join(self.directory, name)
            if index == names.count - 1, try FileSystem.fileSize(path) == 0 {
                try FileSystem.removeFile(path)
                continue
            }
            loaded.append(try MappedFile.load(path: path, fileName: name, fileFromOffset: offset, fileSize: self.mappedFileSize,
                                              randomAccess: self.randomAccess))
        }
        self.files.withLock { $0 = loaded }
    }

    /// A copy of the file list.
    var mappedFiles: [MappedFile] {
        self.files.withLock { $0 }
    }

    var isEmpty: Bool {
        self.files.withLock { $0.isEmpty }
    }

    var firstMappedFile: MappedFile? {
        self.files.withLock { $0.first }
    }

    var lastMappedFile: MappedFile? {
        self.files.withLock { $0.last }
    }

    /// Offset of the first byte still held (Java `getMinOffset`), -1 when empty.
    var minOffset: Int64 {
        self.firstMappedFile?.fileFromOffset ?? -1
    }

    /// Offset after the last published byte (Java `getMaxOffset`), 0 when empty.
    var maxOffset: Int64 {
        guard let last = self.lastMappedFile else { return 0 }
        return last.fileFromOffset + Int64(last.readPosition)
    }

    var flushedWhere: Int64 {
        get { self.flushedWhereValue.load(ordering: .acquiring) }
        set { self.flushedWhereValue.store(newValue, ordering: .releasing) }
    }

    /// The file holding `offset` (Java `findMappedFileByOffset`); with `returnFirstOnNotFound`, the first file
    /// when none does.
    func findMappedFile(byOffset offset: Int64, returnFirstOnNotFound: Bool = false) -> MappedFile? {
        self.files.withLock { files -> MappedFile? in
            guard let first = files.first else { return nil }
            let size = Int64(self.mappedFileSize)
            if offset >= first.fileFromOffset {
                let index = Int(offset / size - first.fileFromOffset / size)
                if index < files.count {
                    let candidate = files[index]
                    if offset >= candidate.fileFromOffset && offset < candidate.fileFromOffset + size {
                        return candidate
                    }
                }
                // Files missing in the middle: search.
                if let match = files.first(where: { offset >= $0.fileFromOffset && offset < $0.fileFromOffset + size }) {
                    return match
                }
            }
            return returnFirstOnNotFound ? first : nil
        }
    }

    /// Creates the file starting at `offset`, without adding it.
    func makeMappedFile(offset: Int64, firstCreateInQueue: Bool = false) throws(StoreError) -> MappedFile {
        let name = FileSystem.offsetFileName(offset)
        return try MappedFile.create(
            path: FileSystem.join(self.directory, name), fileName: name, fileFromOffset: offset,
            fileSize: self.mappedFileSize, firstCreateInQueue: firstCreateInQueue, randomAccess: self.randomAccess)
    }

    /// Appends a file made by ``makeMappedFile(offset:firstCreateInQueue:)``; it must follow the last one.
    func append(_ file: MappedFile) {
        self.files.withLock { files in
            precondition(files.last.map { $0.fileFromOffset + Int64(self.mappedFileSize) == file.fileFromOffset } ?? true,
                "\(file.path) does not follow the last file")
            files.append(file)
        }
    }

    /// The last file, creating the next one when the queue is empty (at the file boundary at or below
    /// `startOffset`) or the last file is full (Java `getLastMappedFile(startOffset, true)`).
    func lastMappedFile(startOffset: Int64) throws(StoreError) -> MappedFile {
        let size = Int64(self.mappedFileSize)
        let (last, nextOffset) = self.files.withLock { files -> (MappedFile?, Int64) in
            guard let last = files.last else { return (nil, startOffset - startOffset % size) }
            return (last, last.fileFromOffset + size)
        }
        if let last, !last.isFull { return last }
        let file = try self.makeMappedFile(offset: nextOffset, firstCreateInQueue: last == nil)
        self.append(file)
        return file
    }

    /// Cuts the queue at `offset` (Java `truncateDirtyFiles`): the file holding it keeps its bytes below; later
    /// files are deleted.
    func truncateDirtyFiles(_ offset: Int64) {
        let removed = self.files.withLock { files -> [MappedFile] in
            var removed: [MappedFile] = []
            files.removeAll { file in
                let tail = file.fileFromOffset + Int64(self.mappedFileSize)
                guard tail > offset else { return false }
                if offset >= file.fileFromOffset {
                    file.setPositions(Int(offset - file.fileFromOffset))
                    return false
                }
                removed.append(file)
                return true
            }
            return removed
        }
        for file in removed { file.destroy() }
        if self.flushedWhere > offset { self.flushedWhere = offset }
    }

    /// Deletes the last file (consume-queue truncation).
    func deleteLastMappedFile() {
        let file = self.files.withLock { files in files.popLast() }
        file?.destroy()
    }

    /// Deletes the first file, even the only one (tests that need a file that is gone).
    func deleteFirstMappedFile() {
        let file = self.files.withLock { files in files.isEmpty ? nil : files.removeFirst() }
        file?.destroy()
    }

    /// Retention (Java `deleteExpiredFileByTime`): deletes files from the front, oldest first, while each was last
    /// modified at least `expiredTime` ms before `now` (any age with `cleanImmediately`); at most `batchMax`
    /// files, never the last one (the file being written), with `pause` between two deletions. Returns the
    /// number deleted.
    func deleteExpiredFileByTime(
        expiredTime: Int64, now: Int64, cleanImmediately: Bool, batchMax: Int, pause: () -> Void
    ) -> Int {
        let candidates = self.mappedFiles.dropLast()
        var deleted = 0
        for file in candidates {
            guard deleted < batchMax else { break }
            // Files in the middle are never deleted: stop at the first one still live.
            guard cleanImmediately || now >= file.lastModifiedTimestamp + expiredTime else { break }
            if deleted > 0 { pause() }
            guard self.removeFirst(file) else { break }
            file.destroy()
            deleted += 1
        }
        return deleted
    }

    /// Removes `file` from the list if it is the first one, so that readers stop finding it before it is unlinked.
    func removeFirst(_ file: MappedFile) -> Bool {
        self.files.withLock { files in
            guard files.first === file, files.count > 1 else { return false }
            files.removeFirst()
            return true
        }
    }

    /// Deletes every file.
    func destroyAll() {
        let all = self.files.withLock { files -> [MappedFile] in
            defer { files.removeAll() }
            return files
        }
        for file in all { file.destroy() }
        self.flushedWhere = 0
    }

    /// Syncs published bytes from ``flushedWhere`` on, file by file (Java `MappedFileQueue.flush`, which does
    /// one file per call). `leastPages` applies to the file being written. Returns whether anything was synced.
    @discardableResult
    func flush(leastPages: Int) throws(StoreError) -> Bool {
        let start = self.flushedWhere
        var where_ = start
        if let first = self.firstMappedFile, where_ < first.fileFromOffset {
            // Retention deleted files below the flushed offset: their bytes are gone, go on from the first file.
            where_ = first.fileFromOffset
        }
        while let file = self.findMappedFile(byOffset: where_, returnFirstOnNotFound: where_ == 0) {
            let position = try file.flush(leastPages: leastPages)
            where_ = file.fileFromOffset + Int64(position)
            // A full file that is on disk: go on with the next one.
            guard position == file.fileSize else { break }
        }
        self.flushedWhere = where_
        return where_ != start
    }
}
