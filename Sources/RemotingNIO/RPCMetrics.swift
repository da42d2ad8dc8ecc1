import CoreMetrics
import NIOConcurrencyHelpers
import RemotingCodec

/// RocketMQ 5's `rocketmq_rpc_latency` (Java `RemotingMetricsManager`): a histogram of the time from a
/// request's decode to its response, by `request_code` and `response_code` (Java's lower-case names, e.g.
/// `send_message` / `success`). Codes 4.9.8 does not define share the value `other`, so a peer cannot grow
/// the label set. The histograms are made once per code pair and reused.
public final class RPCMetrics: Sendable {
    public static let latencyLabel = "rocketmq_rpc_latency"

    private let factory: any MetricsFactory
    private let timers = NIOLockedValueBox<[Int64: Timer]>([:])

    /// `factory`: the metrics backend; the process's bootstrapped one by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// One request answered after `nanoseconds`.
    public func record(requestCode: Int32, responseCode: Int32, nanoseconds: Int64) {
        timer(requestCode: requestCode, responseCode: responseCode).recordNanoseconds(nanoseconds)
    }

    private func timer(requestCode: Int32, responseCode: Int32) -> Timer {
        let key = Int64(requestCode) << 32 | Int64(UInt32(bitPattern: responseCode))
        return timers.withLockedValue { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(
                label: Self.latencyLabel,
                dimensions: [
                    ("protocol_type", "remoting"),
                    ("request_code", RequestCode(requestCode).name?.lowercased() ?? "other"),
                    ("response_code", ResponseCode(responseCode).name?.lowercased() ?? "other"),
                ],
                factory: factory)
            timers[key] = timer
            return timer
        }
    }
}
