import Foundation
import Testing

/// `rocketmq admin …` (mqadmin's commands) run as a child process against `rocketmq dev`.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct AdminCommandInteropTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
        var lines: [Substring] { output.split(separator: "\n") }
    }

    /// Runs `rocketmq admin <arguments>` and returns its exit status, stdout and stderr.
    static func admin(_ arguments: [String]) async throws -> Run {
        let process = Process()
        process.executableURL = try ServerProcess.executable()
        process.arguments = ["admin"] + arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let outDrain = PipeDrain(out.fileHandleForReading)
        let errDrain = PipeDrain(err.fileHandleForReading)
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        try process.run()
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        return Run(status: status, output: await outDrain.text(), error: await errDrain.text())
    }

    /// Polls topicRoute (10 s at most) until the topic's queue data shows `perm`: the broker registers the
    /// changed topic with the name server after answering.
    static func routePerm(_ ns: [String], _ topic: String, _ perm: Int) async throws -> Bool {
        for _ in 0..<100 {
            let route = try await admin(["topicRoute"] + ns + ["-t", topic])
            if route.output.contains("\"perm\":\(perm),") { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func priorityCommandsAgainstDevServer() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let ns = ["-n", dev.namesrv]
            let broker = "127.0.0.1:\(dev.brokerPort)"

            // clusterList: one row for broker-a's master with its address and version.
            let clusters = try await Self.admin(["clusterList"] + ns)
            #expect(clusters.status == 0, "\(clusters.error)")
            #expect(clusters.lines.first?.hasPrefix("#Cluster Name     #Broker Name") == true, "\(clusters.output)")
            let row = clusters.lines.dropFirst().first { $0.contains(broker) }
            #expect(row?.contains("broker-a") == true && row?.contains("V4_9_8") == true, "\(clusters.output)")

            // updateTopic, then the broker's registration carries it to topicList.
            let update = try await Self.admin(["updateTopic"] + ns + ["-b", broker, "-t", "AdminCliTopic", "-r", "4", "-w", "4"])
            #expect(update.status == 0, "\(update.error)")
            #expect(update.output == "create topic to \(broker) success.\nTopicConfig [topicName=AdminCliTopic, readQueueNums=4, "
                + "writeQueueNums=4, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]")
            var listed = false
            for _ in 0..<50 where !listed {
                let topics = try await Self.admin(["topicList"] + ns)
                listed = topics.lines.contains("AdminCliTopic")
                if !listed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(listed, "AdminCliTopic not in topicList")

            // sendMessage: 6 messages, queues 0,1,2,3,0,1.
            for index in 0..<6 {
                let sent = try await Self.admin(["sendMessage"] + ns + ["-t", "AdminCliTopic", "-p", "body \(index)", "-k", "key\(index)",
                                                                       "-c", "TagA", "-i", String(index % 4)])
                #expect(sent.status == 0, "\(sent.error)")
                #expect(sent.lines.count == 2 && sent.lines[1].contains("SEND_OK"), "\(sent.output)")
            }

            // queryMsgByOffset: queue 0 holds "body 0" then "body 4"; offset 1 prints the second as queryMsgById
            // does, with the pull's MIN_OFFSET/MAX_OFFSET, and its body in mqadmin's body file.
            let byOffset = try await Self.admin(["queryMsgByOffset"] + ns + ["-t", "AdminCliTopic", "-b", "broker-a", "-i", "0", "-o", "1"])
            #expect(byOffset.status == 0, "\(byOffset.error)")
            #expect(byOffset.lines.contains("Topic:               AdminCliTopic"), "\(byOffset.output)")
            #expect(byOffset.lines.contains("Tags:                [TagA]") && byOffset.lines.contains("Keys:                [key4]"),
                    "\(byOffset.output)")
            #expect(byOffset.lines.contains("Queue ID:            0") && byOffset.lines.contains("Queue Offset:        1"), "\(byOffset.output)")
            let properties = byOffset.lines.first { $0.hasPrefix("Properties:") } ?? ""
            #expect(properties.contains("MIN_OFFSET=0") && properties.contains("MAX_OFFSET=2") && properties.contains("KEYS=key4"), "\(properties)")
            if let path = byOffset.lines.first(where: { $0.hasPrefix("Message Body Path:") })?.split(separator: " ").last {
                #expect(FileManager.default.contents(atPath: String(path)).map { String(decoding: $0, as: UTF8.self) } == "body 4")
                try? FileManager.default.removeItem(atPath: String(path))
            } else {
                Issue.record("no body path in \(byOffset.output)")
            }
            // No group consumes the topic: the track part is mqadmin's warning.
            #expect(byOffset.output.hasSuffix("\n\nWARN: No Consumer"), "\(byOffset.output)")
            // Past the queue's end the pull finds nothing, and mqadmin prints nothing.
            let pastEnd = try await Self.admin(["queryMsgByOffset"] + ns + ["-t", "AdminCliTopic", "-b", "broker-a", "-i", "0", "-o", "2"])
            #expect(pastEnd.status == 0 && pastEnd.output.isEmpty, "\(pastEnd.output) \(pastEnd.error)")
            // An unknown broker name or topic: the pull consumer finds no broker.
            let noBroker = try await Self.admin(["queryMsgByOffset"] + ns + ["-t", "AdminCliTopic", "-b", "broker-x", "-i", "0", "-o", "0"])
            #expect(noBroker.status == 1 && noBroker.error.contains("QueryMsgByOffsetSubCommand command failed")
                    && noBroker.error.contains("The broker[broker-x] not exist"), "\(noBroker.error)")
            let noTopic = try await Self.admin(["queryMsgByOffset"] + ns + ["-t", "NoSuchAdminTopic", "-b", "broker-a", "-i", "0", "-o", "0"])
            #expect(noTopic.status == 1 && noTopic.error.contains("The broker[broker-a] not exist"), "\(noTopic.error)")

            // cleanUnusedTopic: the broker answers SUCCESS (by address, by cluster); the topic it holds stays.
            let clean = try await Self.admin(["cleanUnusedTopic"] + ns + ["-b", broker])
            #expect(clean.status == 0 && clean.output == "success", "\(clean.output) \(clean.error)")
            let cleanCluster = try await Self.admin(["cleanUnusedTopic"] + ns + ["-c", "DefaultCluster"])
            #expect(cleanCluster.status == 0 && cleanCluster.output == "success", "\(cleanCluster.output) \(cleanCluster.error)")
            // A cluster the name server does not know has no broker to ask: Java's result stays false.
            let cleanNone = try await Self.admin(["cleanUnusedTopic"] + ns + ["-c", "NoSuchCluster"])
            #expect(cleanNone.status == 0 && cleanNone.output == "false", "\(cleanNone.output) \(cleanNone.error)")
            let cleanBad = try await Self.admin(["cleanUnusedTopic"] + ns + ["-b", "127.0.0.1:1"])
            #expect(cleanBad.status == 1 && cleanBad.error.contains("CleanUnusedTopicCommand command failed"), "\(cleanBad.error)")

            // topicStatus: the max offsets add up to what was sent.
            let status = try await Self.admin(["topicStatus"] + ns + ["-t", "AdminCliTopic"])
            #expect(status.status == 0, "\(status.error)")
            #expect(status.lines.first == "#Broker Name                      #QID  #Min Offset           #Max Offset             #Last Updated")
            let maxOffsets = status.lines.dropFirst().map { line -> Int in
                let columns = line.split(separator: " ", omittingEmptySubsequences: true)
                return Int(columns[3]) ?? -1
            }
            #expect(maxOffsets == [2, 2, 1, 1], "\(status.output)")
            let json = try await Self.admin(["topicStatus"] + ns + ["-t", "AdminCliTopic", "--json"])
            #expect(json.output.contains("\"offsetTable\""), "\(json.output)")

            // brokerStatus: the runtime info counts today's puts.
            let runtime = try await Self.admin(["brokerStatus"] + ns + ["-b", broker])
            #expect(runtime.status == 0, "\(runtime.error)")
            let puts = runtime.lines.first { $0.hasPrefix("msgPutTotalTodayNow ") }
            let putCount = puts.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? -1
            #expect(putCount >= 6, "\(runtime.output)")

            // consumerProgress without -g: the header (no group has consumed yet).
            let progress = try await Self.admin(["consumerProgress"] + ns)
            #expect(progress.status == 0, "\(progress.error)")
            #expect(progress.lines.first?.hasPrefix("#Group") == true, "\(progress.output)")

            // updateSubGroup then consumerProgress -g: no offsets yet, a failure as mqadmin's.
            let sub = try await Self.admin(["updateSubGroup"] + ns + ["-b", broker, "-g", "AdminCliGroup"])
            #expect(sub.status == 0 && sub.output.hasPrefix("create subscription group to \(broker) success."), "\(sub.error)")

            // getBrokerConfig: the broker's properties, one per line.
            let config = try await Self.admin(["getBrokerConfig"] + ns + ["-b", broker])
            #expect(config.status == 0, "\(config.error)")
            #expect(config.lines.first == "============\(broker)============")
            #expect(config.lines.contains { $0.hasPrefix("brokerName") && $0.hasSuffix("=  broker-a") }, "\(config.output)")

            // updateTopicPerm -b: from 6 to 4 (read only), and the broker's registration carries it to the route.
            let toRead = try await Self.admin(["updateTopicPerm"] + ns + ["-b", broker, "-t", "AdminCliTopic", "-p", "4"])
            #expect(toRead.status == 0, "\(toRead.error)")
            #expect(toRead.output == "update topic perm from 6 to 4 in \(broker) success.\nTopicConfig [topicName=AdminCliTopic, "
                + "readQueueNums=4, writeQueueNums=4, perm=R--, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false].\n")
            #expect(try await Self.routePerm(ns, "AdminCliTopic", 4), "the route never showed perm 4")
            // The same perm again: mqadmin's notice, nothing sent.
            let same = try await Self.admin(["updateTopicPerm"] + ns + ["-b", broker, "-t", "AdminCliTopic", "-p", "4"])
            #expect(same.status == 0 && same.output == "new perm equals to the old one!\n", "\(same.output)")
            // -c: every master of the cluster; perm 3 is not refused (4.9.8's command and broker check nothing).
            let three = try await Self.admin(["updateTopicPerm"] + ns + ["-c", "DefaultCluster", "-t", "AdminCliTopic", "-p", "3"])
            #expect(three.status == 0 && three.output == "update topic perm from 4 to 3 in \(broker) success.\n", "\(three.output) \(three.error)")
            #expect(try await Self.routePerm(ns, "AdminCliTopic", 3), "the route never showed perm 3")
            let back = try await Self.admin(["updateTopicPerm"] + ns + ["-b", broker, "-t", "AdminCliTopic", "-p", "6"])
            #expect(back.status == 0 && back.output.hasPrefix("update topic perm from 3 to 6 in \(broker) success.\n"), "\(back.output)")
            #expect(try await Self.routePerm(ns, "AdminCliTopic", 6), "the route never showed perm 6")
            // A broker that is no master of the topic: mqadmin's message, exit 0.
            let notMaster = try await Self.admin(["updateTopicPerm"] + ns + ["-b", "127.0.0.1:1", "-t", "AdminCliTopic", "-p", "4"])
            #expect(notMaster.status == 0 && notMaster.output == "updateTopicPerm error broker not exit or broker is not master!.\n",
                    "\(notMaster.output)")
            // An unknown topic has no route: the name server's code and remark.
            let permMissing = try await Self.admin(["updateTopicPerm"] + ns + ["-b", broker, "-t", "NoSuchAdminTopic", "-p", "4"])
            #expect(permMissing.status == 1 && permMissing.error.contains("UpdateTopicPermSubCommand command failed")
                    && permMissing.error.contains("CODE: 17  DESC: No topic route info in name server for the topic: NoSuchAdminTopic"),
                    "\(permMissing.error)")

            // An unknown topic: exit 1 with mqadmin's failure line.
            let missing = try await Self.admin(["topicRoute"] + ns + ["-t", "NoSuchAdminTopic"])
            #expect(missing.status == 1 && missing.error.contains("TopicRouteSubCommand command failed"), "\(missing.error)")
        }
    }

    /// After the PyPI client produced and consumed: the admin commands show the offsets and counts the broker
    /// holds for the group (consumerProgress -g, statsAll, brokerStatus), and read the messages back
    /// (printMsg, consumeMessage, queryCq, queryMsgById with its message track).
    @Test func commandsAfterThePythonClientConsumed() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let ns = ["-n", dev.namesrv]
            let broker = "127.0.0.1:\(dev.brokerPort)"
            let topic = "AdminConsumedTopic"
            let group = "AdminConsumedGroup"
            let outcome = try await sandbox.driver("broker_resume_driver.py", [
                "--namesrv", dev.namesrv, "--topic", topic, "--group", group, "--run", "admin", "--batch", "8",
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            #expect(outcome.lines("BATCH") == ["admin-0 sent=8 received=8"])

            // consumerProgress -g: every queue consumed to its end, 8 messages in all (offsets the consumer committed).
            let progress = try await Self.admin(["consumerProgress"] + ns + ["-g", group])
            #expect(progress.status == 0, "\(progress.error)")
            let rows = progress.lines.dropFirst().filter { $0.hasPrefix(topic + " ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(!rows.isEmpty, "\(progress.output)")
            #expect(rows.allSatisfy { $0.count >= 6 && $0[1] == "broker-a" && $0[3] == $0[4] && $0[5] == "0" }, "\(progress.output)")
            #expect(rows.reduce(0) { $0 + (Int($1[3]) ?? -100) } == 8, "\(progress.output)")
            #expect(progress.lines.last == "Diff Total: 0", "\(progress.output)")

            // brokerStatus: the pulls are counted.
            let runtime = try await Self.admin(["brokerStatus"] + ns + ["-b", broker])
            let gets = runtime.lines.first { $0.hasPrefix("msgGetTotalTodayNow ") }
            #expect(gets.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }.map { $0 >= 8 } == true, "\(runtime.output)")

            // statsAll -t: the group's row, 8 in and (at least: a client may pull a message again) 8 out once the
            // stats items took their next 10 s sample.
            var statsRow: [Substring] = []
            for _ in 0..<30 {
                let stats = try await Self.admin(["statsAll"] + ns + ["-t", topic])
                #expect(stats.status == 0, "\(stats.error)")
                statsRow = stats.lines.first { $0.hasPrefix(topic + " ") }?.split(separator: " ", omittingEmptySubsequences: true) ?? []
                if statsRow.count == 7 && statsRow[5] == "8" && (Int(statsRow[6]) ?? 0) >= 8 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(statsRow.count == 7 && statsRow[1] == Substring(group) && statsRow[2] == "0" && statsRow[5] == "8"
                    && (Int(statsRow[6]) ?? 0) >= 8,
                    "\(statsRow)")

            // printMsg: every message, once, with its body; the offset ids lead to queryMsgById.
            let printed = try await Self.admin(["printMsg"] + ns + ["-t", topic])
            #expect(printed.status == 0, "\(printed.error)")
            let messages = printed.lines.filter { $0.hasPrefix("MSGID: ") }
            #expect(messages.count == 8, "\(printed.output)")
            #expect(messages.allSatisfy { $0.contains("toString()=Message{topic='\(topic)'") && $0.contains("BODY: body admin-0/") })
            #expect(printed.lines.filter { $0.hasPrefix("--------") }.count == rows.count)
            let offsetMsgId = try #require(messages.first.flatMap { line -> Substring? in
                guard let range = line.range(of: "msgId=") else { return nil }
                return line[range.upperBound...].prefix { $0 != "," }
            })

            // consumeMessage from queue 0, offset 0, one message (mqadmin's "oldler" included).
            let consumed = try await Self.admin(["consumeMessage"] + ns + ["-t", topic, "-b", "broker-a", "-i", "0", "-o", "0", "-c", "1"])
            #expect(consumed.status == 0, "\(consumed.error)")
            #expect(consumed.lines.first == "The oldler 1 message will be provided", "\(consumed.output)")
            #expect(consumed.lines.filter { $0.hasPrefix("MSGID: ") }.count == 1, "\(consumed.output)")
            #expect(consumed.lines.contains("Consume ok"), "\(consumed.output)")

            // queryCq: the first queue's units.
            let cq = try await Self.admin(["queryCq"] + ns + ["-t", topic, "-q", "0", "-i", "0", "-b", broker])
            #expect(cq.status == 0, "\(cq.error)")
            #expect(cq.lines.contains("max: \(rows.first { $0[2] == "0" }?[3] ?? "?"), min: 0"), "\(cq.output)")
            #expect(cq.lines.contains { $0.hasPrefix("ConsumeQueueData{physicOffset=") }, "\(cq.output)")

            // queryMsgById: the message, then the track of the group (consumed, now offline).
            let byId = try await Self.admin(["queryMsgById"] + ns + ["-i", String(offsetMsgId)])
            #expect(byId.status == 0, "\(byId.error)")
            // mqadmin writes the body to /tmp/rocketmq/msgbodys/<msgId>: not left behind by the test.
            if let path = byId.lines.first(where: { $0.hasPrefix("Message Body Path:") })?.split(separator: " ").last {
                #expect(FileManager.default.contents(atPath: String(path)).map { String(decoding: $0, as: UTF8.self).hasPrefix("body admin-0/") } == true)
                try? FileManager.default.removeItem(atPath: String(path))
            }
            #expect(byId.lines.first == "OffsetID:            \(offsetMsgId)", "\(byId.output)")
            #expect(byId.output.hasSuffix("MessageTrack [consumerGroup=\(group), trackType=NOT_ONLINE, exceptionDesc=CODE:206 DESC:the consumer group[\(group)] not online]"),
                    "\(byId.output)")
        }
    }

    /// consumerStatus while a PyPI (C++ core) push consumer runs: the broker relays GET_CONSUMER_RUNNING_INFO to
    /// it; the table, the file mqadmin writes per client, the group's analysis, and (-i) the running info as
    /// Java's ConsumerRunningInfo.formatString prints what the C++ client answers.
    @Test func consumerStatusOfALivePythonConsumer() async throws {
        try await Sandbox.with { sandbox in
            let dev = try await sandbox.startDev()
            let ns = ["-n", dev.namesrv]
            let topic = "AdminStatusTopic", group = "AdminStatusGroup"
            let workdir = sandbox.directory.appendingPathComponent("consumer-status")
            try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
            let outcome = try await sandbox.driver("admin_consumer_status_driver.py", [
                "--namesrv", dev.namesrv, "--topic", topic, "--group", group, "--run", "cs", "--count", "4",
                "--admin", try ServerProcess.executable().path, "--workdir", workdir.path,
            ], servers: [dev.process])
            try sandbox.expectOK(outcome, servers: [dev.process])
            let clientId = try #require(outcome.lines("CLIENTID").first)

            let table = outcome.lines("STATUS")
            #expect(outcome.lines("STATUSRC") == ["0"], "\(outcome.output)")
            #expect(table.first == "#Index     #ClientId                                #Version             #ConsumerRunningInfoFile")
            let row = try #require(table.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true))
            #expect(row.count == 4 && row[0] == "1" && row[1] == Substring(clientId), "\(table)")
            // The running info went to <millis>/<clientId> under the working directory, as mqadmin writes it.
            let file = row.count == 4 ? FileManager.default.contents(atPath: workdir.appendingPathComponent(String(row[3])).path) : nil
            #expect(file.map { String(decoding: $0, as: UTF8.self).hasPrefix("#Consumer Properties#\n") } == true, "\(row)")
            // Just started: the subscription check passes, and no queue is stuck.
            #expect(table.contains("Same subscription in the same group of consumer"), "\(table)")
            #expect(table.contains("Rebalance OK"), "\(table)")

            // -i: the client's running info. The C++ client sends its properties, subscriptions (the topic and
            // the group's retry topic) and its queues with their commit offsets; all 4 messages committed.
            let detail = outcome.lines("DETAIL")
            #expect(outcome.lines("DETAILRC") == ["0"], "\(outcome.output)")
            #expect(detail.first == "#Consumer Properties#", "\(detail)")
            // The C++ client's six properties in the order JDK 8's Hashtable (Java's Properties) iterates them
            // (checked with java.util.Hashtable); its "flase" reads as false for Java's orderly check.
            #expect(detail.dropFirst().prefix(6).map { String($0.prefix(40)).trimmingCharacters(in: .whitespaces) } == [
                "PROP_THREADPOOL_CORE_SIZE", "PROP_CONSUMER_START_TIMESTAMP", "PROP_CLIENT_VERSION", "PROP_CONSUMEORDERLY",
                "PROP_CONSUME_TYPE", "PROP_NAMESERVER_ADDR",
            ], "\(detail)")
            #expect(detail.contains { $0.hasPrefix("PROP_CONSUME_TYPE") && $0.hasSuffix(": CONSUME_PASSIVELY") }, "\(detail)")
            #expect(detail.contains { $0.hasPrefix("PROP_NAMESERVER_ADDR") && $0.hasSuffix(": \(dev.namesrv)") }, "\(detail)")
            func padded(_ text: String) -> String { text.padding(toLength: 40, withPad: " ", startingAt: 0) }
            #expect(detail.contains("001 Topic: \(padded("%RETRY%" + group)) ClassFilter: false    SubExpression: *"), "\(detail)")
            #expect(detail.contains("002 Topic: \(padded(topic)) ClassFilter: false    SubExpression: *"), "\(detail)")
            func section(_ name: String) -> [Substring] {
                guard let start = detail.firstIndex(of: name) else { return [] }
                return Array(detail[(start + 2)...].prefix { !$0.isEmpty && !$0.hasPrefix("#Consumer ") }).map { Substring($0) }
            }
            let offsets = section("#Consumer Offset#").filter { $0.hasPrefix(topic + " ") }
                .map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(!offsets.isEmpty && offsets.allSatisfy { $0.count == 4 && $0[1] == "broker-a" }, "\(detail)")
            #expect(offsets.reduce(0) { $0 + (Int($1[3]) ?? -100) } == 4, "\(detail)")
            #expect(section("#Consumer MQ Detail#").filter { $0.hasPrefix(topic + " ") }
                .allSatisfy { $0.contains("ProcessQueueInfo [commitOffset=") && $0.contains(", droped=false, lastPullTimestamp=") }, "\(detail)")
            #expect(detail.contains("#Consumer RT&TPS#"), "\(detail)")
            // The C++ client sends no statusTable, and an empty (not null) jstack: Java prints its header, then nothing.
            #expect(Array(detail.suffix(6)) == [
                "#Consumer RT&TPS#",
                "#Topic                                                                  #Pull RT      #Pull TPS    #Consume RT #ConsumeOK TPS #ConsumeFailed TPS  #ConsumeFailedMsgsInHour",
                "", "", "#Consumer jstack#", "",
            ], "\(detail)")
            // --json: the client's answer as decoded.
            #expect(outcome.lines("RAWRC") == ["0"] && outcome.lines("RAW").contains("\t\"jstack\":\"\","), "\(outcome.output)")

            // A client id not connected to the group: the broker's SYSTEM_ERROR remark.
            #expect(outcome.lines("BADCLIENTRC") == ["1"], "\(outcome.output)")
            let bad = outcome.lines("BADCLIENTERR").joined(separator: "\n")
            #expect(bad.contains("ConsumerStatusSubCommand command failed")
                    && bad.contains("CODE: 1  DESC: The Consumer <\(group)> <127.0.0.1@nobody> not online"), "\(bad)")

            // After the consumer stopped: the broker knows no connection of the group (CONSUMER_NOT_ONLINE); an unknown
            // group has no retry route.
            let offline = try await Self.admin(["consumerStatus"] + ns + ["-g", group])
            #expect(offline.status == 1 && offline.error.contains("CODE: 206  DESC: the consumer group[\(group)] not online"), "\(offline.error)")
            let unknown = try await Self.admin(["consumerStatus"] + ns + ["-g", "NoSuchAdminGroup"])
            #expect(unknown.status == 1
                    && unknown.error.contains("CODE: 17  DESC: No topic route info in name server for the topic: %RETRY%NoSuchAdminGroup"),
                    "\(unknown.error)")
        }
    }
}
