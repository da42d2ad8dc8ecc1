import ClusterSupport
import Broker
import Foundation
import Logging
import MessageStore
import NIOCore
import NIOPosix
import NameServer
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle
import Testing

/// The whole broker on loopback with a name server: registration at start and on a new topic, the
/// config files, a graceful stop that unregisters and persists, and a restart that picks up where it left.
@Suite struct BrokerControllerTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        // TEST_LOG_LEVEL=debug shows the broker's log when a test needs explaining.
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Runs `service` in its own service group until `body` returns, then stops it gracefully.
    static func running<Result: Sendable>(
        _ service: some Service, _ body: () async throws -> Result
    ) async throws -> Result {
        try await TestCluster.running(ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger)), body)
    }

    /// Sends `request` until `accept` holds for the answer, for at most 10 s.
    static func poll(_ connection: RemotingConnection, _ request: RemotingCommand,
                     until accept: (RemotingCommand) throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try accept(try await connection.send(request)) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The first element of `stream`, or nil when none comes within `timeout`.
    static func first<Element: Sendable>(of stream: AsyncStream<Element>, within timeout: Duration) async -> Element? {
        await withTaskGroup(of: Element?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    static func brokerNames(_ response: RemotingCommand) throws -> Set<String> {
        Set(try ClusterInfo(body: response.body).brokerAddrTable.keys)
    }

    @Test func registersPersistsUnregistersAndRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var namesrvConfig = NamesrvConfig()
        namesrvConfig.listenPort = 0
        namesrvConfig.kvConfigPath = directory + "/namesrv/kvConfig.json"
        namesrvConfig.configStorePath = directory + "/namesrv/namesrv.properties"
        let nameServer = NameServer(config: namesrvConfig, logger: Self.logger)
        let brokerPort = try FreePort.broker()

        try await Self.running(nameServer) {
            let namesrvPort = try #require(try await nameServer.server.bind().port)
            let startup = try BrokerStartup(
                properties: JavaProperties([
                    ("brokerName", "broker-t"), ("listenPort", String(brokerPort)), ("storePathRootDir", directory + "/store"),
                    ("mappedFileSizeCommitLog", "1048576"), ("mappedFileSizeConsumeQueue", "6000"),
                    ("flushDiskType", "SYNC_FLUSH"),
                ]),
                namesrvAddr: "127.0.0.1:\(namesrvPort)")
            let namesrv = try await RemotingClient.connect(host: "127.0.0.1", port: namesrvPort, logger: Self.logger)
            defer { namesrv.close() }
            let clusterInfo = RemotingCommand.request(code: .getBrokerClusterInfo)
            let route = RemotingCommand.request(code: .getRouteInfoByTopic, extFields: GetRouteInfoRequestHeader(topic: "NewTopic").extFields)

            // First run: registered at start, a new topic reaches the name server, an offset is committed.
            let broker = try BrokerController(startup: startup, logger: Self.logger)
            try await Self.running(broker) {
                _ = try await broker.ready()
                #expect(try await Self.poll(namesrv, clusterInfo) { try Self.brokerNames($0) == ["broker-t"] })
                let client = try await RemotingClient.connect(host: "127.0.0.1", port: brokerPort, logger: Self.logger)
                defer { client.close() }
                for _ in 0..<3 {
                    let sent = try await client.send(SendMessageProcessorTests.send(topic: "NewTopic"))
                    #expect(sent.responseCode == .success)
                }
                #expect(try await Self.poll(namesrv, route) { $0.responseCode == .success })
                let commit = UpdateConsumerOffsetRequestHeader(consumerGroup: "G", topic: "NewTopic", queueId: 0, commitOffset: 2)
                let committed = try await client.send(.request(code: .updateConsumerOffset, extFields: commit.extFields))
                #expect(committed.responseCode == .success)
                // The VIP port serves sends but not pulls.
                let vip = try await RemotingClient.connect(host: "127.0.0.1", port: brokerPort - 2, logger: Self.logger)
                defer { vip.close() }
                #expect(try await vip.send(SendMessageProcessorTests.send(topic: "NewTopic")).responseCode == .success)
                let pull = PullMessageRequestHeader(
                    consumerGroup: "G", topic: "NewTopic", queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 0,
                    commitOffset: 0, suspendTimeoutMillis: 0, subscription: "*", subVersion: 0)
                #expect(try await vip.send(.request(code: .pullMessage, extFields: pull.extFields)).responseCode == .requestCodeNotSupported)
            }

            // Stopped: unregistered at once, the tables are on disk.
            #expect(try Self.brokerNames(try await namesrv.send(clusterInfo)).isEmpty)
            let config = directory + "/store/config/"
            let topics = try TopicConfigSerializeWrapper(body: ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: config + "topics.json"))))
            #expect(topics.topicConfigTable.contains { $0.topicName == "NewTopic" })
            let offsets = try ConsumerOffsetSerializeWrapper(
                body: ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: config + "consumerOffset.json"))))
            #expect(offsets.offsetTable.first { $0.key == "NewTopic@G" }?.offsets.first?.offset == 2)

            // Second run on the same store: topic, offset and messages are back, and so is the route.
            let again = try BrokerController(startup: startup, logger: Self.logger)
            try await Self.running(again) {
                _ = try await again.ready()
                #expect(again.metadata.withState { $0.topics["NewTopic"] != nil })
                #expect(again.metadata.withState { $0.offsets.offset(group: "G", topic: "NewTopic", queueId: 0) } == 2)
                await again.store.waitForDispatch(upTo: again.store.maxPhysicalOffset)
                #expect(again.store.getMaxOffsetInQueue(topic: "NewTopic", queueId: 0) == 4)
                #expect(try await Self.poll(namesrv, route) { $0.responseCode == .success })
            }
        }
    }

    /// Captures PUSH_REPLY_MESSAGE_TO_CLIENT on the requester's connection and accepts it.
    final class ReplyCatcher: RequestProcessor, Sendable {
        let pushes = AsyncStream<RemotingCommand>.makeStream()
        func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
            pushes.continuation.yield(request)
            return .response(request.makeResponse(code: .success))
        }
    }

    @Test func repliesArePushedToTheRequesterAndStored() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reply-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePort.broker()
        let broker = try BrokerController(startup: try BrokerStartup(properties: JavaProperties([
            ("listenPort", String(port)), ("storePathRootDir", directory), ("mappedFileSizeCommitLog", "1048576"),
            ("mappedFileSizeConsumeQueue", "6000"),
        ])), logger: Self.logger)
        try await Self.running(broker) {
            _ = try await broker.ready()
            let catcher = ReplyCatcher()
            var processors = RequestProcessorTable()
            processors.register(catcher, for: [.pushReplyMessageToClient])
            let requester = try await RemotingClient.connect(host: "127.0.0.1", port: port, processors: processors, logger: Self.logger)
            defer { requester.close() }
            let heartbeat = HeartbeatData(clientID: "127.0.0.1@requester", producerDataSet: ["PG"], consumerDataSet: [])
            #expect(try await requester.send(.request(code: .heartBeat, body: heartbeat.encoded())).responseCode == .success)

            let replier = try await RemotingClient.connect(host: "127.0.0.1", port: port, logger: Self.logger)
            defer { replier.close() }
            func reply(to clientId: String) -> RemotingCommand {
                let header = SendMessageRequestHeader(
                    producerGroup: "RG", topic: "DefaultCluster_REPLY_TOPIC", defaultTopic: "TBW102", queueId: 0, bornTimestamp: 1,
                    properties: "REPLY_TO_CLIENT\u{1}\(clientId)\u{2}CORRELATION_ID\u{1}c-1\u{2}")
                return .request(code: .sendReplyMessageV2, extFields: header.v2ExtFields, body: ByteBuffer(string: "the answer"))
            }
            let answered = try await replier.send(reply(to: "127.0.0.1@requester"))
            #expect(answered.responseCode == .success)
            #expect(answered.extFields?["queueOffset"] == "0")
            #expect(answered.extFields?["msgId"]?.count == 32)
            let push = try #require(await Self.first(of: catcher.pushes.stream, within: .seconds(10)))
            #expect(push.body.map { String(buffer: $0) } == "the answer")
            let pushed = try push.decodeHeader(ReplyMessageRequestHeader.self)
            #expect(pushed.topic == "DefaultCluster_REPLY_TOPIC")
            let properties = MessageProperties(decoding: pushed.properties ?? "")
            #expect(properties["CORRELATION_ID"] == "c-1")
            #expect(properties["PUSH_REPLY_TIME"] != nil)

            // Nobody to push to: Java's SYSTEM_ERROR, but the reply is still stored.
            let orphan = try await replier.send(reply(to: "nobody"))
            #expect(orphan.responseCode == .systemError)
            #expect(orphan.remark == "push reply message fail, channel of <nobody> not found.")
            #expect(orphan.extFields?["queueOffset"] == "1")
            await broker.store.waitForDispatch(upTo: broker.store.maxPhysicalOffset)
            #expect(broker.store.getMaxOffsetInQueue(topic: "DefaultCluster_REPLY_TOPIC", queueId: 0) == 2)
        }
    }
}
