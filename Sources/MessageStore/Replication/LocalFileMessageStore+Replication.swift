import NIOCore

/// The raw commit-log API the HA connections use (Java `getCommitLogData` and `appendToCommitLog`). Offsets
/// are physical offsets; the bytes are stored entries, possibly cut mid-entry at a batch boundary.
extension LocalFileMessageStore {
    /// Up to `maxSize` published bytes from `offset`, within the segment holding it; nil when there are none.
    public func commitLogData(from offset: Int64, maxSize: Int) -> ByteBuffer? {
        self.commitLog.readRaw(from: offset, maxSize: maxSize)
    }

    /// Appends bytes a master sent at `offset` (the log's end) on a slave, and wakes the dispatcher, which turns
    /// every complete entry into its consume-queue unit and index keys. An entry cut at a batch boundary waits
    /// for the rest.
    public func appendToCommitLog(at offset: Int64, data: ByteBuffer) -> ReplicaAppendResult {
        guard self.isRunning, !self.runningFlags.isDiskFull else { return .notAvailable }
        let outcome = data.withUnsafeReadableBytes { bytes in
            Result { () throws(StoreError) in try self.commitLog.appendRaw(at: offset, bytes) }
        }
        switch outcome {
        case .success(let result):
            if result == .appended { self.reput.wakeup() }
            return result
        case .failure(let error):
            if error.isOutOfSpace { _ = self.runningFlags.getAndMakeDiskFull() }
            self.logger.error("cannot append replicated commit-log data", metadata: ["offset": "\(offset)", "error": "\(error)"])
            return .notAvailable
        }
    }
}
