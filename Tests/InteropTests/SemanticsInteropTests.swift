import ClusterSupport
import Foundation
import Testing

/// Message semantics against the unmodified C++ client (PyPI rocketmq==0.4.4, core 1.2.x) and, where
/// it has no API (transactions, explicit queue locks), a raw remoting client built from the Java
/// 4.9.8 captures in Fixtures/: delay levels, orderly consumption, transactions (retry and DLQ are in
/// `RetryInteropTests` below). Each test runs `rocketmq dev` on free ports with its own store, with
/// broker properties (`-c`) for short delay levels and transaction checks where the test needs them.
/// The drivers are Interop/semantics_*.py; they time what they see themselves and print
/// machine-checkable lines.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SemanticsInteropTests {
    /// Delay levels with the default table ("1s 5s 10s …"): level 2 arrives 5 s ± 1 s after its send and
    /// not before, level 1 after 1 s ± 1 s; each once, intact, in its queue, with DELAY, REAL_TOPIC and
    /// REAL_QID as Java keeps them.
    @Test func delayLevelTwoArrivesAfterFiveSeconds() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let outcome = try await sandbox.driver("semantics_delay_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropDelayTopic", "--group", "InteropDelay",
                "--delay", "2:5:4", "--delay", "1:1:2", "--tolerance", "1",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            // DELAYED <run>/<seq> <level> <seconds> stored-born=<seconds>
            let delayed = outcome.lines("DELAYED").map { $0.split(separator: " ") }
            #expect(delayed.count == 6, "\(outcome.output)")
            for fields in delayed {
                guard fields.count >= 3, let level = Int(fields[1]), let seconds = Double(fields[2]) else {
                    Issue.record("DELAYED \(fields.joined(separator: " "))")
                    continue
                }
                let expected: ClosedRange<Double> = level == 2 ? 4...6 : 0...2
                #expect(expected.contains(seconds), "level \(level) arrived after \(seconds) s: \(fields.joined(separator: " "))")
            }
        }
    }

    /// send_orderly with a hashing selector, 6 sharding keys × 10 messages (two keys share a queue), half
    /// before and half while an orderly PushConsumer (4 threads) runs: each key's messages arrive in send
    /// order, each queue's in offset order, one callback per queue at a time, and no other client can
    /// LOCK_BATCH_MQ its queues. A second orderly consumer joining takes half of the queues over (the
    /// first unlocks them, the broker locks them for the second) and order holds across the handover
    /// (a message the first consumed just before may come again to the second: see the driver).
    /// After both stop, the queues they unlocked can be locked by another client; two raw clients see
    /// Java's lock rules.
    @Test func orderlyConsumersGetEachShardingKeyInSendOrder() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev(brokerProperties: [:])
            let outcome = try await sandbox.driver("semantics_orderly_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropOrderTopic", "--group", "InteropOrder",
                "--keys", "6", "--per-key", "10",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            // ORDER <run> <consumer> <key> <n…>: the first consumer alone got the first run's 10 per key in
            // order (the rest, including redeliveries across the handover, is checked by the driver).
            let order = outcome.lines("ORDER").map { $0.split(separator: " ") }.filter { !$0[0].hasSuffix("-b") && $0[1] == "A" }
            #expect(order.count == 6 && order.allSatisfy { $0.last == "0,1,2,3,4,5,6,7,8,9" }, "\(outcome.output)")
            #expect(outcome.lines("LOCK").contains("while consuming: []"))
            #expect(outcome.lines("HANDOVER").count == 1)
            #expect(outcome.lines("LOCKSEM").count == 6)
        }
    }

    /// Half messages and END_TRANSACTION from a raw Java-like transaction producer, the broker's
    /// CHECK_TRANSACTION_STATE (every 2 s for half messages older than 1 s, at most 3 times) answered
    /// with commit, rollback or unknown: a C++ push consumer gets the committed ones exactly once, the
    /// checked-and-committed ones only after the answer, never the rolled-back or unresolved ones; an
    /// END_TRANSACTION naming the wrong producer group or table offset ends nothing (the check decides);
    /// the one never answered is parked in TRANS_CHECK_MAX_TIME_TOPIC after its third check.
    @Test func transactionsCommitRollbackAndCheckBack() async throws {
        try await Sandbox.with { sandbox in
            // A 2 s check interval leaves the producer's answers time to arrive before the next pass even on a
            // loaded machine (a late answer gets the message checked again, as in Java).
            let dev = try await sandbox.startDev(brokerProperties: [
                "transactionCheckInterval": "2000", "transactionTimeOut": "1000", "transactionCheckMax": "3",
            ])
            let outcome = try await sandbox.driver("semantics_transaction_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropTxTopic", "--group", "InteropTx",
                "--check-max", "3", "--check-interval", "2",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            #expect(outcome.lines("HALF").count == 8)
            // CHECK <run>/<seq> <n> <answer> …: seq 2, 3, 6 and 7 once, 4 twice, 5 three times.
            let checked = outcome.lines("CHECK").map { String($0.split(separator: " ")[0].split(separator: "/")[1]) }
            #expect(checked.sorted() == ["2", "3", "4", "4", "5", "5", "5", "6", "7"], "\(outcome.output)")
            #expect(outcome.lines("OK").first?.hasPrefix("consumed=[0, 2, 4, 7]") == true)
            #expect(outcome.lines("PARKED").count == 1, "the dropped half message in TRANS_CHECK_MAX_TIME_TOPIC")
            // ROUTE TRANS_CHECK_MAX_TIME_TOPIC <seconds | none> s after … was found parked there: the broker creates
            // the topic when it parks the message and, as Java's createTopicOfTranCheckMaxTime does, registers it
            // with the name server then, not at its next 30 s registration (the driver waits 2 s for the route).
            let route = outcome.lines("ROUTE").first { $0.hasPrefix("TRANS_CHECK_MAX_TIME_TOPIC ") }?.split(separator: " ")
            let seconds = route.flatMap { $0.count > 1 ? Double($0[1]) : nil }
            #expect(seconds != nil,
                    """
                    TRANS_CHECK_MAX_TIME_TOPIC not routable at the name server soon after the broker created it (Java's \
                    createTopicOfTranCheckMaxTime registers a new topic at once): \(route?.joined(separator: " ") ?? "no ROUTE line")
                    """)
        }
    }
}

/// Retry and DLQ, in a suite of its own so that its ~20 s of delay levels (16 retries one level apart)
/// overlap the other semantics tests; it mostly waits, so it does not load the machine.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RetryInteropTests {
    /// `messageDelayLevel` with all 18 levels 1 s, so that retries (level 3 + reconsume times) are quick.
    static let oneSecondLevels = Array(repeating: "1s", count: 18).joined(separator: " ")

    /// A consumer answering RECONSUME_LATER gets the message again from %RETRY%<group> (reconsume_times
    /// 1, 2, …, one level delay apart) until the group's retry limit, then it is in %DLQ%<group>. The C++
    /// client sends no maxReconsumeTimes, so the limit is the subscription group's retryMaxTimes: 16 by
    /// default (group InteropRetry), 2 for InteropRetryFast, configured the way an operator would without
    /// mqadmin, in the store's `config/subscriptionGroup.json` before the broker starts.
    @Test func reconsumeLaterRetriesThroughTheRetryTopicThenGoesToTheDLQ() async throws {
        try await Sandbox.with { sandbox in
            let store = sandbox.directory.appendingPathComponent("retry-store")
            try Self.seedSubscriptionGroups(store: store, ["InteropRetryFast": 2])
            let dev = try await sandbox.startDev(store: store, brokerProperties: ["messageDelayLevel": Self.oneSecondLevels])
            let outcome = try await sandbox.driver("semantics_retry_driver.py", [
                "--namesrv", dev.namesrv, "--topic", "InteropRetryTopic",
                "--group", "InteropRetryFast:2", "--group", "InteropRetry:16", "--level-seconds", "1",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            // DELIVERY <group> <run>/<seq> <n> <reconsume> <queueId> <queueOffset> <seconds> <retryTopic>: each of
            // the two messages (seq 0 and the compressed 100 kB seq 5) with reconsume_times 0…MAX.
            let deliveries = outcome.lines("DELIVERY").map { $0.split(separator: " ").map(String.init) }
            for (group, limit) in [("InteropRetryFast", 2), ("InteropRetry", 16)] {
                for seq in ["0", "5"] {
                    let times = deliveries.filter { $0[0] == group && $0[1].hasSuffix("/\(seq)") }.map { $0[3] }
                    #expect(times == (0...limit).map(String.init), "\(group) deliveries of seq \(seq): reconsume_times \(times)")
                }
            }
            // DLQ <group> <msgId> <queueId> <queueOffset> <run>/<seq> reconsume=<n>
            let dead = outcome.lines("DLQ").map { $0.split(separator: " ") }
            #expect(dead.map { "\($0[0]) \($0.last ?? "")" }.sorted() == [
                "InteropRetry reconsume=17", "InteropRetry reconsume=17",
                "InteropRetryFast reconsume=3", "InteropRetryFast reconsume=3",
            ], "\(outcome.output)")
        }
    }

    /// Writes `<store>/store/config/subscriptionGroup.json` (the dev server's storePathRootDir is
    /// `<store>/store`) with the given groups' retryMaxTimes, as Java's SubscriptionGroupManager persists it.
    static func seedSubscriptionGroups(store: URL, _ retryMaxTimes: [String: Int]) throws {
        let config = store.appendingPathComponent("store/config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        var table: [String: Any] = [:]
        for (group, times) in retryMaxTimes {
            table[group] = [
                "brokerId": 0, "consumeBroadcastEnable": true, "consumeEnable": true, "consumeFromMinEnable": true,
                "groupName": group, "notifyConsumerIdsChangedEnable": true, "retryMaxTimes": times, "retryQueueNums": 1,
                "whichBrokerWhenConsumeSlowly": 1,
            ]
        }
        let wrapper: [String: Any] = [
            "dataVersion": ["counter": 1, "timestamp": Int64(Date().timeIntervalSince1970 * 1000)],
            "subscriptionGroupTable": table,
        ]
        let data = try JSONSerialization.data(withJSONObject: wrapper, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: config.appendingPathComponent("subscriptionGroup.json"))
    }
}

extension Sandbox {
    /// `rocketmq dev` on free ports with a store here (or `store`) and, unless empty, `-c` with a
    /// properties file of `brokerProperties`; awaited by its boot lines and the broker's registration.
    func startDev(store: URL? = nil, brokerProperties: [String: String]) async throws -> Dev {
        let namesrvPort = try FreePort.any()
        let brokerPort = try FreePort.broker()
        let store = store ?? directory.appendingPathComponent("dev-store-\(brokerPort)")
        var arguments = ["dev", "--store", store.path, "--namesrv-port", String(namesrvPort), "--broker-port", String(brokerPort), "--no-http"]
        if !brokerProperties.isEmpty {
            let file = directory.appendingPathComponent("dev-\(brokerPort).properties")
            let text = brokerProperties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            try text.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["-c", file.path]
        }
        let process = try await start(
            name: "dev", arguments,
            bootLines: ["The Name Server boot success", "The broker[broker-a, 127.0.0.1:\(brokerPort)] boot success"])
        try await awaitRegistration(namesrvPort: namesrvPort, servers: [process])
        return Dev(process: process, namesrvPort: namesrvPort, brokerPort: brokerPort)
    }
}
