import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A store-owned thread with Java `ServiceThread`'s `waitForRunning(interval)` / `wakeup()` pair.
///
/// Flush, group commit, dispatch and file allocation run on these threads, never on an event loop or the
/// cooperative pool (STYLE §4). `@unchecked Sendable`: `notified`, `stopped` and `thread` are only touched with
/// `mutex` held; the pointers are allocated once and freed in `deinit`.
final class ServiceThread: @unchecked Sendable {
    let name: String
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var notified = false
    private var stopped = false
    private var started = false
    private var thread: pthread_t? = nil
    /// Mirrors `notified` so that `wakeup()` from a hot path skips the lock when a wakeup is already pending.
    private let pending = Atomic<Bool>(false)
    private let stoppedFlag = Atomic<Bool>(false)

    init(name: String) {
        self.name = name
        self.mutex = .allocate(capacity: 1)
        self.condition = .allocate(capacity: 1)
        pthread_mutex_init(self.mutex, nil)
        #if os(Linux)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(self.condition, &attributes)
        pthread_condattr_destroy(&attributes)
        #else
        pthread_cond_init(self.condition, nil)
        #endif
    }

    deinit {
        pthread_cond_destroy(self.condition)
        pthread_mutex_destroy(self.mutex)
        self.condition.deallocate()
        self.mutex.deallocate()
    }

    private final class Box {
        let service: ServiceThread
        let body: @Sendable (ServiceThread) -> Void
        init(service: ServiceThread, body: @escaping @Sendable (ServiceThread) -> Void) {
            self.service = service
            self.body = body
        }
    }

    /// Starts the thread running `body`, which should loop until ``isStopped``.
    func start(_ body: @escaping @Sendable (ServiceThread) -> Void) {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        guard !self.started else { return }
        self.started = true
        let box = Unmanaged.passRetained(Box(service: self, body: body)).toOpaque()
        #if os(Linux)
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            ServiceThread.nameCurrentThread(box.service.name)
            box.body(box.service)
            return nil
        }, box)
        #else
        var handle: pthread_t? = nil
        let result = pthread_create(&handle, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
            _ = box.service.name.prefix(15).withCString { pthread_setname_np($0) }
            box.body(box.service)
            return nil
        }, box)
        #endif
        precondition(result == 0, "pthread_create failed: \(result)")
        self.thread = handle
    }

    #if os(Linux)
    private typealias SetNameFunction = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    /// glibc's `pthread_setname_np` (not exported to Swift without `_GNU_SOURCE`).
    private static let setName: SetNameFunction? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "pthread_setname_np") else { return nil }
        return unsafeBitCast(symbol, to: SetNameFunction.self)
    }()

    /// Names the thread for `top -H` and debuggers (at most 15 bytes on Linux).
    static func nameCurrentThread(_ name: String) {
        guard let setName = Self.setName else { return }
        _ = String(decoding: name.utf8.prefix(15), as: UTF8.self).withCString { setName(pthread_self(), $0) }
    }
    #endif

    /// Whether ``shutdown()`` has been called.
    var isStopped: Bool {
        self.stoppedFlag.load(ordering: .acquiring)
    }

    /// Wakes the thread out of ``waitForRunning(milliseconds:)`` (or makes its next wait return at once).
    func wakeup() {
        if self.pending.load(ordering: .relaxed) { return }
        pthread_mutex_lock(self.mutex)
        self.notified = true
        self.pending.store(true, ordering: .relaxed)
        pthread_cond_signal(self.condition)
        pthread_mutex_unlock(self.mutex)
    }

    /// Waits until woken, stopped, or `milliseconds` pass. A wakeup that arrived before the call returns at once.
    func waitForRunning(milliseconds: Int) {
        self.waitForRunning(nanoseconds: UInt64(max(0, milliseconds)) * 1_000_000)
    }

    /// Waits until woken, stopped, or `nanoseconds` pass. A wakeup that arrived before the call returns at once.
    func waitForRunning(nanoseconds: UInt64) {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        if self.notified || self.stopped {
            self.notified = false
            self.pending.store(false, ordering: .relaxed)
            return
        }
        var deadline = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanos = Int(deadline.tv_nsec) + Int(nanoseconds % 1_000_000_000)
        deadline.tv_sec += Int(nanoseconds / 1_000_000_000) + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        while !self.notified && !self.stopped {
            if pthread_cond_timedwait(self.condition, self.mutex, &deadline) == ETIMEDOUT { break }
        }
        #else
        deadline.tv_sec = Int(nanoseconds / 1_000_000_000)
        deadline.tv_nsec = Int(nanoseconds % 1_000_000_000)
        if !self.notified && !self.stopped {
            _ = pthread_cond_timedwait_relative_np(self.condition, self.mutex, &deadline)
        }
        #endif
        self.notified = false
        self.pending.store(false, ordering: .relaxed)
    }

    /// Stops the loop and joins the thread (the body runs its final flush before returning).
    func shutdown() {
        pthread_mutex_lock(self.mutex)
        self.stopped = true
        self.stoppedFlag.store(true, ordering: .releasing)
        pthread_cond_broadcast(self.condition)
        let thread = self.thread
        self.thread = nil
        pthread_mutex_unlock(self.mutex)
        if let thread {
            pthread_join(thread, nil)
        }
    }
}
