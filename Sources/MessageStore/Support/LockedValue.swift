import NIOConcurrencyHelpers

/// A value behind a lock, for short critical sections (STYLE §4).
///
/// Backed by `NIOLockedValueBox` (a pthread mutex) rather than `Synchronization.Mutex`, whose Linux futex is
/// invisible to ThreadSanitizer and would make every use a false report.
struct LockedValue<Value: Sendable>: Sendable {
    private let box: NIOLockedValueBox<Value>

    init(_ value: Value) {
        self.box = NIOLockedValueBox(value)
    }

    /// Runs `body` with the value, holding the lock. No I/O or waiting inside.
    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = self.box.withLockedValue { value in
            do throws(Failure) {
                return .success(try body(&value))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
