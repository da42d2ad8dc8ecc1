import ClusterSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// [ops] `rocketmq dev`'s HTTP port: `/metrics` after the C++ client (PyPI rocketmq==0.4.4) produced and
/// consumed, read with our strict text-format reader (and Debian's `promtool check metrics` when
/// installed), and the dashboard's pages loaded in a real headless Chromium (Debian's `chromium`).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct OpsInteropTests {
    static let topic = "OpsMetricsTopic"

    /// Sends 40 (push consumers `OpsMetrics_ALL` / `_TAGA` take them), a pull consumer reads all 40 once,
    /// then 7 more are sent that nobody consumes: the counters are exactly these numbers and the lag 7.
    @Test func metricsCountWhatWasSentAndConsumedAndTheDashboardShowsIt() async throws {
        try await Sandbox.with { sandbox in
            let namesrvPort = try FreePort.any()
            let brokerPort = try FreePort.broker()
            let httpPort = try FreePort.any()
            let dev = try await sandbox.start(
                name: "dev",
                ["dev", "--store", sandbox.directory.appendingPathComponent("store").path, "--namesrv-port", String(namesrvPort),
                 "--broker-port", String(brokerPort), "--metrics-port", String(httpPort)],
                bootLines: ["The Name Server boot success", "The broker[broker-a, 127.0.0.1:\(brokerPort)] boot success",
                            "The HTTP server (/metrics, dashboard) is listening on http://127.0.0.1:\(httpPort)"])
            try await sandbox.awaitRegistration(namesrvPort: namesrvPort, servers: [dev])
            let namesrv = "127.0.0.1:\(namesrvPort)"
            let base = "http://127.0.0.1:\(httpPort)"

            let consumed = try await sandbox.driver("broker_send_consume_driver.py", [
                "--namesrv", namesrv, "--topic", Self.topic, "--group", "OpsMetrics", "--run", "m1", "--sync", "40", "--oneway", "0",
            ], servers: [dev])
            try sandbox.expectOK(consumed, servers: [dev])
            let pulled = try await sandbox.driver("broker_pull_driver.py", [
                "--namesrv", namesrv, "--topic", Self.topic, "--group", "OpsMetricsPull", "--expect", "m1:40",
            ], servers: [dev])
            try sandbox.expectOK(pulled, servers: [dev])
            #expect(pulled.lines("PULLED").count == 40)
            let more = try await sandbox.driver("ops_send_driver.py", [
                "--namesrv", namesrv, "--topic", Self.topic, "--group", "OpsMetricsMore", "--run", "m2", "--count", "7",
            ], servers: [dev])
            try sandbox.expectOK(more, servers: [dev])

            // The push consumers commit their offsets when they shut down (oneway): wait until the broker has them.
            var metrics = try await Self.scrape(base)
            let lagLabels = ["topic": Self.topic, "consumer_group": "OpsMetrics_ALL"]
            let deadline = ContinuousClock.now + .seconds(20)
            while metrics.value("rocketmq_consumer_lag_messages", lagLabels) != 7, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                metrics = try await Self.scrape(base)
            }

            #expect(metrics.types["rocketmq_messages_in_total"] == "counter")
            #expect(metrics.value("rocketmq_messages_in_total", ["topic": Self.topic]) == 47)
            // A new store holding only this topic's records: the bytes in are the whole commit log.
            let bytesIn = try #require(metrics.value("rocketmq_throughput_in_total", ["topic": Self.topic]))
            #expect(bytesIn == metrics.value("rocketmq_commitlog_max_offset"))
            // The pull consumer read each message exactly once.
            #expect(metrics.value("rocketmq_messages_out_total", ["topic": Self.topic, "consumer_group": "OpsMetricsPull"]) == 40)
            #expect(metrics.value("rocketmq_throughput_out_total", ["topic": Self.topic, "consumer_group": "OpsMetricsPull"]) ?? 0 > 0)
            // The push consumers got 40 and the TagA half (broker-side tag filter); a push consumer may pull a message again.
            #expect(metrics.value("rocketmq_messages_out_total", ["topic": Self.topic, "consumer_group": "OpsMetrics_ALL"]) ?? 0 >= 40)
            #expect(metrics.value("rocketmq_messages_out_total", ["topic": Self.topic, "consumer_group": "OpsMetrics_TAGA"]) ?? 0 >= 20)
            #expect(metrics.value("rocketmq_consumer_lag_messages", lagLabels) == 7)
            #expect(metrics.value("rocketmq_consumer_lag_messages", ["topic": Self.topic, "consumer_group": "OpsMetrics_TAGA"]) == 7)
            // 47 SEND_MESSAGE(_V2) requests answered SUCCESS, in the latency histogram.
            let sends = metrics.samples(named: "rocketmq_rpc_latency_count")
                .filter { $0.labels["request_code"]?.hasPrefix("send_message") == true && $0.labels["response_code"] == "success" }
            #expect(sends.reduce(0) { $0 + $1.value } == 47)
            #expect(metrics.types["rocketmq_rpc_latency"] == "histogram")
            let maxOffset = try #require(metrics.value("rocketmq_commitlog_max_offset"))
            #expect(metrics.value("rocketmq_storage_size") == maxOffset - (metrics.value("rocketmq_commitlog_min_offset") ?? 0))
            #expect(metrics.value("rocketmq_storage_page_cache_busy") == 0)
            #expect((metrics.value("rocketmq_commitlog_disk_ratio") ?? -1) > 0)
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((metrics.value("process_cpu_seconds_total") ?? 0) > 0)
            // Bounded labels: nothing carries a client id, an address or a message id.
            let labelNames = Set(metrics.samples.flatMap(\.labels.keys))
            #expect(labelNames.isSubset(of: ["topic", "consumer_group", "request_code", "response_code", "protocol_type", "le"]))
            try Self.promtoolCheck(base)

            try await Self.checkDashboard(base, namesrv: namesrv, artifacts: Self.artifactDirectory(), sandbox: sandbox)
        }
    }

    // MARK: - /metrics

    static func fetch(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func scrape(_ base: String) async throws -> PrometheusText {
        let (status, body) = try await fetch(base + "/metrics")
        try #require(status == 200)
        return try PrometheusText(body)
    }

    /// `promtool check metrics` (Debian's `prometheus` package, which .ci/run installs) on a scrape: it parses
    /// and lints (HELP text, `_total` on counters only, units); exit status 0 means no finding.
    static func promtoolCheck(_ base: String) throws {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("promtool not installed (apt-get install prometheus): only our own parser read /metrics")
            return
        }
        let (data, status) = try blockingFetch(base + "/metrics")
        try #require(status == 0 && !data.isEmpty)
        let outcome = try run(promtool, ["check", "metrics"], input: data, timeout: 30)
        #expect(outcome.status == 0, "promtool check metrics: \(outcome.output)")
    }

    static func blockingFetch(_ url: String) throws -> (Data, Int) {
        let outcome = try run("/usr/bin/env", ["python3", "-c", "import sys,urllib.request;sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())", url], timeout: 30)
        return (outcome.data, Int(outcome.status))
    }

    // MARK: - the dashboard in Chromium

    static let chromiumPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    /// Screenshots go here (overwritten each run): `$ROCKETMQ_TEST_ARTIFACTS` or the temp directory's
    /// `swift-rocketmq-artifacts/dashboard`.
    static func artifactDirectory() throws -> URL {
        let root = ProcessInfo.processInfo.environment["ROCKETMQ_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("swift-rocketmq-artifacts")
        let directory = root.appendingPathComponent("dashboard")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func checkDashboard(_ base: String, namesrv: String, artifacts: URL, sandbox: Sandbox) async throws {
        guard let chromium = chromiumPaths.first(where: FileManager.default.isExecutableFile) else {
            // CI installs Debian's chromium (.ci/run); only a machine without it skips this half.
            Issue.record("headless Chromium not installed (apt-get install chromium): the dashboard pages were not loaded")
            return
        }
        let profile = sandbox.directory.appendingPathComponent("chromium-profile")
        func load(_ path: String, screenshot: String) throws -> String {
            let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                          "--user-data-dir=\(profile.path)", "--window-size=1280,900", "--hide-scrollbars"]
            let dom = try run(chromium, common + ["--dump-dom", base + path], timeout: 60)
            #expect(dom.status == 0, "chromium --dump-dom \(path) exited \(dom.status)")
            let shot = try run(chromium, common + ["--screenshot=\(artifacts.appendingPathComponent(screenshot).path)", base + path], timeout: 60)
            #expect(shot.status == 0, "chromium --screenshot \(path) exited \(shot.status)")
            #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent(screenshot).path))
            return dom.output
        }
        let cluster = try load("/", screenshot: "cluster.png")
        #expect(cluster.contains("<td>broker-a</td>"))
        #expect(cluster.contains("<td>ASYNC_MASTER</td>"))
        #expect(cluster.contains("<li>\(namesrv)</li>"))
        #expect(cluster.contains("<svg"))

        let topics = try load("/topics", screenshot: "topics.png")
        #expect(topics.contains(">\(topic)</a>"))
        #expect(topics.contains("<td class=\"n\">47</td>"), "Σ max offsets of the topic's queues")

        let topicPage = try load("/topic?name=\(topic)", screenshot: "topic.png")
        #expect(topicPage.contains(">OpsMetrics_ALL</a>"))
        #expect(topicPage.contains(">OpsMetrics_TAGA</a>"))

        let groups = try load("/groups", screenshot: "groups.png")
        #expect(groups.contains(">OpsMetrics_ALL</a>"))
        #expect(groups.contains("<td class=\"n lag\">7</td>"))

        let group = try load("/group?name=OpsMetrics_ALL", screenshot: "group.png")
        #expect(group.contains("<b id=\"totalLag\">7</b>"))
        #expect(group.contains("<td>\(topic)</td>"))

        let messages = try load("/messages?topic=\(topic)&key=KEY-m2-3", screenshot: "messages.png")
        #expect(messages.contains("1 message(s) found."))
        #expect(messages.contains("KEY-m2-3"))
        #expect(messages.contains("OpsMetrics_ALL: <b>NOT_"), "the m2 messages were never consumed")

        let send = try load("/send", screenshot: "send.png")
        #expect(send.contains("id=\"readonly\""))
    }

    // MARK: - child processes

    struct Outcome {
        var status: Int32
        var data: Data
        var output: String { String(decoding: data, as: UTF8.self) }
    }

    /// Runs a program to its end (killed after `timeout` seconds), stdout and stderr together.
    static func run(_ path: String, _ arguments: [String], input: Data? = nil, timeout: TimeInterval) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        timer.resume()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return Outcome(status: process.terminationStatus, data: data)
    }
}
