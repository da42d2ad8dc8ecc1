import Synchronization

/// The `checkpoint` file (Java `StoreCheckpoint`, PROTOCOL.md §4.12): 4096 bytes holding big-endian longs at 0
/// `physicMsgTimestamp` (newest message known flushed in the commit log), 8 `logicsMsgTimestamp` (newest message
/// in the consume queues) and 16 `indexMsgTimestamp`. Abnormal recovery starts scanning at the file whose first
/// message is older than their minimum (less 3 s).
///
/// The values live in memory and reach the file only on ``flush()``.
final class StoreCheckpoint: Sendable {
    static let fileSize = 4096

    private let file: MappedFile
    private let physic: Atomic<Int64>
    private let logics: Atomic<Int64>
    private let index: Atomic<Int64>

    init(path: String) throws(StoreError) {
        let file: MappedFile
        if try FileSystem.fileSize(path) != nil {
            file = try MappedFile.load(path: path, fileName: "checkpoint", fileFromOffset: 0, fileSize: Self.fileSize)
        } else {
            file = try MappedFile.create(path: path, fileName: "checkpoint", fileFromOffset: 0, fileSize: Self.fileSize)
        }
        self.file = file
        self.physic = Atomic(file.loadInt64(at: 0))
        self.logics = Atomic(file.loadInt64(at: 8))
        self.index = Atomic(file.loadInt64(at: 16))
    }

    var physicMsgTimestamp: Int64 {
        get { self.physic.load(ordering: .acquiring) }
        set { self.physic.store(newValue, ordering: .releasing) }
    }

    var logicsMsgTimestamp: Int64 {
        get { self.logics.load(ordering: .acquiring) }
        set { self.logics.store(newValue, ordering: .releasing) }
    }

    var indexMsgTimestamp: Int64 {
        get { self.index.load(ordering: .acquiring) }
        set { self.index.store(newValue, ordering: .releasing) }
    }

    /// Java `getMinTimestamp`: min(physic, logics) − 3 s, not below 0.
    var minTimestamp: Int64 {
        max(0, min(self.physicMsgTimestamp, self.logicsMsgTimestamp) - 3000)
    }

    /// Java `getMinTimestampIndex`: also bounded by the index timestamp.
    var minTimestampIndex: Int64 {
        min(self.minTimestamp, self.indexMsgTimestamp)
    }

    /// Writes the three values and syncs the file.
    func flush() throws(StoreError) {
        try self.flush(logics: self.logicsMsgTimestamp, index: self.indexMsgTimestamp)
    }

    /// Writes `physicMsgTimestamp` and the given logics and index timestamps — captured before the consume
    /// queues and index were synced, so that the file never claims more than is on disk — and syncs the file.
    func flush(logics: Int64, index: Int64) throws(StoreError) {
        self.file.storeInt64(self.physicMsgTimestamp, at: 0)
        self.file.storeInt64(logics, at: 8)
        self.file.storeInt64(index, at: 16)
        try self.file.syncAll()
    }
}
