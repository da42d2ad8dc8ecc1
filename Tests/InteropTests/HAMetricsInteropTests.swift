import ClusterSupport
import Foundation
import RocketMQClient
import RocketMQModel
import Testing

/// [ops] HA lag on `/metrics`: an ASYNC_MASTER and its SLAVE as `rocketmq broker` processes with a name server.
/// Once the slave has caught up both report `rocketmq_ha_slave_fall_behind_bytes` 0 (the master one slave
/// connected); with the slave stopped the master reports exactly the bytes stored since; the slave, restarted
/// without a reachable HA port, reports the same bytes from its end, and so does the dashboard's cluster page.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct HAMetricsInteropTests {
    static let lag = "rocketmq_ha_slave_fall_behind_bytes"
    static let connections = "rocketmq_ha_slave_connections"

    static func properties(_ values: [(String, String)]) -> String {
        values.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
    }

    /// The last scrape of `base` that satisfies `condition`, polled for up to `timeout` seconds (the brokers are
    /// other processes: their replication and 10 s slave sync have no event to await here).
    static func scrape(_ base: String, timeout: Duration = .seconds(20), until condition: (PrometheusText) -> Bool) async throws -> PrometheusText {
        let deadline = ContinuousClock.now + timeout
        var metrics = try await OpsInteropTests.scrape(base)
        while !condition(metrics), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            metrics = try await OpsInteropTests.scrape(base)
        }
        return metrics
    }

    static func send(_ producer: Producer, count: Int, run: String) async throws {
        for seq in 0..<count {
            let result = try await producer.send(Message(topic: "HALagTopic", body: "ha lag \(run)/\(seq)", tags: "TagA", keys: []))
            #expect(result.status == .sendOK)
        }
    }

    @Test func masterAndSlaveReportHowFarTheSlaveIsBehind() async throws {
        try await Sandbox.with { sandbox in
            let namesrvPort = try FreePort.any()
            let namesrv = "127.0.0.1:\(namesrvPort)"
            let namesrvProcess = try await sandbox.start(
                name: "namesrv", ["namesrv", "--listenPort", String(namesrvPort), "--metricsPort=-1"], bootLines: ["The Name Server boot success"])
            let masterPort = try FreePort.broker()
            let slavePort = try FreePort.broker()
            let masterHTTP = try FreePort.any()
            let slaveHTTP = try FreePort.any()
            func start(_ name: String, port: Int, http: Int, extra: [(String, String)]) async throws -> ServerProcess {
                let store = sandbox.directory.appendingPathComponent(name)
                let file = sandbox.directory.appendingPathComponent("\(name)-\(extra.count).properties")
                try Self.properties([
                    ("brokerClusterName", "DefaultCluster"), ("brokerName", "broker-ha"), ("listenPort", String(port)),
                    ("namesrvAddr", namesrv), ("brokerIP1", "127.0.0.1"), ("brokerIP2", "127.0.0.1"),
                    ("storePathRootDir", store.path), ("storePathCommitLog", store.appendingPathComponent("commitlog").path),
                    ("mapedFileSizeCommitLog", String(4 * 1024 * 1024)), ("metricsHost", "127.0.0.1"), ("metricsPort", String(http)),
                ] + extra).write(to: file, atomically: true, encoding: .utf8)
                return try await sandbox.start(
                    name: name, ["broker", "-c", file.path],
                    bootLines: ["The broker[broker-ha, 127.0.0.1:\(port)] boot success", "The HTTP server (/metrics) is listening on http://127.0.0.1:\(http)"])
            }
            let master = try await start("master", port: masterPort, http: masterHTTP, extra: [("brokerId", "0"), ("brokerRole", "ASYNC_MASTER")])
            var slave = try await start("slave", port: slavePort, http: slaveHTTP, extra: [("brokerId", "1"), ("brokerRole", "SLAVE")])
            try await sandbox.awaitRegistration(namesrvPort: namesrvPort, servers: [namesrvProcess, master, slave])
            let masterBase = "http://127.0.0.1:\(masterHTTP)"
            let slaveBase = "http://127.0.0.1:\(slaveHTTP)"

            let producer = Producer(
                configuration: ProducerConfiguration(group: "PG_HA_LAG"), client: ClientConfiguration(nameServers: [namesrv], clientIP: "127.0.0.1"))
            try await producer.start()
            try await Self.send(producer, count: 20, run: "caught-up")

            // Caught up: the slave acknowledged the master's whole log.
            var onMaster = try await Self.scrape(masterBase) { $0.value(Self.lag) == 0 && $0.value(Self.connections) == 1 }
            #expect(onMaster.types[Self.lag] == "gauge")
            #expect(onMaster.value(Self.connections) == 1)
            #expect(onMaster.value(Self.lag) == 0)
            let caughtUp = try #require(onMaster.value("rocketmq_commitlog_max_offset"))
            #expect(caughtUp > 0)
            // The slave learns the master's end at its first sync (3 s after start), then every 10 s.
            let onSlave = try await Self.scrape(slaveBase) { $0.value(Self.lag) == 0 }
            #expect(onSlave.value(Self.lag) == 0)
            #expect(onSlave.value("rocketmq_commitlog_max_offset") == caughtUp)
            #expect(onSlave.value(Self.connections) == nil, "a slave has no slaves")

            // The slave stops: what the master stores from now on is what the slave lacks.
            #expect(await slave.stop().graceful)
            onMaster = try await Self.scrape(masterBase) { $0.value(Self.connections) == 0 }
            #expect(onMaster.value(Self.connections) == 0)
            try await Self.send(producer, count: 7, run: "behind")
            await producer.shutdown()
            onMaster = try await OpsInteropTests.scrape(masterBase)
            let stored = try #require(onMaster.value("rocketmq_commitlog_max_offset"))
            #expect(stored > caughtUp)
            #expect(onMaster.value(Self.lag) == stored - caughtUp)

            // Restarted with its HA connection pointed at a closed port, the slave stays behind, and says so
            // once it has read the master's end.
            let closed = try FreePort.any()
            slave = try await start("slave", port: slavePort, http: slaveHTTP, extra: [
                ("brokerId", "1"), ("brokerRole", "SLAVE"), ("haMasterAddress", "127.0.0.1:\(closed)"),
            ])
            let behind = try await Self.scrape(slaveBase) { $0.value(Self.lag) != nil }
            #expect(behind.value("rocketmq_commitlog_max_offset") == caughtUp)
            #expect(behind.value(Self.lag) == stored - caughtUp)
            for sample in (onMaster.samples + behind.samples) where sample.name.hasPrefix("rocketmq_ha_") {
                #expect(sample.labels.isEmpty, "HA gauges carry no label (no slave address)")
            }

            // The dashboard's cluster page shows the same on the slave's row.
            let dashboardPort = try FreePort.any()
            _ = try await sandbox.start(
                name: "dashboard", ["dashboard", "-n", namesrv, "--port", String(dashboardPort)],
                bootLines: ["The HTTP server (/metrics, dashboard) is listening on http://127.0.0.1:\(dashboardPort)"])
            let (status, html) = try await OpsInteropTests.fetch("http://127.0.0.1:\(dashboardPort)/")
            #expect(status == 200)
            #expect(html.contains("<td class=\"n behind\">\(Int64(stored - caughtUp))</td>"), "\(html)")
        }
    }
}
