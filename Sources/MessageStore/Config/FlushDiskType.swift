/// When an append is acknowledged (Java `FlushDiskType`, PROTOCOL.md §5.13).
public enum FlushDiskType: String, Sendable, Hashable, CaseIterable {
    /// Answer once the bytes are in the page cache; a store thread syncs every `flushIntervalCommitLog` ms.
    case asyncFlush = "ASYNC_FLUSH"
    /// Answer a `WAIT=true` append only after its bytes are synced (group commit), at most `syncFlushTimeout`.
    case syncFlush = "SYNC_FLUSH"
}
