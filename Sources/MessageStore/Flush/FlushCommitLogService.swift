import RocketMQModel
import Logging
import Synchronization

/// ASYNC_FLUSH (Java `FlushRealTimeService`): every `flushIntervalCommitLog` ms, sync the commit log if at least
/// `flushCommitLogLeastPages` pages are dirty, and everything at least every `flushCommitLogThoroughInterval` ms.
/// Appends do not wake it (Java's default `flushCommitLogTimed`).
final class FlushCommitLogService: Sendable {
    private let thread = ServiceThread(name: "FlushCommitLog")
    private let interval: Int
    private let leastPages: Int
    private let thoroughInterval: Int
    /// Syncs with the given least pages.
    private let flush: @Sendable (Int) -> Void

    init(config: MessageStoreConfig, flush: @escaping @Sendable (Int) -> Void) {
        self.interval = config.flushIntervalCommitLog
        self.leastPages = config.flushCommitLogLeastPages
        self.thoroughInterval = config.flushCommitLogThoroughInterval
        self.flush = flush
    }

    func start() {
        self.thread.start { [self] service in
            var lastThorough: UInt64 = 0
            while !service.isStopped {
                var leastPages = self.leastPages
                let now = SystemClock.monotonicNanos() / 1_000_000
                if now >= lastThorough + UInt64(self.thoroughInterval) {
                    lastThorough = now
                    leastPages = 0
                }
                service.waitForRunning(milliseconds: self.interval)
                self.flush(leastPages)
            }
            // A clean stop leaves everything on disk.
            self.flush(0)
        }
    }

    func shutdown() {
        self.thread.shutdown()
    }
}

/// Java `FlushConsumeQueueService`: every `flushIntervalConsumeQueue` ms, sync consume queues with at least
/// `flushConsumeQueueLeastPages` dirty pages; every `flushConsumeQueueThoroughInterval` ms (and at stop) sync all
/// of them and the index, then write the checkpoint.
final class FlushConsumeQueueService: Sendable {
    private let thread = ServiceThread(name: "FlushConsumeQ")
    private let interval: Int
    private let leastPages: Int
    private let thoroughInterval: Int
    /// Flushes with the given least pages; `thorough` also syncs the index and writes the checkpoint.
    private let flush: @Sendable (_ leastPages: Int, _ thorough: Bool) -> Void

    init(config: MessageStoreConfig, flush: @escaping @Sendable (Int, Bool) -> Void) {
        self.interval = config.flushIntervalConsumeQueue
        self.leastPages = config.flushConsumeQueueLeastPages
        self.thoroughInterval = config.flushConsumeQueueThoroughInterval
        self.flush = flush
    }

    func start() {
        self.thread.start { [self] service in
            // As in Java, the first pass is a thorough one (and writes the checkpoint).
            var lastThorough: UInt64 = 0
            while !service.isStopped {
                service.waitForRunning(milliseconds: self.interval)
                let now = SystemClock.monotonicNanos() / 1_000_000
                if now >= lastThorough + UInt64(self.thoroughInterval) {
                    lastThorough = now
                    self.flush(0, true)
                } else {
                    self.flush(self.leastPages, false)
                }
            }
            self.flush(0, true)
        }
    }

    func shutdown() {
        self.thread.shutdown()
    }
}
