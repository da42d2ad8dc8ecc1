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
        logger.logLevel = .critical
        return logger
    }

    /// A port P with P − 2 (the VIP port) free too.
    static func freeBrokerPort() async throws -> Int {
        for _ in 0..<50 {
            let main = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "0.0.0.0", port: 0).get()
            let port = main.localAddress?.port ?? 0
            defer { main.close(promise: nil) }
            guard port > 3, let vip = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "0.0.0.0", port: port - 2).get() else { continue }
            try await vip.close()
            try await main.close()
            return port
        }
        throw ChannelError.inappropriateOperationForState
    }

    /// Runs `service` in its own service group until `body` returns, then stops it gracefully.
    static func running<Result: Sendable>(
        _ service: some Service, _ body: () async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
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
        let brokerPort = try await Self.freeBrokerPort()

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
                #expect(again.store.getMaxOffsetInQueue(topic: "NewTopic", queueId: 0) == 4)
                #expect(try await Self.poll(namesrv, route) { $0.responseCode == .success })
            }
        }
    }
}
