import Broker
import Foundation
import HAReplication
import Logging
import MessageStore
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle

// Replicated sends, timed by hand (issue 9's benchmark). Runs the two deployments of the issue one after the
// other, several times interleaved, in this process on 127.0.0.1:
//
//   ASYNC_MASTER + ASYNC_FLUSH: answered from the master's page cache, streamed to the slave meanwhile;
//   SYNC_MASTER + SYNC_FLUSH:   answered once the master's group commit has synced it and the slave has
//                               reported its end offset.
//
//   HATool broker <dir> <senders> <seconds> [rounds]
//       A master and a slave BrokerController (the slave follows over HA); <senders> tasks over 4 client
//       connections send SEND_MESSAGE_V2 (128-byte body, topic BenchmarkTest) to the master, each waiting for
//       the answer before the next: the sync send of a producer.
//   HATool store <dir> <writers> <seconds> [rounds]
//       The same with two stores and HAService/HAClient only: puts straight into the master store.
//
// HATOOL_SYNC_ROLE / HATOOL_SYNC_FLUSH replace the SYNC side's brokerRole / flushDiskType (broker mode), to
// see what each wait costs on its own.
//
// Prints, per run, messages/s and the p50/p99 latency, then the SYNC/ASYNC throughput ratio.

enum Fixed {
    static let syncBrokerRole = ProcessInfo.processInfo.environment["HATOOL_SYNC_ROLE"] ?? "SYNC_MASTER"
    static let syncFlushDiskType = ProcessInfo.processInfo.environment["HATOOL_SYNC_FLUSH"] ?? "SYNC_FLUSH"

    static let logger: Logger = {
        var logger = Logger(label: "HATool")
        logger.logLevel = .error
        return logger
    }()

    static let messages: [BrokerInnerMessage] = (0..<8).map { queueId in
    var properties = MessageProperties()
    properties.uniqueKey = "C000020261815FFD2B27807B6B04000\(queueId)"
    properties.tags = "TagA"
    properties[MessageConst.cluster] = "DefaultCluster"
    return BrokerInnerMessage(
        topic: "BenchmarkTest", queueId: Int32(queueId), body: ByteBuffer(bytes: (0..<128).map { UInt8($0) }),
        properties: properties, bornTimestamp: Int64(Date().timeIntervalSince1970 * 1000),
        bornHost: MessageHost(ipv4: 10, 0, 0, 7, port: 51234), storeHost: MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
    }
}

struct RunResult {
    var rate: Double
    var p50: Double
    var p99: Double
}


func run(directory: String, sync: Bool, writers: Int, seconds: Double) async throws -> RunResult {
    try? FileManager.default.removeItem(atPath: directory)
    var masterConfig = MessageStoreConfig(storePathRootDir: directory + "/master")
    masterConfig.brokerRole = sync ? .syncMaster : .asyncMaster
    masterConfig.flushDiskType = sync ? .syncFlush : .asyncFlush
    var slaveConfig = MessageStoreConfig(storePathRootDir: directory + "/slave")
    slaveConfig.brokerRole = .slave
    slaveConfig.flushDiskType = masterConfig.flushDiskType
    let master = try LocalFileMessageStore(config: masterConfig, logger: Fixed.logger)
    try master.start()
    let slave = try LocalFileMessageStore(config: slaveConfig, logger: Fixed.logger)
    try slave.start()
    let service = HAService(store: master, logger: Fixed.logger)
    let port = try await service.bind(host: "127.0.0.1", port: 0).port ?? 0
    let client = HAClient(store: slave, masterAddress: "127.0.0.1:\(port)", logger: Fixed.logger)
    let following = Task { await client.run() }
    // The slave is connected once a put is replicated (SYNC_MASTER: answered PUT_OK, not SLAVE_NOT_AVAILABLE).
    while true {
        let result = await master.putMessage(Fixed.messages[0])
        if result.status == .putOK && master.groupTransfer.connectionCount > 0 { break }
        try await Task.sleep(for: .milliseconds(10))
    }
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(seconds * 1000))
    let latencies = await withTaskGroup(of: [Double].self) { group in
        for writer in 0..<writers {
            group.addTask {
                var latencies: [Double] = []
                var count = 0
                while ContinuousClock.now < deadline {
                    let sent = ContinuousClock.now
                    let result = await master.putMessage(Fixed.messages[(writer + count) & 7])
                    precondition(result.status == .putOK, "put failed: \(result.status)")
                    let took = ContinuousClock.now - sent
                    latencies.append(Double(took.components.attoseconds) / 1e15 + Double(took.components.seconds) * 1e3)
                    count += 1
                }
                return latencies
            }
        }
        var all: [Double] = []
        for await part in group { all += part }
        return all.sorted()
    }
    let took = ContinuousClock.now - start
    let elapsed = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
    // Everything acknowledged is on the slave (ASYNC_MASTER: soon after).
    await slave.waitForDispatch(upTo: master.maxPhysicalOffset)
    following.cancel()
    await following.value
    await service.shutdown()
    slave.shutdown()
    master.shutdown()
    try? FileManager.default.removeItem(atPath: directory)
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    return RunResult(rate: Double(latencies.count) / elapsed, p50: percentile(0.5), p99: percentile(0.99))
}

/// A port P with P − 2 (VIP) and P + 1 (HA) free.
func freeBrokerPort() async throws -> Int {
    for _ in 0..<100 {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress?.port ?? 0
        try await probe.close()
        guard port > 3, port < 65535 else { continue }
        var bound: [any Channel] = []
        for candidate in [port - 2, port, port + 1] {
            if let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "0.0.0.0", port: candidate).get() { bound.append(channel) }
        }
        for channel in bound { try await channel.close() }
        if bound.count == 3 { return port }
    }
    throw ChannelError.inappropriateOperationForState
}

func brokerRun(directory: String, sync: Bool, senders: Int, seconds: Double) async throws -> RunResult {
    try? FileManager.default.removeItem(atPath: directory)
    let masterPort = try await freeBrokerPort()
    let slavePort = try await freeBrokerPort()
    func startup(_ name: String, _ pairs: [(String, String)]) throws -> BrokerStartup {
        try BrokerStartup(properties: JavaProperties([
            ("brokerName", "broker-bench"), ("brokerIP1", "127.0.0.1"), ("brokerIP2", "127.0.0.1"),
            ("storePathRootDir", directory + "/" + name), ("flushDiskType", sync ? Fixed.syncFlushDiskType : "ASYNC_FLUSH"),
        ] + pairs))
    }
    let master = try BrokerController(startup: try startup("master", [
        ("listenPort", String(masterPort)), ("brokerRole", sync ? Fixed.syncBrokerRole : "ASYNC_MASTER"),
    ]), logger: Fixed.logger)
    let slave = try BrokerController(startup: try startup("slave", [
        ("listenPort", String(slavePort)), ("brokerRole", "SLAVE"), ("brokerId", "1"),
        ("haMasterAddress", "127.0.0.1:\(masterPort + 1)"),
    ]), logger: Fixed.logger)
    let group = ServiceGroup(configuration: .init(services: [.init(service: master), .init(service: slave)], logger: Fixed.logger))
    let running = Task { try await group.run() }
    _ = try await master.ready()
    _ = try await slave.ready()
    let header = SendMessageRequestHeader(
        producerGroup: "PG_BENCH", topic: "BenchmarkTest", defaultTopic: "TBW102", queueId: 0,
        bornTimestamp: Int64(Date().timeIntervalSince1970 * 1000),
        properties: "UNIQ_KEY\u{1}C000020261815FFD2B27807B6B040000\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA\u{2}")
    func request(_ queueId: Int32) -> RemotingCommand {
        var header = header
        header.queueId = queueId
        return .request(code: .sendMessageV2, extFields: header.v2ExtFields, body: ByteBuffer(bytes: (0..<128).map { UInt8($0) }))
    }
    var connections: [RemotingConnection] = []
    for _ in 0..<4 { connections.append(try await RemotingClient.connect(host: "127.0.0.1", port: masterPort, logger: Fixed.logger)) }
    // Until the slave is connected a SYNC_MASTER answers SLAVE_NOT_AVAILABLE.
    while try await connections[0].send(request(0)).responseCode != .success {
        try await Task.sleep(for: .milliseconds(10))
    }
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(seconds * 1000))
    let pool = connections
    let latencies = await withTaskGroup(of: [Double].self) { tasks in
        for sender in 0..<senders {
            tasks.addTask {
                var latencies: [Double] = []
                var count = 0
                while ContinuousClock.now < deadline {
                    let sent = ContinuousClock.now
                    guard let response = try? await pool[sender % pool.count].send(request(Int32((sender + count) & 3))),
                        response.responseCode == .success
                    else { fatalError("a send was not answered SUCCESS") }
                    let took = ContinuousClock.now - sent
                    latencies.append(Double(took.components.attoseconds) / 1e15 + Double(took.components.seconds) * 1e3)
                    count += 1
                }
                return latencies
            }
        }
        var all: [Double] = []
        for await part in tasks { all += part }
        return all.sorted()
    }
    let took = ContinuousClock.now - start
    let elapsed = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
    await slave.store.waitForDispatch(upTo: master.store.maxPhysicalOffset)
    for connection in connections { connection.close() }
    await group.triggerGracefulShutdown()
    try? await running.value
    try? FileManager.default.removeItem(atPath: directory)
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    return RunResult(rate: Double(latencies.count) / elapsed, p50: percentile(0.5), p99: percentile(0.99))
}

let arguments = CommandLine.arguments
guard arguments.count >= 5, ["broker", "store"].contains(arguments[1]), let writers = Int(arguments[3]),
    let seconds = Double(arguments[4])
else {
    FileHandle.standardError.write("usage: HATool broker|store <dir> <senders> <seconds> [rounds]\n".data(using: .utf8)!)
    exit(2)
}
let mode = arguments[1]
let directory = arguments[2]
let rounds = arguments.count > 5 ? Int(arguments[5]) ?? 3 : 3
var async: [RunResult] = []
var sync: [RunResult] = []
for round in 0..<rounds {
    // Interleaved, so that the disk's and the machine's swings hit both.
    for isSync in round % 2 == 0 ? [false, true] : [true, false] {
        let result = mode == "broker"
            ? try await brokerRun(directory: directory, sync: isSync, senders: writers, seconds: seconds)
            : try await run(directory: directory, sync: isSync, writers: writers, seconds: seconds)
        let name = isSync
            ? (mode == "broker" ? "\(Fixed.syncBrokerRole)+\(Fixed.syncFlushDiskType)" : "SYNC_MASTER+SYNC_FLUSH")
            : "ASYNC_MASTER+ASYNC_FLUSH"
        print("\(mode) \(name) \(writers) \(mode == "broker" ? "senders" : "writers"): \(Int(result.rate)) msg/s, p50 \(String(format: "%.3f", result.p50)) ms, p99 \(String(format: "%.3f", result.p99)) ms")
        if isSync { sync.append(result) } else { async.append(result) }
    }
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let asyncRate = median(async.map(\.rate))
let syncRate = median(sync.map(\.rate))
print("median: ASYNC \(Int(asyncRate)) msg/s (p99 \(String(format: "%.3f", median(async.map(\.p99)))) ms), "
    + "SYNC \(Int(syncRate)) msg/s (p99 \(String(format: "%.3f", median(sync.map(\.p99)))) ms), "
    + "SYNC/ASYNC = \(String(format: "%.1f", 100 * syncRate / asyncRate)) %")
