import Logging
import RocketMQModel
import Synchronization

/// Retention and the disk check (Java `DefaultMessageStore.CleanCommitLogService`, `CleanConsumeQueueService`
/// and the `isSpaceFull` task), on one store-owned thread.
///
/// Every `cleanResourceInterval` ms (the first run a minute after start) a pass deletes commit-log files last
/// modified more than `fileReservedTime` hours ago — at a `deleteWhen` hour, or at any hour when the disk is above
/// `diskMaxUsedSpaceRatio` — and, above `diskSpaceCleanForciblyRatio`, whatever their age; never the file being
/// written, at most `deleteFileBatchMax` per pass, `deleteCommitLogFilesInterval` ms apart. Then consume-queue
/// and index files wholly below the commit log's new first offset go. Every 10 s (the first after 1 s) the disk
/// check marks the store full above `diskSpaceWarningLevelRatio` (puts get SERVICE_NOT_AVAILABLE) and writeable
/// again below it.
///
/// A deleted file is unlinked at once and unmapped when its last reader lets go (``MappedFile/destroy()``), so a
/// read under way keeps valid bytes and deletion never waits: Java's `destroyMapedFileIntervalForcibly` and its
/// re-deletion of hanging files have nothing to do here.
final class RetentionService: Sendable {
    /// What one pass did.
    struct Pass: Sendable, Hashable {
        /// Now was a `deleteWhen` hour.
        var timeUp = false
        /// The disk was above `diskMaxUsedSpaceRatio` (or could not be measured).
        var spaceFull = false
        /// Files were deleted whatever their age.
        var cleanAtOnce = false
        var commitLogFilesDeleted = 0
        var consumeQueueFilesDeleted = 0
        var indexFilesDeleted = 0
    }

    /// Java `MAX_MANUAL_DELETE_FILE_TIMES`.
    static let maxManualDeleteFileTimes = 20

    private struct State {
        /// Set by the last `isSpaceToDelete`: the disk is above the clean-forcibly or warning ratio.
        var cleanImmediately = false
        var manualDeleteFileSeveralTimes = 0
        /// Java `CleanConsumeQueueService.lastPhysicalMinOffset`.
        var lastPhysicalMinOffset: Int64 = 0
    }

    private let config: MessageStoreConfig
    private let commitLog: CommitLog
    private let consumeQueues: ConsumeQueueTable
    private let indexService: IndexService
    private let runningFlags: RunningFlags
    private let environment: RetentionEnvironment
    private let logger: Logger
    private let state = LockedValue(State())
    /// Serialises passes between the thread and direct callers.
    private let passLock = LockedValue<Void>(())
    private let thread = ServiceThread(name: "StoreRetention")

    init(
        config: MessageStoreConfig, commitLog: CommitLog, consumeQueues: ConsumeQueueTable, indexService: IndexService,
        runningFlags: RunningFlags, environment: RetentionEnvironment, logger: Logger
    ) {
        self.config = config
        self.commitLog = commitLog
        self.consumeQueues = consumeQueues
        self.indexService = indexService
        self.runningFlags = runningFlags
        self.environment = environment
        self.logger = logger
    }

    func start() {
        self.thread.start { [self] service in
            let start = SystemClock.monotonicNanos() / 1_000_000
            var nextClean = start + UInt64(self.environment.firstCleanDelayMillis)
            var nextDiskCheck = start + UInt64(self.environment.firstDiskCheckDelayMillis)
            while !service.isStopped {
                let now = SystemClock.monotonicNanos() / 1_000_000
                if now >= nextDiskCheck {
                    _ = self.isSpaceFull()
                    nextDiskCheck = now + UInt64(self.environment.diskCheckIntervalMillis)
                }
                if now >= nextClean {
                    _ = self.cleanFilesPeriodically()
                    nextClean = SystemClock.monotonicNanos() / 1_000_000 + UInt64(max(1, self.config.cleanResourceInterval))
                }
                let after = SystemClock.monotonicNanos() / 1_000_000
                let next = min(nextClean, nextDiskCheck)
                service.waitForRunning(milliseconds: next > after ? Int(next - after) : 1)
            }
        }
    }

    func shutdown() {
        self.thread.shutdown()
    }

    /// Java `executeDeleteFilesManually`: the next 20 passes delete expired files at any hour.
    func executeDeleteFilesManually() {
        self.state.withLock { $0.manualDeleteFileSeveralTimes = Self.maxManualDeleteFileTimes }
        self.logger.info("executeDeleteFilesManually was invoked")
    }

    // MARK: Passes

    /// One retention pass (Java `cleanFilesPeriodically`): the commit log, then consume queues and index.
    func cleanFilesPeriodically() -> Pass {
        self.passLock.withLock { _ in
            var pass = Pass()
            self.deleteExpiredCommitLogFiles(&pass)
            self.deleteExpiredLogicFiles(&pass)
            return pass
        }
    }

    /// Java `CleanCommitLogService.deleteExpiredFiles`.
    private func deleteExpiredCommitLogFiles(_ pass: inout Pass) {
        let now = self.environment.currentTimeMillis()
        pass.timeUp = Self.isItTimeToDo(self.config.deleteWhen, hour: RetentionEnvironment.hourOfDay(millis: now))
        pass.spaceFull = self.isSpaceToDelete()
        let (manualDelete, cleanImmediately) = self.state.withLock { state -> (Bool, Bool) in
            let manual = state.manualDeleteFileSeveralTimes > 0
            if manual { state.manualDeleteFileSeveralTimes -= 1 }
            return (manual, state.cleanImmediately)
        }
        guard pass.timeUp || pass.spaceFull || manualDelete else { return }
        pass.cleanAtOnce = self.config.cleanFileForciblyEnable && cleanImmediately
        self.logger.info("deleting expired commit-log files", metadata: [
            "fileReservedTime": "\(self.config.fileReservedTime)", "timeup": "\(pass.timeUp)",
            "spacefull": "\(pass.spaceFull)", "manualDelete": "\(manualDelete)", "cleanAtOnce": "\(pass.cleanAtOnce)",
        ])
        pass.commitLogFilesDeleted = self.commitLog.queue.deleteExpiredFileByTime(
            expiredTime: Int64(self.config.fileReservedTime) * 3_600_000, now: now, cleanImmediately: pass.cleanAtOnce,
            batchMax: max(1, self.config.deleteFileBatchMax), pause: { self.pause(self.config.deleteCommitLogFilesInterval) })
        if pass.commitLogFilesDeleted > 0 {
            self.logger.info("commit-log files deleted", metadata: [
                "count": "\(pass.commitLogFilesDeleted)", "minPhyOffset": "\(self.commitLog.minOffset)",
            ])
        } else if pass.spaceFull {
            self.logger.warning("disk space will be full soon, but no commit-log file could be deleted")
        }
    }

    /// Java `CleanConsumeQueueService.deleteExpiredFiles`: once the commit log's first offset has moved.
    private func deleteExpiredLogicFiles(_ pass: inout Pass) {
        let minOffset = self.commitLog.minOffset
        let moved = self.state.withLock { state -> Bool in
            guard minOffset > state.lastPhysicalMinOffset else { return false }
            state.lastPhysicalMinOffset = minOffset
            return true
        }
        guard moved else { return }
        for queue in self.consumeQueues.all {
            guard !self.thread.isStopped else { return }
            let deleted = queue.deleteExpiredFile(minOffset)
            pass.consumeQueueFilesDeleted += deleted
            if deleted > 0 { self.pause(self.config.deleteConsumeQueueFilesInterval) }
        }
        pass.indexFilesDeleted = self.indexService.deleteExpiredFile(minOffset)
        if pass.consumeQueueFilesDeleted > 0 || pass.indexFilesDeleted > 0 {
            self.logger.info("consume-queue and index files below the commit log deleted", metadata: [
                "consumeQueueFiles": "\(pass.consumeQueueFilesDeleted)", "indexFiles": "\(pass.indexFilesDeleted)",
                "minPhyOffset": "\(minOffset)",
            ])
        }
    }

    /// Waits between deletions (Java sleeps); a shutdown cuts it short.
    private func pause(_ milliseconds: Int) {
        guard milliseconds > 0, !self.thread.isStopped else { return }
        self.thread.waitForRunning(milliseconds: milliseconds)
    }

    /// Java `UtilAll.isItTimeToDo`: `when` lists hours (`04;16`); pieces that are not numbers never match
    /// (Java's parse error skips the whole pass).
    static func isItTimeToDo(_ when: String, hour: Int) -> Bool {
        when.split(separator: ";").contains { Int($0) == hour }
    }

    // MARK: Disk

    /// Java `CleanCommitLogService.isSpaceToDelete`: measures the commit log's and then the consume queues'
    /// file systems; above the warning ratio marks the disk full, above the clean-forcibly ratio asks for files
    /// to go whatever their age, else marks the disk OK. True when one is above `diskMaxUsedSpaceRatio` (or
    /// cannot be measured).
    func isSpaceToDelete() -> Bool {
        let ratio = Double(self.config.diskMaxUsedSpaceRatio) / 100
        self.state.withLock { $0.cleanImmediately = false }
        for (path, name) in [(self.config.storePathCommitLog, "commit log"), (self.config.storePathConsumeQueue, "consume queues")] {
            let used = self.environment.diskUsedRatio(path)
            if used > self.warningRatio {
                if self.runningFlags.getAndMakeDiskFull() {
                    self.logger.error("disk maybe full soon; puts refused", metadata: [
                        "of": "\(name)", "used": "\(used)", "path": "\(path)",
                    ])
                }
                self.state.withLock { $0.cleanImmediately = true }
            } else if used > self.cleanForciblyRatio {
                self.state.withLock { $0.cleanImmediately = true }
            } else if !self.runningFlags.getAndMakeDiskOK() {
                self.logger.info("disk space OK; puts accepted again", metadata: ["of": "\(name)", "used": "\(used)"])
            }
            if used < 0 || used > ratio {
                self.logger.info("disk maybe full soon, reclaiming space", metadata: [
                    "of": "\(name)", "used": "\(used)", "path": "\(path)",
                ])
                return true
            }
        }
        return false
    }

    /// Java `CleanCommitLogService.isSpaceFull` (every 10 s): the commit log's file system above the warning
    /// ratio marks the disk full, below it OK. Returns whether it is full.
    func isSpaceFull() -> Bool {
        let path = self.config.storePathCommitLog
        let used = self.environment.diskUsedRatio(path)
        if used > Double(self.config.diskMaxUsedSpaceRatio) / 100 {
            self.logger.info("disk of the commit log above diskMaxUsedSpaceRatio", metadata: ["used": "\(used)"])
        }
        if used > self.warningRatio {
            if self.runningFlags.getAndMakeDiskFull() {
                self.logger.error("disk of the commit log maybe full soon; puts refused", metadata: [
                    "used": "\(used)", "path": "\(path)",
                ])
            }
            return true
        }
        if !self.runningFlags.getAndMakeDiskOK() {
            self.logger.info("disk of the commit log OK; puts accepted again", metadata: ["used": "\(used)"])
        }
        return false
    }

    private var warningRatio: Double { Double(self.config.diskSpaceWarningLevelRatio) / 100 }
    private var cleanForciblyRatio: Double { Double(self.config.diskSpaceCleanForciblyRatio) / 100 }
}
