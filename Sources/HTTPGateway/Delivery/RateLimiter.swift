import NIOConcurrencyHelpers

/// Spaces deliveries `1/rate` seconds apart across all of a subscription's consumers (a token bucket
/// holding one token): each caller takes the next free slot under the lock and waits for it outside.
final class RateLimiter: Sendable {
    private let interval: Duration
    private let next = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    /// nil for 0 (no limit).
    init?(messagesPerSecond rate: Double) {
        guard rate > 0 else { return nil }
        interval = .nanoseconds(Int64(1_000_000_000 / rate))
    }

    /// Waits until this caller's slot.
    func acquire() async {
        let now = ContinuousClock.now
        let slot = next.withLockedValue { next -> ContinuousClock.Instant in
            let slot = max(now, next ?? now)
            next = slot + interval
            return slot
        }
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
