import Logging
import Synchronization

/// Creates the commit log's next file ahead of time on a store-owned thread (Java `AllocateMappedFileService`),
/// so that a roll inside the append lock normally just takes a ready file.
///
/// All creation goes through one mutex: a roll that finds no ready file creates it itself while holding it, so
/// the two paths can never create (and truncate) the same file twice.
final class AllocateMappedFileService: Sendable {
    private struct State {
        var requested: Int64?
        var ready: MappedFile?
    }

    private let queue: MappedFileQueue
    private let state = LockedValue(State())
    private let thread = ServiceThread(name: "AllocMappedFile")
    private let logger: Logger

    init(queue: MappedFileQueue, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    func start() {
        self.thread.start { [self] service in
            while !service.isStopped {
                service.waitForRunning(milliseconds: 1000)
                guard !service.isStopped else { break }
                self.allocateRequested()
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
}
