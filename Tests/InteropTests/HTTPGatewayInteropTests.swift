import ClusterSupport
import Foundation
import Testing

/// The HTTP gateway as users run it: `rocketmq http` in front of `rocketmq dev`, a real HTTP client and a
/// real receiving HTTP server (Python's urllib and http.server in Interop/http_gateway_driver.py), and
/// the C++ client (PyPI rocketmq==0.4.4) producing and consuming on the RocketMQ side.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct HTTPGatewayInteropTests {
    static let maxMessageSize = 65536

    /// `rocketmq http` on a free port with its subscriptions in `data`; returns it and its base URL.
    static func startGateway(_ sandbox: Sandbox, namesrv: String, data: URL) async throws -> (ServerProcess, String) {
        let process = try await sandbox.start(name: "http", [
            "http", "-n", namesrv, "--port", "0", "--data", data.path, "--client-ip", "127.0.0.1",
            "--maxMessageSize", String(maxMessageSize),
        ], bootLines: ["The HTTP gateway boot success"])
        let line = process.output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("The HTTP gateway boot success") }
        let address = try #require(line?.split(separator: " ").last.map(String.init))
        return (process, "http://\(address)")
    }

    static func phase(_ sandbox: Sandbox, _ phase: String, gateway: String, namesrv: String, topic: String,
                      receiverPort: Int = 0, run: String? = nil, servers: [ServerProcess]) async throws -> InteropDriver.Outcome {
        var arguments = ["--phase", phase, "--gateway", gateway, "--namesrv", namesrv, "--topic", topic,
                         "--receiver-port", String(receiverPort), "--max-message-size", String(maxMessageSize)]
        if let run { arguments += ["--run", run] }
        let outcome = try await sandbox.driver("http_gateway_driver.py", arguments, servers: servers)
        try sandbox.expectOK(outcome, servers: servers)
        return outcome
    }

    /// POST → C++ consumer; C++ producer → backurl with a verifiable signature; errors as JSON.
    @Test func sendAndPushWithTheCppClient() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let (gateway, url) = try await Self.startGateway(sandbox, namesrv: dev.namesrv, data: sandbox.directory.appendingPathComponent("http"))
            let sent = try await Self.phase(sandbox, "send", gateway: url, namesrv: dev.namesrv, topic: "HttpInteropSend",
                                            servers: [dev.process, gateway])
            #expect(sent.lines("RECV").count == 1)
            #expect(sent.lines("HTTP").contains("POST /topics/NoSuchTopicHere/messages 404"))
            let pushed = try await Self.phase(sandbox, "push", gateway: url, namesrv: dev.namesrv, topic: "HttpInteropPush",
                                              receiverPort: try FreePort.any(), servers: [dev.process, gateway])
            #expect(pushed.lines("DELIVERED").count == 3)
            #expect(pushed.lines("SIG").count == 3)
        }
    }

    /// 500, 500, 200: three deliveries with growing delays; always 500: the DLQ after maxReconsumeTimes.
    @Test func failedDeliveriesRetryWithGrowingDelaysThenDLQ() async throws {
        try await Sandbox.with { sandbox in
            // Level 3 (the first retry) 1 s, level 4 2 s, level 5 3 s.
            let dev = try await sandbox.startDev(brokerProperties: ["messageDelayLevel": "1s 1s 1s 2s 3s 4s 5s"])
            let (gateway, url) = try await Self.startGateway(sandbox, namesrv: dev.namesrv, data: sandbox.directory.appendingPathComponent("http"))
            let retried = try await Self.phase(sandbox, "retry", gateway: url, namesrv: dev.namesrv, topic: "HttpInteropRetry",
                                               receiverPort: try FreePort.any(), servers: [dev.process, gateway])
            #expect(retried.lines("GAPS").count == 1)
            let dead = try await Self.phase(sandbox, "dlq", gateway: url, namesrv: dev.namesrv, topic: "HttpInteropDLQ",
                                            receiverPort: try FreePort.any(), servers: [dev.process, gateway])
            #expect(dead.lines("DLQ").count == 1)
        }
    }

    /// A restarted gateway (SIGTERM, same data directory) still has its subscription, delivers new
    /// messages, and none of those acknowledged before.
    @Test func restartLosesNoSubscriptionAndRedeliversNothingAcknowledged() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let data = sandbox.directory.appendingPathComponent("http")
            let receiverPort = try FreePort.any()
            let (first, url) = try await Self.startGateway(sandbox, namesrv: dev.namesrv, data: data)
            let before = try await Self.phase(sandbox, "before-restart", gateway: url, namesrv: dev.namesrv, topic: "HttpInteropRestart",
                                              receiverPort: receiverPort, run: "before", servers: [dev.process, first])
            #expect(before.lines("ACKED").count == 3)
            let stopped = await first.stop()
            #expect(stopped.graceful && stopped.status == 0, "the gateway did not stop on SIGTERM: \(first.logTail)")
            let (second, secondURL) = try await Self.startGateway(sandbox, namesrv: dev.namesrv, data: data)
            let after = try await Self.phase(sandbox, "after-restart", gateway: secondURL, namesrv: dev.namesrv, topic: "HttpInteropRestart",
                                             receiverPort: receiverPort, run: "after", servers: [dev.process, second])
            #expect(after.lines("LISTED").first?.contains("HTTP_RESTART_CG") == true)
        }
    }
}
