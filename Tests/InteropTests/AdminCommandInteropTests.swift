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

            // An unknown topic: exit 1 with mqadmin's failure line.
            let missing = try await Self.admin(["topicRoute"] + ns + ["-t", "NoSuchAdminTopic"])
            #expect(missing.status == 1 && missing.error.contains("TopicRouteSubCommand command failed"), "\(missing.error)")
        }
    }
}
