import Synchronization

/// The part of Java's `RunningFlags` the store keeps here: the disk-full bit, which refuses puts
/// (SERVICE_NOT_AVAILABLE) until the disk check finds room again. Failed dispatch, Java's logics-queue and index
/// error bits, is ``ReputMessageService/isFailing``.
final class RunningFlags: Sendable {
    private let diskFull = Atomic<Bool>(false)

    var isDiskFull: Bool { self.diskFull.load(ordering: .relaxed) }

    /// Sets the disk-full bit; returns whether it was clear (Java `getAndMakeDiskFull`).
    @discardableResult
    func getAndMakeDiskFull() -> Bool {
        !self.diskFull.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Clears the disk-full bit; returns whether it was already clear (Java `getAndMakeDiskOK`).
    @discardableResult
    func getAndMakeDiskOK() -> Bool {
        !self.diskFull.exchange(false, ordering: .acquiringAndReleasing)
    }
}
