import ClusterSupport
import Foundation
import Synchronization
import Testing

/// The unmodified C++ client (PyPI rocketmq==0.4.4, C++ core 1.2.x) against our broker, run as
/// `rocketmq dev` (name server + broker in one process) or as `rocketmq namesrv` + `rocketmq broker -c`
/// child processes on free ports. Each test has its own servers and store in a temporary directory.
/// The drivers (Interop/broker_*.py) print SENT/RECV/… lines and `OK …`, and exit non-zero on failure.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct BrokerInteropTests {
    /// 1, 2 and 7: send_sync (SEND_OK, msg id, offset) and send_oneway with tags, keys and properties;
    /// push consumers get them intact (`*` all, `TagA` just those); a PullConsumer reads every queue from 0.
    @Test func sendThenPushAndPullConsumeOnDevServer() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let outcome = try await sandbox.driver("broker_send_consume_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropSendTopic", "--group", "InteropSend", "--run", "s1",
                "--sync", "140", "--oneway", "20",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            Self.expectSendResults(outcome, count: 140)
            #expect(outcome.lines("ONEWAY").count == 20)
            #expect(outcome.lines("RECV").count == 160 + 80, "160 to the `*` consumer, the 80 TagA ones to the TagA one")

            // 40 messages a queue: more than one pull (32 at most) each.
            let pull = try await sandbox.driver("broker_pull_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropSendTopic", "--group", "InteropSendPull", "--expect", "s1:160",
            ], servers: [dev.process])
            try sandbox.expectOK(pull, servers: [dev.process])
            #expect(pull.lines("PULLED").count == 160)
            let tagged = try await sandbox.driver("broker_pull_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropSendTopic", "--group", "InteropSendPullTagB",
                "--expect", "s1:160", "--only-tag", "TagB",
            ], servers: [dev.process])
            try sandbox.expectOK(tagged, servers: [dev.process])
            #expect(tagged.lines("PULLED").count == 80)
        }
    }

    /// 1, 2 and 7 against `rocketmq namesrv` and `rocketmq broker -c <properties>` run separately.
    @Test func sendThenPushAndPullConsumeOnSeparateNameServerAndBroker() async throws {
        try await Sandbox.with { sandbox in
            let namesrvPort = try FreePort.any()
            let namesrv = try await sandbox.start(
                name: "namesrv", ["namesrv", "--listenPort", String(namesrvPort)],
                bootLines: ["The Name Server boot success"])
            let brokerPort = try FreePort.broker()
            let store = sandbox.directory.appendingPathComponent("broker-store").path
            let properties = sandbox.directory.appendingPathComponent("broker.properties")
            try """
                brokerClusterName=InteropCluster
                brokerName=broker-interop
                brokerId=0
                listenPort=\(brokerPort)
                brokerIP1=127.0.0.1
                storePathRootDir=\(store)
                storePathCommitLog=\(store)/commitlog
                autoCreateTopicEnable=true
                autoCreateSubscriptionGroup=true
                defaultTopicQueueNums=4
                flushDiskType=ASYNC_FLUSH
                brokerRole=ASYNC_MASTER

                """.write(to: properties, atomically: true, encoding: .utf8)
            let broker = try await sandbox.start(
                name: "broker", ["broker", "-c", properties.path, "-n", "127.0.0.1:\(namesrvPort)"],
                bootLines: ["The broker[broker-interop, 127.0.0.1:\(brokerPort)] boot success"])
            let servers = [namesrv, broker]
            try await sandbox.awaitRegistration(namesrvPort: namesrvPort, servers: servers)
            let address = "127.0.0.1:\(namesrvPort)"

            let outcome = try await sandbox.driver("broker_send_consume_driver.py", [
                "--namesrv", address, "--topic", "InteropSeparateTopic", "--group", "InteropSeparate", "--run", "p1",
            ], servers: servers)
            try sandbox.expectOK(outcome, servers: servers)
            Self.expectSendResults(outcome, count: 8)
            let pull = try await sandbox.driver("broker_pull_driver.py", [
                "--namesrv", address, "--topic", "InteropSeparateTopic", "--group", "InteropSeparatePull", "--expect", "p1:12",
            ], servers: servers)
            try sandbox.expectOK(pull, servers: servers)
            #expect(pull.lines("PULLED").count == 12)
            // The messages went to the properties file's store.
            #expect(FileManager.default.fileExists(atPath: store + "/commitlog/00000000000000000000"))
        }
    }

    /// Java's broker registers with its name servers (registerBrokerAll in BrokerController.start)
    /// before BrokerStartup prints the boot line, so a client started on the boot line finds the
    /// broker (TBW102's route, which a producer needs to auto-create a topic). Five dev starts, the
    /// route asked for as soon as the boot line is read.
    @Test func brokerIsRegisteredWhenItsBootLineIsPrinted() async throws {
        try await Sandbox.with { sandbox in
            var missing: [Int] = []
            for attempt in 0..<5 {
                let dev = try await sandbox.startDev(awaitRegistration: false)
                if !RouteQuery.isKnown(topic: "TBW102", namesrvPort: dev.namesrvPort) { missing.append(attempt) }
                await dev.process.stop()
            }
            #expect(missing.isEmpty, "no TBW102 route at the name server right after the broker's boot line in attempts \(missing) of 0..<5")
        }
    }

    /// A topic the broker auto-creates on a send is registered with the name server before the send
    /// is answered (Java's createTopicInSendMessageMethod → registerBrokerAll, oneway): for 20 new
    /// topics the route is there right after the first SEND_OK, and consumers started then get the
    /// message at once (not after their 30 s route poll).
    @Test func topicCreatedBySendIsRoutableWhenTheSendIsAnswered() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let outcome = try await sandbox.driver("broker_new_topic_driver.py", [
                "--namesrv", dev.namesrv, "--topic-prefix", "InteropNewTopic", "--topics", "20", "--consumers", "2",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            #expect(outcome.lines("NEW").count == 20)
        }
    }

    /// 3: two push consumers of one group split the queues (settled by NOTIFY_CONSUMER_IDS_CHANGED,
    /// well before the client's 10 s rebalance timer); each message is consumed exactly once; when
    /// one leaves, the other takes its queues over from its committed offsets.
    @Test func clusteringConsumersSplitQueuesAndConsumeEachMessageOnce() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let outcome = try await sandbox.driver("broker_cluster_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropClusterTopic", "--group", "InteropCluster", "--count", "40",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            #expect(outcome.lines("SETTLED").count == 1)
        }
    }

    /// 4: two broadcasting push consumers of one group each get every message once.
    @Test func broadcastingConsumersEachGetEveryMessage() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let outcome = try await sandbox.driver("broker_broadcast_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropBroadcastTopic", "--group", "InteropBroadcast", "--count", "20",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            // RECV <consumer> <msgId> <queueId> <queueOffset> <run> <seq>; the run's messages, not the warm-up.
            #expect(outcome.lines("RECV").filter { $0.split(separator: " ")[4].hasPrefix("bc") }.count == 40, "\(outcome.output)")
        }
    }

    /// 5: a consumer that shut down (committing its offsets) and starts again in the same group gets
    /// exactly the messages sent in between, nothing consumed before.
    @Test func restartedConsumerResumesFromCommittedOffsets() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let outcome = try await sandbox.driver("broker_resume_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropResumeTopic", "--group", "InteropResume", "--run", "r",
                "--batch", "10", "--batch", "6", "--batch", "3",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            #expect(outcome.lines("BATCH") == ["r-0 sent=10 received=10", "r-1 sent=6 received=6", "r-2 sent=3 received=3"])
        }
    }

    /// 6 and 7: produce and consume, SIGTERM the dev server, start it again on the same store: the
    /// group's committed offsets survive (its next consumer gets only new messages) and so do the
    /// messages (a PullConsumer of a new group reads all of them from offset 0).
    @Test func brokerRestartKeepsCommittedOffsetsAndMessages() async throws {
        try await Sandbox.with { sandbox in
            let store = sandbox.directory.appendingPathComponent("dev-store")
            let first = try await sandbox.startDev(store: store)
            let topic = "InteropRestartTopic", group = "InteropRestart"
            let before = try await sandbox.driver("broker_resume_driver.py", [
                "--namesrv", first.namesrv, "--topic", topic, "--group", group, "--run", "before", "--batch", "12",
            ], servers: [first.process])
            try sandbox.expectOK(before, servers: [first.process])

            let stop = await first.process.stop()
            #expect(stop.graceful && stop.status == 0, "SIGTERM should stop the dev server cleanly: \(stop)\n\(first.process.logTail)")
            let offsets = try String(contentsOf: store.appendingPathComponent("store/config/consumerOffset.json"), encoding: .utf8)
            #expect(offsets.contains("\"\(topic)@\(group)\""), "offsets persisted on shutdown:\n\(offsets)")

            let second = try await sandbox.startDev(store: store, namesrvPort: first.namesrvPort, brokerPort: first.brokerPort)
            let after = try await sandbox.driver("broker_resume_driver.py", [
                "--namesrv", second.namesrv, "--topic", topic, "--group", group, "--run", "after", "--batch", "5",
            ], servers: [second.process])
            try sandbox.expectOK(after, servers: [second.process])
            #expect(after.lines("BATCH") == ["after-0 sent=5 received=5"])

            let pull = try await sandbox.driver("broker_pull_driver.py", [
                "--namesrv", second.namesrv, "--topic", topic, "--group", "InteropRestartPull",
                "--expect", "before-0:12", "--expect", "after-0:5",
            ], servers: [second.process])
            try sandbox.expectOK(pull, servers: [second.process])
            #expect(pull.lines("PULLED").count == 17)
        }
    }

    /// Every SENT line: a 32-hex-digit msg id and a queue offset (send_sync's SEND_OK is checked by the driver).
    static func expectSendResults(_ outcome: InteropDriver.Outcome, count: Int) {
        let sent = outcome.lines("SENT")
        #expect(sent.count == count, "\(outcome.output)")
        for line in sent {
            let fields = line.split(separator: " ")
            #expect(fields.count >= 2 && fields[0].count == 32 && fields[0].allSatisfy(\.isHexDigit) && Int(fields[1]) != nil,
                    "SENT \(line)")
        }
    }
}

/// A FIFO lock across the interop suites (which Swift Testing runs in parallel).
actor SandboxLock {
    static let shared = SandboxLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

/// A test's temporary directory (stores, logs, the client's HOME) and the servers started in it;
/// `with` stops every server (SIGTERM, then SIGKILL) and removes the directory, also on failure.
final class Sandbox: Sendable {
    let directory: URL
    private let servers = Mutex<[ServerProcess]>([])

    struct Dev {
        var process: ServerProcess
        var namesrvPort: Int
        var brokerPort: Int
        var namesrv: String { "127.0.0.1:\(namesrvPort)" }
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-rocketmq-interop-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    static func with(_ body: (Sandbox) async throws -> Void) async throws {
        // One sandbox at a time: servers and C++ clients sharing two cores with other sandboxes miss deadlines.
        await SandboxLock.shared.acquire()
        defer { Task { await SandboxLock.shared.release() } }
        let sandbox = try Sandbox()
        do {
            try await body(sandbox)
        } catch {
            await sandbox.tearDown()
            throw error
        }
        await sandbox.tearDown()
    }

    private func tearDown() async {
        for server in servers.withLock({ $0 }).reversed() { await server.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    func start(name: String, _ arguments: [String], bootLines: [String]) async throws -> ServerProcess {
        let server = try await ServerProcess.start(name: name, arguments, bootLines: bootLines, logDirectory: directory)
        servers.withLock { $0.append(server) }
        return server
    }

    /// `rocketmq dev` on free ports (or the given ones) and a store here (or `store`), awaited by its
    /// boot lines and then (unless `awaitRegistration` is false) by the broker's registration.
    func startDev(
        store: URL? = nil, namesrvPort: Int? = nil, brokerPort: Int? = nil, awaitRegistration: Bool = true
    ) async throws -> Dev {
        let namesrvPort = try namesrvPort ?? FreePort.any()
        let brokerPort = try brokerPort ?? FreePort.broker()
        let store = store ?? directory.appendingPathComponent("dev-store-\(brokerPort)")
        let process = try await start(
            name: "dev",
            ["dev", "--store", store.path, "--namesrv-port", String(namesrvPort), "--broker-port", String(brokerPort), "--no-http"],
            bootLines: ["The Name Server boot success", "The broker[broker-a, 127.0.0.1:\(brokerPort)] boot success"])
        if awaitRegistration { try await self.awaitRegistration(namesrvPort: namesrvPort, servers: [process]) }
        return Dev(process: process, namesrvPort: namesrvPort, brokerPort: brokerPort)
    }

    /// Waits (10 s at most) until the name server routes TBW102, i.e. the broker has registered. Java's
    /// broker registers before it prints its boot line; ours prints it first (a bug that
    /// `brokerIsRegisteredWhenItsBootLineIsPrinted` shows), and a producer started in between fails
    /// with "No route info of this topic".
    func awaitRegistration(namesrvPort: Int, servers: [ServerProcess]) async throws {
        let registered = await poll(timeout: 10) { RouteQuery.isKnown(topic: "TBW102", namesrvPort: namesrvPort) }
        let logs = servers.map(\.logTail).joined(separator: "\n")
        try #require(registered, "the broker did not register with the name server within 10 s of its boot line\n\(logs)")
    }

    /// Runs an Interop driver with HOME here (the C++ client writes its logs and broadcasting
    /// offsets under it).
    func driver(_ script: String, _ arguments: [String], servers: [ServerProcess]) async throws -> InteropDriver.Outcome {
        try await InteropDriver.run(script, arguments, environment: [
            "HOME": directory.appendingPathComponent("home").path,
            "INTEROP_DRIVER_DEADLINE": "50",
        ], timeout: 60)
    }

    /// The driver exited 0 with its `OK` line; otherwise a failure with its output and the servers' logs.
    func expectOK(_ outcome: InteropDriver.Outcome, servers: [ServerProcess], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ok = outcome.status == 0 && !outcome.lines("OK").isEmpty
        guard !ok else { return }
        let logs = servers.map(\.logTail).joined(separator: "\n")
        try #require(ok, """
            driver exit status \(outcome.status); output:
            \(outcome.output)
            --- server log ---
            \(logs)
            --- C++ client errors and warnings (last 40) ---
            \(clientProblems().suffix(40).joined(separator: "\n"))
            """, sourceLocation: sourceLocation)
    }

    /// What the C++ client logs as errors on every run.
    private static let benign = ["didn't get the session_credentials", "stopAllTcpTransportThread End"]

    /// The error and warning lines of the C++ client's logs (under HOME/logs/rocketmq-cpp).
    private func clientProblems() -> [String] {
        let folder = directory.appendingPathComponent("home/logs/rocketmq-cpp")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.sorted().flatMap { file -> [String] in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else { return [] }
            return String(decoding: data, as: UTF8.self).split(separator: "\n")
                .filter { ($0.contains("(error)") || $0.contains("(warning)")) && !Self.benign.contains(where: $0.contains) }
                .map { "\(file): \($0)" }
        }
    }
}
