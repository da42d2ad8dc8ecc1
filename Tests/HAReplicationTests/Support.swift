import Foundation
import Logging
import MessageStore
import NIOCore
import NIOPosix
import RocketMQModel
import Testing

let testLogger: Logger = {
    var logger = Logger(label: "rocketmq.ha.test")
    logger.logLevel = .critical
    return logger
}()

/// A fresh directory under the system temp directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ha-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Small segments, so that a test rolls files and cuts transfers at the batch size.
func haConfig(root: String, role: BrokerRole, flushDiskType: FlushDiskType = .asyncFlush) -> MessageStoreConfig {
    var config = MessageStoreConfig(storePathRootDir: root)
    config.brokerRole = role
    config.flushDiskType = flushDiskType
    config.mappedFileSizeCommitLog = 64 * 1024
    config.mappedFileSizeConsumeQueueSetting = 6000
    config.maxHashSlotNum = 1000
    config.maxIndexNum = 4000
    config.flushIntervalCommitLog = 10
    config.flushIntervalConsumeQueue = 10
    config.haTransferBatchSize = 8 * 1024
    // Only event-driven transfers and reports: on a loaded machine a test can outlast 5 s, and periodic
    // heartbeats, repeated reports or a housekeeping close would then interleave with what it checks.
    config.haSendHeartbeatInterval = 600_000
    config.haHousekeepingInterval = 600_000
    return config
}

func openStore(_ config: MessageStoreConfig) throws -> LocalFileMessageStore {
    let store = try LocalFileMessageStore(config: config, logger: testLogger)
    try store.start()
    return store
}

let storeHost = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
let bornHost = MessageHost(ipv4: 10, 0, 0, 7, port: 51234)

func makeMessage(topic: String = "TopicTest", queueId: Int32 = 0, body: String, keys: String? = nil) -> BrokerInnerMessage {
    var properties = MessageProperties()
    properties.tags = "TagA"
    if let keys { properties.keys = keys }
    return BrokerInnerMessage(
        topic: topic, queueId: queueId, body: ByteBuffer(string: body), properties: properties,
        bornTimestamp: 1_700_000_000_000, bornHost: bornHost, storeHost: storeHost)
}

/// The commit log's bytes from `from` to the end, read segment by segment.
func commitLogBytes(_ store: LocalFileMessageStore, from: Int64 = 0) -> [UInt8] {
    var bytes: [UInt8] = []
    var offset = from
    while let chunk = store.commitLogData(from: offset, maxSize: 1 << 20) {
        bytes += chunk.readableBytesView
        offset += Int64(chunk.readableBytes)
    }
    return bytes
}

/// Every message of a queue: (queue offset, physical offset, body).
func readQueue(_ store: LocalFileMessageStore, topic: String = "TopicTest", queueId: Int32) throws -> [[String]] {
    var offset = store.getMinOffsetInQueue(topic: topic, queueId: queueId)
    var rows: [[String]] = []
    while true {
        let result = store.getMessage(group: "G", topic: topic, queueId: queueId, offset: offset, maxMsgNums: 32)
        guard result.status == .found else { break }
        for message in try StoredMessage.decodeAll(result.body, verifyBodyCRC: true) {
            rows.append(["\(message.queueOffset)", "\(message.physicalOffset)", String(buffer: message.body)])
        }
        offset = result.nextBeginOffset
    }
    return rows
}

/// A raw TCP peer of an HA port: what it receives arrives on `chunks`.
final class RawPeer: Sendable {
    let channel: any Channel
    let chunks: AsyncStream<ByteBuffer>

    private init(channel: any Channel, chunks: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.chunks = chunks
    }

    static func connect(port: Int) async throws -> RawPeer {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawPeer(channel: channel, chunks: stream)
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeAndFlush(bytes)
    }

    /// Reads until `count` bytes (or the connection's end) and returns them.
    func receive(count: Int) async -> ByteBuffer {
        var buffer = ByteBuffer()
        for await chunk in self.chunks {
            var chunk = chunk
            buffer.writeBuffer(&chunk)
            if buffer.readableBytes >= count { break }
        }
        return buffer
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation
        init(continuation: AsyncStream<ByteBuffer>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.continuation.yield(self.unwrapInboundIn(data))
        }
        func channelInactive(context: ChannelHandlerContext) {
            self.continuation.finish()
        }
    }
}

/// A raw TCP server accepting one peer (a stand-in for a Java master): what the peer sends arrives on `chunks`.
final class RawServer: Sendable {
    let channel: any Channel
    let chunks: AsyncStream<ByteBuffer>
    let accepted: AsyncStream<any Channel>

    private init(channel: any Channel, chunks: AsyncStream<ByteBuffer>, accepted: AsyncStream<any Channel>) {
        self.channel = channel
        self.chunks = chunks
        self.accepted = accepted
    }

    static func bind() async throws -> RawServer {
        let (chunks, chunkContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let (accepted, acceptContinuation) = AsyncStream.makeStream(of: (any Channel).self)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                acceptContinuation.yield(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: chunkContinuation))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawServer(channel: channel, chunks: chunks, accepted: accepted)
    }

    var port: Int { self.channel.localAddress?.port ?? 0 }

    /// Reads until `count` bytes have arrived since the last call (or the stream ends).
    func receive(count: Int, into buffer: inout ByteBuffer) async {
        for await chunk in self.chunks {
            var chunk = chunk
            buffer.writeBuffer(&chunk)
            if buffer.readableBytes >= count { break }
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation
        init(continuation: AsyncStream<ByteBuffer>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.continuation.yield(self.unwrapInboundIn(data))
        }
    }
}
