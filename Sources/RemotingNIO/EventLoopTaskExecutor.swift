import NIOCore

/// An event loop as a Swift task executor: tasks that prefer it run their nonisolated code on the
/// loop's thread, and a continuation that a response on that loop resumes continues there without a
/// hop to Swift's global pool. Senders placed on their connection's loop share its thread with the
/// frame codec and the socket.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
