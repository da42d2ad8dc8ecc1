import ArgumentParser
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle

/// `rocketmq bench null-broker`: one port that answers as a name server and as a broker — route,
/// heartbeat, unregister and send — without storing anything. What `bench producer` reaches against
/// it is the ceiling of the client and the loopback, to compare the real broker with.
struct NullBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "null-broker", abstract: "A broker that stores nothing.")

    @Option(name: [.customShort("p"), .customLong("port")], help: "Listen port (name server and broker in one).")
    var port = 9876

    @Option(help: "Queues per topic.")
    var queues: Int32 = 8

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "rocketmq.null-broker")
        let processor = NullBrokerProcessor(address: "127.0.0.1:\(port)", queues: queues)
        var table = RequestProcessorTable()
        table.register(processor, for: NullBrokerProcessor.codes)
        let server = RemotingServer(configuration: .init(host: "127.0.0.1", port: port), processors: table, logger: logger)
        let bound = try await server.bind()
        try await runServers([server], logger: logger) {
            writeToStandardOutput("The null broker is listening on \(bound) (name server and broker)\n")
        }
    }
}

/// Answers the requests a producer makes, as a name server and a master would, storing nothing:
/// message ids and queue offsets are counted as if the messages had been appended.
struct NullBrokerProcessor: RequestProcessor {
    static let codes: [RequestCode] = [
        .getRouteInfoByTopic, .heartBeat, .unregisterClient, .sendMessage, .sendMessageV2, .sendBatchMessage,
    ]
    static let brokerName = "null-broker"

    let address: String
    let queues: Int32
    private let storeHost: MessageHost
    private struct Counters {
        var physicalOffset: Int64 = 0
        var queueOffsets: [String: [Int64]] = [:]
    }
    private let counters = NIOLockedValueBox(Counters())

    init(address: String, queues: Int32) {
        self.address = address
        self.queues = queues
        self.storeHost = MessageHost(parsing: address) ?? MessageHost(ipv4: 127, 0, 0, 1, port: 0)
    }

    func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .getRouteInfoByTopic:
            let route = TopicRouteData(
                queueDatas: [QueueData(brokerName: Self.brokerName, readQueueNums: queues, writeQueueNums: queues, perm: 6)],
                brokerDatas: [BrokerData(cluster: "NullCluster", brokerName: Self.brokerName, brokerAddrs: [0: address])])
            return .response(request.makeResponse(code: .success, body: route.encoded()))
        case .heartBeat, .unregisterClient:
            return .response(request.makeResponse(code: .success))
        default:
            let header = try SendMessageRequestHeader(command: request)
            let size = Int64(request.body?.readableBytes ?? 0)
            let (physical, queueId, queueOffset) = counters.withLockedValue { counters -> (Int64, Int32, Int64) in
                let physical = counters.physicalOffset
                counters.physicalOffset += size + 100
                let queueId = header.queueId >= 0 && header.queueId < queues ? header.queueId : 0
                // Taken in place: a copy out of the table and back copied the array on every send.
                func take(_ offsets: inout [Int64]) -> Int64 {
                    defer { offsets[Int(queueId)] += 1 }
                    return offsets[Int(queueId)]
                }
                let offset = take(&counters.queueOffsets[header.topic, default: Array(repeating: 0, count: Int(queues))])
                return (physical, queueId, offset)
            }
            let response = SendMessageResponseHeader(
                msgId: MessageId.offsetMsgId(storeHost: storeHost, physicalOffset: physical), queueId: queueId,
                queueOffset: queueOffset, msgRegion: "DefaultRegion", traceOn: "true")
            return .response(request.makeResponse(code: .success, extFields: response.extFields))
        }
    }
}
