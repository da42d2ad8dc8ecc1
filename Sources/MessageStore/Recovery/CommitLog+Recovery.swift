import Logging
import RocketMQModel

/// What commit-log recovery found.
struct CommitLogRecovery: Sendable {
    /// End of the last complete entry: the new write position.
    var processOffset: Int64
    /// After an abnormal stop, the first entry the checkpoint does not vouch for; dispatch must restart there.
    var dispatchFrom: Int64?
    /// Bytes after `processOffset` in its file that were not zero (a torn tail) and have been cleared.
    var tornTail: Bool
}

extension CommitLog {
    /// Finds the end of the log and cuts everything after it (Java `recoverNormally` / `recoverAbnormally`).
    ///
    /// After a clean stop the scan starts at the third-last file; after an abnormal one, at the last file whose
    /// first entry is older than the checkpoint's minimum timestamp (`messageIndexSafe` also counts the index
    /// timestamp). Every entry must have the magic, consistent lengths, its own position as PHYSICALOFFSET and,
    /// with `checkCRCOnRecover`, a matching body CRC; the first that does not ends the log. Later files are
    /// deleted, and after an abnormal stop (or when the bytes after the end are not zero) the rest of the last
    /// file is zeroed so stale bytes can never pass for entries.
    ///
    /// Unlike Java, the body CRC is checked only for entries stored after the checkpoint's minimum timestamp:
    /// the checkpoint vouches that the older ones were synced, and the CRCs of a gigabyte cost seconds. The
    /// structural checks still apply to every entry.
    func recover(lastExitOK: Bool, checkpoint: StoreCheckpoint) -> CommitLogRecovery {
        let files = self.queue.mappedFiles
        guard !files.isEmpty else {
            self.queue.flushedWhere = 0
            return CommitLogRecovery(processOffset: 0, dispatchFrom: nil, tornTail: false)
        }
        var index: Int
        var threshold: Int64 = 0
        let vouchedUpTo = checkpoint.minTimestamp
        if lastExitOK {
            index = max(0, files.count - 3)
        } else {
            threshold = self.config.messageIndexEnable && self.config.messageIndexSafe
                ? checkpoint.minTimestampIndex : checkpoint.minTimestamp
            index = files.lastIndex(where: { self.isMatchedRecover($0, threshold: threshold) }) ?? 0
            self.logger.info("abnormal recovery starts at a commit-log file", metadata: [
                "file": "\(files[index].fileName)", "checkpointMinTimestamp": "\(threshold)",
            ])
        }
        var dispatchFrom: Int64? = nil
        var file = files[index]
        var position = 0
        var endedAtBlank = false
        scan: while true {
            let bytes = file.bytes(at: position, count: file.fileSize - position)
            let offset = file.fileFromOffset + Int64(position)
            let check = withExtendedLifetime(file) { () -> EntryShape in
                let shape = self.inspectEntry(bytes, physicalOffset: offset, checkCRC: false, checkPhysicalOffset: true)
                if case .entry(let entry) = shape, self.config.checkCRCOnRecover, entry.storeTimestamp > vouchedUpTo,
                    !entry.bodyCRCMatches(bytes)
                {
                    return .invalid
                }
                return shape
            }
            switch check {
            case .entry(let entry):
                if !lastExitOK && dispatchFrom == nil && entry.storeTimestamp >= threshold {
                    dispatchFrom = offset
                }
                position += Int(entry.totalSize)
            case .blank:
                guard index + 1 < files.count else {
                    endedAtBlank = true
                    break scan
                }
                index += 1
                file = files[index]
                position = 0
            case .invalid, .sizeMismatch:
                break scan
            }
        }
        let processOffset = file.fileFromOffset + Int64(position)
        let probe = min(8, file.fileSize - position)
        let tornTail = !endedAtBlank && probe > 0
            && withExtendedLifetime(file) { file.bytes(at: position, count: probe).contains(where: { $0 != 0 }) }
        self.queue.flushedWhere = processOffset
        self.queue.truncateDirtyFiles(processOffset)
        if !lastExitOK || tornTail {
            file.zero(from: position)
        }
        if tornTail {
            self.logger.warning("commit log had a torn or invalid entry after its last complete one; cut", metadata: [
                "offset": "\(processOffset)",
            ])
        }
        return CommitLogRecovery(processOffset: processOffset, dispatchFrom: dispatchFrom, tornTail: tornTail)
    }

    /// Java `isMappedFileMatchedRecover`: the file's first entry is a message stored at or before `threshold`.
    private func isMatchedRecover(_ file: MappedFile, threshold: Int64) -> Bool {
        guard file.loadInt32(at: 4) == Self.messageMagicCode else { return false }
        let sysFlag = MessageSysFlag(rawValue: file.loadInt32(at: Self.sysFlagPosition))
        let storeTimestamp = file.loadInt64(at: Self.storeTimestampPosition(sysFlag: sysFlag))
        return storeTimestamp != 0 && storeTimestamp <= threshold
    }
}
