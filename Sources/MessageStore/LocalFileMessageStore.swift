import Logging
import Metrics
import NIOCore
import RocketMQModel
import Synchronization

/// The message store (the role of Java's `DefaultMessageStore`, without its god-object duties): it composes the
/// ``CommitLog``, the consume queues, the ``IndexService``, the flush services, the dispatcher and the checkpoint,
/// and offers puts and reads. A directory written by Apache RocketMQ 4.9.8 opens as is, and the other way round.
///
/// Life cycle: `init` loads and recovers the directory (replaying dispatch up to the end of the log), ``start()``
/// starts the store's threads (flush, dispatch, allocation, retention) and writes the `abort` file,
/// ``shutdown()`` flushes everything, writes the checkpoint and removes `abort`. Puts are refused
/// (SERVICE_NOT_AVAILABLE) outside `start()`…`shutdown()` and while the disk is full.
public final class LocalFileMessageStore: Sendable {
    public let config: MessageStoreConfig
    let logger: Logger
    let lockFile: StoreLockFile
    let commitLog: CommitLog
    let consumeQueues: ConsumeQueueTable
    let indexService: IndexService
    let checkpoint: StoreCheckpoint
    let reput: ReputMessageService
    let groupCommit: GroupCommitService?
    let flushCommitLog: FlushCommitLogService?
    let flushConsumeQueue: FlushConsumeQueueService
    let retention: RetentionService
    /// Slaves' acknowledgements and the SYNC_MASTER puts waiting for them (reported by `HAReplication`).
    public let groupTransfer: GroupTransferService
    /// The disk-full bit (Java `RunningFlags`).
    let runningFlags: RunningFlags
    /// Whether the previous run stopped cleanly (no `abort` file was found).
    public let lastExitOK: Bool
    /// What recovery did.
    public let recovery: RecoveryReport

    private enum RunState: Int {
        case opened = 0
        case running = 1
        case shutDown = 2
    }

    private let runState = Atomic<Int>(RunState.opened.rawValue)
    /// The replication role in force: `brokerRole` at start, data rather than a constant so that a failover
    /// can change it (``brokerRole``).
    private let role: Atomic<UInt8>

    /// Opens and recovers the store in `config.storePathRootDir`, creating it if needed.
    ///
    /// - Parameter messageArriving: called on the dispatch thread when a message reaches its consume queue
    ///   (long-polling wake-ups). It must not block.
    public convenience init(
        config: MessageStoreConfig, logger: Logger = Logger(label: "rocketmq.store"),
        messageArriving: (@Sendable (MessageArrival) -> Void)? = nil
    ) throws(StoreError) {
        try self.init(config: config, logger: logger, environment: .system, messageArriving: messageArriving)
    }

    /// Opens the store with retention reading `environment`'s clock, disk probe and schedule (tests).
    init(
        config: MessageStoreConfig, logger: Logger, environment: RetentionEnvironment,
        messageArriving: (@Sendable (MessageArrival) -> Void)? = nil
    ) throws(StoreError) {
        self.config = config
        self.logger = logger
        self.role = Atomic(Self.roleCode(config.brokerRole))
        try FileSystem.createDirectories(config.storePathRootDir)
        try FileSystem.createDirectories(config.storePathCommitLog)
        try FileSystem.createDirectories(config.storePathConsumeQueue)
        self.lockFile = try StoreLockFile(path: config.lockFilePath)
        self.lastExitOK = !FileSystem.exists(config.abortFilePath)

        let runningFlags = RunningFlags()
        self.runningFlags = runningFlags
        let commitLog = CommitLog(config: config, logger: logger, runningFlags: runningFlags)
        let consumeQueues = ConsumeQueueTable(
            storePath: config.storePathConsumeQueue, mappedFileSize: config.mappedFileSizeConsumeQueue, logger: logger)
        let indexService = IndexService(config: config, logger: logger)
        try commitLog.queue.load()
        try consumeQueues.load()
        let checkpoint = try StoreCheckpoint(path: config.storeCheckpointPath)
        try indexService.load()
        self.commitLog = commitLog
        self.consumeQueues = consumeQueues
        self.indexService = indexService
        self.checkpoint = checkpoint

        let reput = ReputMessageService(
            commitLog: commitLog, consumeQueues: consumeQueues, indexService: indexService, checkpoint: checkpoint,
            config: config, arrivalListener: messageArriving, logger: logger)
        self.reput = reput
        // How long a commit-log flush that wrote pages took (made once per store; read by `/metrics`).
        let flushLatency = Timer(label: "rocketmq_storage_flush_latency")
        if config.flushDiskType == .syncFlush {
            self.groupCommit = GroupCommitService(logger: logger) {
                do {
                    let started = NIODeadline.now()
                    if let timestamp = try commitLog.flush(leastPages: 0) {
                        flushLatency.recordNanoseconds(Int64((NIODeadline.now() - started).nanoseconds))
                        checkpoint.physicMsgTimestamp = timestamp
                    }
                } catch {
                    logger.error("commit-log sync failed", metadata: ["error": "\(error)"])
                }
                reput.wakeup()
                return commitLog.flushedWhere
            }
            self.flushCommitLog = nil
        } else {
            self.groupCommit = nil
            self.flushCommitLog = FlushCommitLogService(config: config) { leastPages in
                do {
                    let started = NIODeadline.now()
                    if let timestamp = try commitLog.flush(leastPages: leastPages) {
                        flushLatency.recordNanoseconds(Int64((NIODeadline.now() - started).nanoseconds))
                        checkpoint.physicMsgTimestamp = timestamp
                    }
                } catch {
                    logger.error("commit-log flush failed", metadata: ["error": "\(error)"])
                }
            }
        }
        self.flushConsumeQueue = FlushConsumeQueueService(config: config) { leastPages, thorough in
            Self.flushLogics(
                consumeQueues: consumeQueues, indexService: indexService, checkpoint: checkpoint,
                leastPages: leastPages, thorough: thorough, logger: logger)
        }

        self.groupTransfer = GroupTransferService(logger: logger)
        self.retention = RetentionService(
            config: config, commitLog: commitLog, consumeQueues: consumeQueues, indexService: indexService,
            runningFlags: runningFlags, environment: environment, logger: logger)

        self.recovery = try Self.recover(
            lastExitOK: self.lastExitOK, config: config, commitLog: commitLog, consumeQueues: consumeQueues,
            indexService: indexService, checkpoint: checkpoint, reput: reput, logger: logger)
        logger.info("message store loaded", metadata: [
            "storePathRootDir": "\(config.storePathRootDir)", "lastExitOK": "\(self.lastExitOK)",
            "maxPhyOffset": "\(commitLog.maxOffset)",
        ])
    }

    /// Starts the flush, dispatch and allocation threads and writes the `abort` file (Java `start`).
    public func start() throws(StoreError) {
        guard self.runState.compareExchange(
            expected: RunState.opened.rawValue, desired: RunState.running.rawValue, ordering: .acquiringAndReleasing
        ).exchanged else {
            if self.runState.load(ordering: .acquiring) == RunState.shutDown.rawValue { throw .shutDown }
            return
        }
        do {
            try FileSystem.createEmptyFile(self.config.abortFilePath)
            try self.commitLog.startAllocator()
        } catch {
            self.runState.store(RunState.opened.rawValue, ordering: .releasing)
            throw error
        }
        self.reput.start()
        self.flushConsumeQueue.start()
        self.flushCommitLog?.start()
        self.groupCommit?.start()
        self.groupTransfer.start()
        self.retention.start()
    }

    /// Stops the threads after a final flush of the commit log, dispatch, consume queues, index and checkpoint,
    /// and removes `abort` when everything got through (Java `shutdown`). Safe to call twice. Stop sending puts
    /// first: one racing with the shutdown may be answered FLUSH_DISK_TIMEOUT (SYNC_FLUSH) or land after the
    /// final flush.
    public func shutdown() {
        let previous = self.runState.exchange(RunState.shutDown.rawValue, ordering: .acquiringAndReleasing)
        guard previous != RunState.shutDown.rawValue else { return }
        self.retention.shutdown()
        self.flushCommitLog?.shutdown()
        self.groupCommit?.shutdown()
        self.groupTransfer.shutdown()
        if previous == RunState.opened.rawValue {
            // Never started: flush what recovery wrote.
            _ = try? self.commitLog.flush(leastPages: 0)
        }
        self.reput.shutdown()
        self.flushConsumeQueue.shutdown()
        if previous == RunState.opened.rawValue {
            Self.flushLogics(
                consumeQueues: self.consumeQueues, indexService: self.indexService, checkpoint: self.checkpoint,
                leastPages: 0, thorough: true, logger: self.logger)
        }
        self.commitLog.shutdownAllocator()
        let clean = self.reput.behind <= 0 && !self.reput.isFailing
            && self.commitLog.flushedWhere >= self.commitLog.maxOffset
        do {
            try self.checkpoint.flush()
            if clean {
                try FileSystem.removeFile(self.config.abortFilePath)
                FileSystem.syncDirectory(containing: self.config.abortFilePath)
            } else {
                self.logger.warning("message store stopped with work left; the next start recovers abnormally", metadata: [
                    "dispatchBehindBytes": "\(self.reput.behind)",
                ])
            }
        } catch {
            self.logger.error("message store shutdown failed", metadata: ["error": "\(error)"])
        }
        self.lockFile.release()
        self.logger.info("message store shut down")
    }

    var isRunning: Bool {
        self.runState.load(ordering: .acquiring) == RunState.running.rawValue
    }

    /// The flush of consume queues and index, and (thorough) the checkpoint, with the timestamps captured before
    /// the syncs so the file never claims more than is on disk.
    static func flushLogics(
        consumeQueues: ConsumeQueueTable, indexService: IndexService, checkpoint: StoreCheckpoint, leastPages: Int,
        thorough: Bool, logger: Logger
    ) {
        let logics = checkpoint.logicsMsgTimestamp
        let index = checkpoint.indexMsgTimestamp
        do {
            for queue in consumeQueues.all {
                try queue.flush(leastPages: leastPages)
            }
            guard thorough else { return }
            try indexService.flush()
            try checkpoint.flush(logics: logics, index: index)
        } catch {
            logger.error("consume-queue flush failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Role

    /// The broker's replication role now (Java `getBrokerRole`); puts, SYNC_MASTER waits and slave reads
    /// follow it. Starts as `config.brokerRole`.
    public var brokerRole: BrokerRole {
        get { BrokerRole.allCases[Int(self.role.load(ordering: .acquiring))] }
        set { self.role.store(Self.roleCode(newValue), ordering: .releasing) }
    }

    private static func roleCode(_ role: BrokerRole) -> UInt8 {
        UInt8(BrokerRole.allCases.firstIndex(of: role) ?? 0)
    }

    // MARK: Offsets (also the HA hooks)

    /// Offset after the last byte of the commit log (Java `getMaxPhyOffset`).
    public var maxPhysicalOffset: Int64 { self.commitLog.maxOffset }

    /// First offset still in the commit log (Java `getMinPhyOffset`), -1 when the log is empty.
    public var minPhysicalOffset: Int64 { self.commitLog.minOffset }

    /// Offset below which the commit log is on disk.
    public var flushedPhysicalOffset: Int64 { self.commitLog.flushedWhere }

    /// Offset dispatched to consume queues and index (Java `reputFromOffset`).
    public var dispatchedPhysicalOffset: Int64 { self.reput.reputFromOffset }

    /// Java `dispatchBehindBytes`.
    public var dispatchBehindBytes: Int64 { self.reput.behind }

    /// The offset a slave has confirmed (Java `confirmOffset`; -1 until set).
    public var confirmOffset: Int64 {
        get { self.commitLog.confirmOffset }
        set { self.commitLog.confirmOffset = newValue }
    }

    /// Whether puts are refused because the disk is full (above `diskSpaceWarningLevelRatio`, or a commit-log file
    /// could not be created for want of space) until the disk check finds room again.
    public var isDiskFull: Bool { self.runningFlags.isDiskFull }

    /// Java `executeDeleteFilesManually` (DELETE_EXPIRED_COMMITLOG): the next 20 retention passes delete expired
    /// commit-log files whatever the hour.
    public func executeDeleteFilesManually() {
        self.retention.executeDeleteFilesManually()
    }

    /// Returns once everything written below `offset` is dispatched (tests, tools).
    public func waitForDispatch(upTo offset: Int64) async {
        await self.reput.waitForDispatch(upTo: offset)
    }
}

/// What recovery did when the store was opened.
public struct RecoveryReport: Sendable, Hashable {
    /// The commit log's end after recovery.
    public var commitLogEnd: Int64
    /// Whether bytes after the last complete entry were cut.
    public var tornTail: Bool
    /// Consume queues that had units beyond the commit log's end and were cut.
    public var truncatedConsumeQueues: Int
    /// Where dispatch restarted.
    public var dispatchedFrom: Int64
}
