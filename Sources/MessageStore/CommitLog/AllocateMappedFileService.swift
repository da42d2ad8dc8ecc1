import Logging
import Synchronization

/// Creates the commit log's next file ahead of time on a store-owned thread (Java `AllocateMappedFileService`),
/// so that a roll inside the append lock normally just takes a ready file, and faults pages in a little ahead of
/// the writer (STYLE §5 "pre-touch the next file"): the file being written up to ``prefaultWindow`` past its write
/// position, and the first window of the next file. Under SYNC_FLUSH it also writes those blocks ahead.
///
/// All creation goes through one mutex: a roll that finds no ready file creates it itself while holding it, so
/// the two paths can never create (and truncate) the same file twice.
final class AllocateMappedFileService: Sendable {
    private struct State {
        var requested: Int64?
        var ready: MappedFile?
    }

    /// How far ahead of the write position pages are faulted in: a window rather than the whole file, so the
    /// work follows the write rate instead of arriving all at once with each new file.
    static let prefaultWindow = 32 << 20
    /// How often the thread looks at the write position (ms).
    static let prefaultIntervalMillis = 10
    /// Under SYNC_FLUSH, how far ahead of the write position blocks are written
    /// (``MappedFile/writeAhead(upTo:chunk:while:)``): over 40 ms of a SYNC_FLUSH writer at 100 MB/s, and little
    /// enough that a fresh store does not start by saturating the disk.
    static let writeAheadWindow = 4 << 20
    /// The steps of that: small enough that one delays a group commit's sync by a few milliseconds at most.
    static let writeAheadChunk = 1 << 20

    /// SYNC_FLUSH: pages faulted in one per folio, and the blocks ahead of the writer written.
    private let syncFlush: Bool

    private let queue: MappedFileQueue
    private let state = LockedValue(State())
    private let thread = ServiceThread(name: "AllocMappedFile")
    private let logger: Logger

    init(queue: MappedFileQueue, syncFlush: Bool, logger: Logger) {
        self.queue = queue
        self.syncFlush = syncFlush
        self.logger = logger
    }

    func start() {
        self.thread.start { [self] service in
            while !service.isStopped {
                service.waitForRunning(milliseconds: Self.prefaultIntervalMillis)
                guard !service.isStopped else { break }
                self.allocateRequested()
                self.prefaultAhead(service)
            }
        }
    }

    /// Stops the thread and deletes a ready file nobody took.
    func shutdown() {
        self.thread.shutdown()
        let unused = self.state.withLock { state -> MappedFile? in
            defer { state.ready = nil; state.requested = nil }
            return state.ready
        }
        unused?.destroy()
    }

    /// Asks for the file starting at `offset` to be made ready.
    func request(offset: Int64) {
        self.state.withLock { $0.requested = offset }
        self.thread.wakeup()
    }

    /// The file starting at `offset`: the ready one, or one created now. Asks for the following file.
    func obtain(offset: Int64) throws(StoreError) -> MappedFile {
        let next = offset + Int64(self.queue.mappedFileSize)
        let file = try self.state.withLock { state throws(StoreError) -> MappedFile in
            if let ready = state.ready, ready.fileFromOffset == offset {
                state.ready = nil
                state.requested = next
                return ready
            }
            state.ready?.destroy()
            state.ready = nil
            state.requested = next
            return try self.queue.makeMappedFile(offset: offset)
        }
        self.thread.wakeup()
        return file
    }

    private func allocateRequested() {
        self.state.withLock { state in
            guard let offset = state.requested, state.ready?.fileFromOffset != offset else { return }
            state.ready?.destroy()
            state.ready = nil
            do {
                state.ready = try self.queue.makeMappedFile(offset: offset)
            } catch {
                self.logger.warning("could not create the next commit-log file", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Outside the lock: a roll may take the ready file meanwhile and write to it; the faults do not mind.
    private func prefaultAhead(_ service: ServiceThread) {
        let current = self.queue.lastMappedFile
        if let current {
            current.prefault(upTo: current.readPosition + Self.prefaultWindow, onePagePerFolio: self.syncFlush)
            if self.syncFlush {
                current.writeAhead(upTo: current.readPosition + Self.writeAheadWindow, chunk: Self.writeAheadChunk) {
                    !service.isStopped
                }
            }
        }
        if let ready = self.state.withLock({ $0.ready }) {
            ready.prefault(upTo: Self.prefaultWindow, onePagePerFolio: self.syncFlush)
            // The next file's first blocks once the writer is that close to the roll.
            if self.syncFlush, let current, current.fileSize - current.readPosition < Self.writeAheadWindow {
                ready.writeAhead(upTo: Self.writeAheadWindow, chunk: Self.writeAheadChunk) { !service.isStopped }
            }
        }
    }
}
