import NIOCore

/// Outcome of appending replicated bytes (Java `CommitLog.appendData`).
public enum ReplicaAppendResult: Sendable, Hashable {
    case appended
    /// The bytes do not start at the log's end (the slave must reconnect and report its offset again).
    case offsetMismatch(expected: Int64)
    /// The bytes run past the end of the segment they start in (a master sends from one segment at a time).
    case crossesFileEnd
    /// The store is not running, or is read-only (disk full).
    case notAvailable
}

extension CommitLog {
    /// Copies published bytes from `offset` on, at most `maxSize` and never beyond the segment holding `offset`
    /// (Java `getCommitLogData`, then cut to the HA batch size). Nil when nothing is readable there.
    func readRaw(from offset: Int64, maxSize: Int) -> ByteBuffer? {
        guard maxSize > 0, let file = self.queue.findMappedFile(byOffset: offset, returnFirstOnNotFound: offset == 0),
            offset >= file.fileFromOffset
        else { return nil }
        let position = Int(offset - file.fileFromOffset)
        let size = min(maxSize, file.readPosition - position)
        guard size > 0 else { return nil }
        return withExtendedLifetime(file) { ByteBuffer(bytes: file.bytes(at: position, count: size)) }
    }

    /// Writes replicated bytes verbatim at `offset`, which must be the log's end, and publishes them (Java
    /// `appendData` on a slave). An empty log accepts any segment-aligned offset: a master answers a slave that
    /// reports 0 from the start of its last segment, so the slave's log starts there.
    func appendRaw(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws(StoreError) -> ReplicaAppendResult {
        try self.state.withLock { state throws(StoreError) -> ReplicaAppendResult in
            let end = self.queue.maxOffset
            let size = Int64(self.mappedFileSize)
            var file: MappedFile
            if end == 0 && offset > 0 {
                guard offset % size == 0 else { return .offsetMismatch(expected: end) }
                self.queue.destroyAll()
                file = try self.allocator.obtain(offset: offset)
                self.queue.append(file)
                self.queue.flushedWhere = offset
                state.current = file
            } else {
                guard offset == end else { return .offsetMismatch(expected: end) }
                file = try self.currentFile(&state)
            }
            let position = Int(offset - file.fileFromOffset)
            guard position == file.readPosition else { return .offsetMismatch(expected: file.fileFromOffset + Int64(file.readPosition)) }
            guard position + bytes.count <= file.fileSize else { return .crossesFileEnd }
            file.write(bytes, at: position)
            file.publish(wrotePosition: position + bytes.count)
            state.lastEntryEnd = offset + Int64(bytes.count)
            return .appended
        }
    }
}
