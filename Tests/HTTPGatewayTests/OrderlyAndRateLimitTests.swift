import ClusterSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import HTTPGateway
import NIOCore
import RocketMQClient
import Synchronization
import Testing

/// Per-subscription delivery settings: orderly (one at a time per queue, retried in place) and the rate limit.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct OrderlyAndRateLimitTests {
    typealias Routes = HTTPGatewayRouteTests

    /// Deliveries in flight per queue, and the most seen at once.
    final class InFlight: Sendable {
        private let state = Mutex((current: [String: Int](), most: 0))
        func enter(_ queue: String) { state.withLock { $0.current[queue, default: 0] += 1; $0.most = max($0.most, $0.current[queue]!) } }
        func leave(_ queue: String) { state.withLock { $0.current[queue, default: 0] -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test func orderlySubscriptionsDeliverOneAtATimePerQueueInOrder() async throws {
        try await TestCluster.with { namesrv in
            try await Routes.createTopic("OrderlyPushTopic", namesrv: namesrv)
            let inFlight = InFlight()
            let failedOnce = Mutex(false)
            try await Receiver.with(answer: { request, _ in
                let queue = request[header: "X-RocketMQ-Queue-Id"] ?? "?"
                inFlight.enter(queue)
                defer { inFlight.leave(queue) }
                try? await Task.sleep(for: .milliseconds(20))  // a slow subscriber: overlapping deliveries would show
                // "k0:2" fails on its first delivery: an orderly subscription retries it before "k0:3".
                if String(buffer: request.body) == "k0:2" && failedOnce.withLock({ let first = !$0; $0 = true; return first }) {
                    return (.serviceUnavailable, "")
                }
                return (.ok, "")
            }) { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    let create = #"{"group":"G_ORDERLY","topic":"OrderlyPushTopic","backurl":"\#(baseURL)/o","orderly":true,"concurrency":8}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .created)
                    }
                    // Through the gateway's ordered send: one sharding key, one queue.
                    for step in 0..<5 {
                        for key in ["k0", "k1", "k2"] {
                            try await client.execute(uri: "/topics/OrderlyPushTopic/messages?shardingKey=\(key)", method: .post,
                                                     body: ByteBuffer(string: "\(key):\(step)")) { #expect($0.status == .ok) }
                        }
                    }
                    // 15 messages, one retried, and the setup message; more if a slow delivery timed out and was
                    // repeated (at least once), so wait for every step of every key.
                    func steps(_ key: String, _ got: [String]) -> [String] {
                        got.filter { $0.hasPrefix(key + ":") }.map { String($0.dropFirst(3)) }
                    }
                    var got = await inbox.wait(for: 17).map { String(buffer: $0.body) }
                    while ["k0", "k1", "k2"].contains(where: { Set(steps($0, got)).count < 5 }) {
                        let more = await inbox.wait(for: got.count + 1).map { String(buffer: $0.body) }
                        if more.count == got.count { break }  // nothing within the wait's timeout
                        got = more
                    }
                    for key in ["k0", "k1", "k2"] {
                        // In queue order, a repeated delivery right after itself only (a retry, never a step back).
                        let delivered = steps(key, got)
                        let inOrder = delivered.enumerated().filter { $0.offset == 0 || delivered[$0.offset - 1] != $0.element }.map(\.element)
                        #expect(inOrder == ["0", "1", "2", "3", "4"], "\(key): \(delivered)")
                    }
                    // k0:2 failed once: delivered again before k0:3.
                    #expect(steps("k0", got).filter { $0 == "2" }.count >= 2, "\(steps("k0", got))")
                    #expect(inFlight.most == 1)
                }
            }
        }
    }

    @Test func rateLimitSpacesDeliveries() async throws {
        try await TestCluster.with { namesrv in
            try await Routes.createTopic("RateTopic", namesrv: namesrv)
            try await Receiver.with { baseURL, inbox in
                try await Routes.withGateway(Routes.configuration(namesrv)) { client, _ in
                    // 10 per second with 8 deliveries allowed at once: the limit, not the concurrency, decides.
                    let create = #"{"group":"G_RATE","topic":"RateTopic","backurl":"\#(baseURL)/r","rateLimit":10,"concurrency":8}"#
                    try await client.execute(uri: "/subscriptions", method: .post, body: ByteBuffer(string: create)) {
                        #expect($0.status == .created)
                    }
                    let batch = "[" + (0..<10).map { #"{"body":"r\#($0)"}"# }.joined(separator: ",") + "]"
                    let posted = ContinuousClock.now
                    try await client.execute(uri: "/topics/RateTopic/messages/batch", method: .post, body: ByteBuffer(string: batch)) {
                        #expect($0.status == .ok)
                    }
                    let got = await inbox.wait(for: 11).filter { String(buffer: $0.body) != "setup" }
                    #expect(got.count == 10)
                    let times = got.map(\.at).sorted()
                    if times.count == 10 {
                        // 10 deliveries get send slots 100 ms apart, none before the batch was posted: the last
                        // cannot arrive before 0.9 s after the post, whatever the network's jitter (arrival
                        // gaps can be shorter than 100 ms when an earlier delivery was late).
                        let span = posted.duration(to: times[9])
                        #expect(span >= .milliseconds(890), "\(span)")
                    }
                }
            }
        }
    }
}
