import MessageStore
import NIOCore

/// The HA timings and sizes of `MessageStoreConfig` (PROTOCOL.md §5.12), as NIO amounts.
public struct HASettings: Sendable, Hashable {
    /// `haSendHeartbeatInterval`.
    public var heartbeatInterval: TimeAmount
    /// `haHousekeepingInterval`: a connection silent this long is closed.
    public var housekeepingInterval: TimeAmount
    /// `haTransferBatchSize`.
    public var transferBatchSize: Int
    /// `mappedFileSizeCommitLog`: where a slave reporting 0 starts (the master's last segment).
    public var mappedFileSizeCommitLog: Int
    /// How often a connection checks for data, heartbeats and silence when nothing woke it (Java's write loop
    /// waits 100 ms).
    public var pollInterval: TimeAmount = .milliseconds(100)

    public init(_ config: MessageStoreConfig) {
        self.heartbeatInterval = .milliseconds(Int64(max(1, config.haSendHeartbeatInterval)))
        self.housekeepingInterval = .milliseconds(Int64(max(1, config.haHousekeepingInterval)))
        // The size goes out as a 32-bit int; a Java slave reads at most 4 MiB at a time anyway.
        self.transferBatchSize = min(max(1, config.haTransferBatchSize), Int(Int32.max))
        self.mappedFileSizeCommitLog = config.mappedFileSizeCommitLog
    }
}
