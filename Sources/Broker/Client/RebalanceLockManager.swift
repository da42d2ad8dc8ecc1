import RemotingCodec

/// Queue locks of orderly consumers (Java `RebalanceLockManager`): per group, each queue belongs to at most
/// one client, which must renew it (LOCK_BATCH_MQ, every 20 s in Java's client) before it expires.
public struct RebalanceLockManager: Sendable {
    /// Java's `rocketmq.broker.rebalance.lockMaxLiveTime` default.
    public static let lockMaxLiveMillis: Int64 = 60_000

    struct LockEntry: Sendable {
        var clientId: String
        var lastUpdateTimestamp: Int64

        func isExpired(now: Int64) -> Bool { now - lastUpdateTimestamp > RebalanceLockManager.lockMaxLiveMillis }
        func isLocked(by clientId: String, now: Int64) -> Bool { self.clientId == clientId && !isExpired(now: now) }
    }

    private var table: [String: [MessageQueue: LockEntry]] = [:]

    public init() {}

    /// Java `tryLockBatch`: the queues now locked by `clientId` — those it held (renewed), free ones and
    /// expired ones it takes over; queues another live client holds are left out.
    public mutating func tryLockBatch(group: String, queues: [MessageQueue], clientId: String, now: Int64) -> [MessageQueue] {
        var locked: [MessageQueue] = []
        var entries = table[group, default: [:]]
        for queue in queues {
            if let entry = entries[queue], !entry.isExpired(now: now), entry.clientId != clientId { continue }
            entries[queue] = LockEntry(clientId: clientId, lastUpdateTimestamp: now)
            locked.append(queue)
        }
        table[group] = entries
        return locked
    }

    /// Java `unlockBatch`: releases the queues `clientId` holds; others' locks stay.
    public mutating func unlockBatch(group: String, queues: [MessageQueue], clientId: String) {
        guard var entries = table[group] else { return }
        for queue in queues where entries[queue]?.clientId == clientId { entries[queue] = nil }
        table[group] = entries.isEmpty ? nil : entries
    }

    /// The live holder of a queue's lock, if any.
    public func owner(group: String, queue: MessageQueue, now: Int64) -> String? {
        guard let entry = table[group]?[queue], !entry.isExpired(now: now) else { return nil }
        return entry.clientId
    }
}
