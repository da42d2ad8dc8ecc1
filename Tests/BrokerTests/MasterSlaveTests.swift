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
import Testing

/// A SYNC_MASTER and its SLAVE with a name server, all on loopback: the slave registers as brokerId 1, learns
/// the master's HA address from the registration answer, replicates the commit log, copies topics and offsets,
/// refuses sends and sends pulls back to the master.
@Suite struct MasterSlaveTests {
    /// A port P with P − 2 (VIP) and P + 1 (HA) free too.
    static func freeMasterPort() async throws -> Int {
        for _ in 0..<50 {
            let port = try FreePort.broker()
            guard let ha = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "0.0.0.0", port: port + 1).get() else { continue }
            try await ha.close()
            return port
        }
        throw ChannelError.inappropriateOperationForState
    }

    @Test func slaveFollowsItsMaster() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-broker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var namesrvConfig = NamesrvConfig()
        namesrvConfig.listenPort = 0
        namesrvConfig.kvConfigPath = directory + "/namesrv/kvConfig.json"
        namesrvConfig.configStorePath = directory + "/namesrv/namesrv.properties"
        let nameServer = NameServer(config: namesrvConfig, logger: BrokerControllerTests.logger)
        let masterPort = try await Self.freeMasterPort()
        let slavePort = try FreePort.broker()

        try await BrokerControllerTests.running(nameServer) {
            let namesrvPort = try #require(try await nameServer.server.bind().port)
            func startup(_ name: String, port: Int, role: String, id: String) throws -> BrokerStartup {
                try BrokerStartup(
                    properties: JavaProperties([
                        ("brokerName", "broker-a"), ("brokerId", id), ("brokerRole", role), ("listenPort", String(port)),
                        ("brokerIP1", "127.0.0.1"), ("brokerIP2", "127.0.0.1"), ("storePathRootDir", directory + "/" + name),
                        ("mappedFileSizeCommitLog", "1048576"), ("mappedFileSizeConsumeQueue", "6000"),
                        ("flushDiskType", "SYNC_FLUSH"),
                    ]),
                    namesrvAddr: "127.0.0.1:\(namesrvPort)")
            }
            let master = try BrokerController(startup: try startup("master", port: masterPort, role: "SYNC_MASTER", id: "0"), logger: BrokerControllerTests.logger)
            let slave = try BrokerController(startup: try startup("slave", port: slavePort, role: "SLAVE", id: "1"), logger: BrokerControllerTests.logger)
            try await BrokerControllerTests.running(master) {
                _ = try await master.ready()
                try await BrokerControllerTests.running(slave) {
                    _ = try await slave.ready()
                    #expect(slave.haClient?.masterAddress == "127.0.0.1:\(masterPort + 1)")
                    let client = try await RemotingClient.connect(host: "127.0.0.1", port: masterPort, logger: BrokerControllerTests.logger)
                    defer { client.close() }
                    // Until the slave's HA connection is up a SYNC_MASTER send is stored but answered
                    // SLAVE_NOT_AVAILABLE; then it is answered SUCCESS once the slave has it.
                    var codes: [ResponseCode] = []
                    #expect(try await BrokerControllerTests.poll(client, SendMessageProcessorTests.send(topic: "NewTopic")) { response in
                        codes.append(response.responseCode)
                        return response.responseCode == .success
                    })
                    #expect(codes.allSatisfy { $0 == .slaveNotAvailable || $0 == .success })
                    #expect(master.store.groupTransfer.push2SlaveMaxOffset >= master.store.maxPhysicalOffset)
                    let commit = UpdateConsumerOffsetRequestHeader(consumerGroup: "G", topic: "NewTopic", queueId: 0, commitOffset: 1)
                    #expect(try await client.send(.request(code: .updateConsumerOffset, extFields: commit.extFields)).responseCode == .success)
                    let group = SubscriptionGroupConfig(groupName: "SyncedGroup", retryMaxTimes: 3)
                    #expect(try await client.send(.request(code: .updateAndCreateSubscriptionGroup, body: group.encoded())).responseCode == .success)

                    await slave.store.waitForDispatch(upTo: master.store.maxPhysicalOffset)
                    #expect(slave.store.maxPhysicalOffset == master.store.maxPhysicalOffset)
                    #expect(slave.store.getMaxOffsetInQueue(topic: "NewTopic", queueId: 0) == Int64(codes.count))
                    #expect(slave.store.commitLogData(from: 0, maxSize: 1 << 20) == master.store.commitLogData(from: 0, maxSize: 1 << 20))

                    // The route lists both, master 0 and slave 1.
                    let namesrv = try await RemotingClient.connect(host: "127.0.0.1", port: namesrvPort, logger: BrokerControllerTests.logger)
                    defer { namesrv.close() }
                    let route = RemotingCommand.request(code: .getRouteInfoByTopic, extFields: GetRouteInfoRequestHeader(topic: "NewTopic").extFields)
                    #expect(try await BrokerControllerTests.poll(namesrv, route) { response in
                        guard response.responseCode == .success else { return false }
                        return try TopicRouteData(body: response.body).brokerDatas.first?.brokerAddrs
                            == [0: "127.0.0.1:\(masterPort)", 1: "127.0.0.1:\(slavePort)"]
                    })

                    // Slave sync (first after 3 s): the topic and the committed offset reach the slave.
                    let deadline = ContinuousClock.now + .seconds(15)
                    while ContinuousClock.now < deadline, slave.metadata.withState({
                        $0.topics["NewTopic"] == nil || $0.offsets.offset(group: "G", topic: "NewTopic", queueId: 0) != 1
                            || $0.groups["SyncedGroup"] == nil
                    }) {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(slave.metadata.withState { $0.topics["NewTopic"] } == master.metadata.withState { $0.topics["NewTopic"] })
                    #expect(slave.metadata.withState { $0.offsets.offset(group: "G", topic: "NewTopic", queueId: 0) } == 1)
                    #expect(slave.metadata.withState { $0.groups["SyncedGroup"] } == group)
                    // A slave refuses admin writes (Java's validateSlave).
                    let refused = try await RemotingClient.connect(host: "127.0.0.1", port: slavePort, logger: BrokerControllerTests.logger)
                    defer { refused.close() }
                    #expect(try await refused.send(.request(code: .updateAndCreateSubscriptionGroup, body: group.encoded())).responseCode == .systemError)

                    // The slave refuses sends and serves pulls (suggesting the master: no slaveReadEnable); an
                    // offset it does not have yet is retried, not moved.
                    let toSlave = try await RemotingClient.connect(host: "127.0.0.1", port: slavePort, logger: BrokerControllerTests.logger)
                    defer { toSlave.close() }
                    #expect(try await toSlave.send(SendMessageProcessorTests.send(topic: "NewTopic")).responseCode == .serviceNotAvailable)
                    let pull = PullMessageRequestHeader(
                        consumerGroup: "G", topic: "NewTopic", queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: PullSysFlag.subscription,
                        commitOffset: 0, suspendTimeoutMillis: 0, subscription: "*", subVersion: 0)
                    let pulled = try await toSlave.send(.request(code: .pullMessage, extFields: pull.extFields))
                    #expect(pulled.responseCode == .success)
                    #expect(pulled.extFields?["suggestWhichBrokerId"] == "0")
                    #expect(try StoredMessage.decodeAll(try #require(pulled.body)).count == codes.count)
                    var ahead = pull
                    ahead.queueOffset = 1000
                    let moved = try await toSlave.send(.request(code: .pullMessage, extFields: ahead.extFields))
                    #expect(moved.responseCode == .pullRetryImmediately)
                    #expect(moved.extFields?["nextBeginOffset"] == "1000")
                }
            }
        }
    }
}
