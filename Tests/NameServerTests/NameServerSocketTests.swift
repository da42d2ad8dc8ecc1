import Logging
import NIOCore
import NIOPosix
import NameServer
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

/// A minimal remoting client for tests: sends commands, reads what comes back in order.
struct TestRemotingClient {
    let channel: NIOAsyncChannel<RemotingCommand, RemotingCommand>

    static func connect(to address: SocketAddress) async throws -> TestRemotingClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(RemotingFrameByteDecoder()),
                        MessageToByteHandler(RemotingFrameByteEncoder()),
                    ])
                    return try NIOAsyncChannel<RemotingCommand, RemotingCommand>(wrappingChannelSynchronously: channel)
                }
            }
        return TestRemotingClient(channel: channel)
    }

    /// Sends the commands, then reads `expecting` frames (or until the server closes).
    func exchange(_ commands: [RemotingCommand], expecting: Int) async throws -> [RemotingCommand] {
        try await channel.executeThenClose { inbound, outbound in
            for command in commands { try await outbound.write(command) }
            var received: [RemotingCommand] = []
            for try await command in inbound {
                received.append(command)
                if received.count == expecting { break }
            }
            return received
        }
    }
}

@Suite struct NameServerSocketTests {
    static func startNameServer() async throws -> (NameServer, SocketAddress) {
        var config = NamesrvConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.kvConfigPath = "/nonexistent/kvConfig.json"
        let nameServer = NameServer(config: config, logger: Logger(label: "test.namesrv"))
        let address = try await nameServer.server.bind()
        return (nameServer, address)
    }

    static func registerRequest(opaque: Int32, oneway: Bool = false) -> RemotingCommand {
        let body = RegisterBrokerBody(topicConfigSerializeWrapper: TopicConfigSerializeWrapper(
            topicConfigTable: [TopicConfig(topicName: "SocketTopic", readQueueNums: 2, writeQueueNums: 2)],
            dataVersion: DataVersion(timestamp: 1, counter: 1)))
        let header = RegisterBrokerRequestHeader(
            brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster",
            haServerAddr: "127.0.0.1:10912", brokerId: 0)
        return .request(code: .registerBroker, opaque: opaque, oneway: oneway, extFields: header.extFields, body: body.encoded())
    }

    static func routeRequest(opaque: Int32, serializeType: SerializeType = .json) -> RemotingCommand {
        .request(code: .getRouteInfoByTopic, opaque: opaque, extFields: ["topic": "SocketTopic"], serializeType: serializeType)
    }

    @Test func servesBrokersAndClientsOverTCP() async throws {
        let (nameServer, address) = try await Self.startNameServer()
        defer { Task { try await nameServer.server.shutdown() } }

        let broker = try await TestRemotingClient.connect(to: address)
        let client = try await TestRemotingClient.connect(to: address)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (registered, brokerOpen) = AsyncStream.makeStream(of: Void.self)
            let (clientDone, clientDoneContinuation) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                try await broker.channel.executeThenClose { inbound, outbound in
                    // The oneway registration gets no answer: the first answer is opaque 2's.
                    try await outbound.write(Self.registerRequest(opaque: 1, oneway: true))
                    try await outbound.write(Self.registerRequest(opaque: 2))
                    var iterator = inbound.makeAsyncIterator()
                    let answer = try #require(try await iterator.next())
                    #expect(answer.opaque == 2)
                    #expect(answer.responseCode == .success)
                    brokerOpen.yield()
                    // Stay connected until the client has seen the route, then disconnect.
                    for await _ in clientDone { break }
                }
            }
            group.addTask {
                for await _ in registered { break }
                try await client.channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    try await outbound.write(Self.routeRequest(opaque: 10, serializeType: .rocketmq))
                    let route = try #require(try await iterator.next())
                    #expect(route.opaque == 10)
                    #expect(route.isResponse)
                    #expect(route.serializeType == .rocketmq)
                    #expect(try TopicRouteData(body: route.body).queueDatas.first?.writeQueueNums == 2)

                    try await outbound.write(RemotingCommand(code: 9999, opaque: 11))
                    let unsupported = try #require(try await iterator.next())
                    #expect(unsupported.responseCode == .requestCodeNotSupported)
                    #expect(unsupported.remark == " request type 9999 not supported")

                    try await outbound.write(.request(code: .getRouteInfoByTopic, opaque: 12, extFields: [:]))
                    let missing = try #require(try await iterator.next())
                    #expect(missing.responseCode == .systemError)
                    #expect(missing.remark == "the custom field <topic> is null")
                    clientDoneContinuation.yield()

                    // The broker disconnects: its routes go at once (each probe is a round trip).
                    var gone = false
                    for opaque in Int32(13)..<Int32(1013) where !gone {
                        try await outbound.write(Self.routeRequest(opaque: opaque))
                        gone = try #require(try await iterator.next()).responseCode == .topicNotExist
                    }
                    #expect(gone)
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func corruptFrameClosesTheConnection() async throws {
        let (nameServer, address) = try await Self.startNameServer()
        defer { Task { try await nameServer.server.shutdown() } }
        let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(to: address) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let received = try await raw.executeThenClose { inbound, outbound in
            // A valid request, then garbage: the request is answered, then the server hangs up.
            var bytes = RemotingFrameEncoder.encode(RemotingCommand(code: 105, opaque: 1, extFields: ["topic": "x"]))
            bytes.writeInteger(Int32(8))
            bytes.writeInteger(UInt32(0x0500_0004))
            bytes.writeInteger(UInt32(0))
            try await outbound.write(bytes)
            var all = ByteBuffer()
            for try await chunk in inbound { all.writeImmutableBuffer(chunk) }
            var commands: [RemotingCommand] = []
            while let command = try RemotingFrameDecoder().decode(buffer: &all) { commands.append(command) }
            return commands
        }
        #expect(received.count == 1)
        #expect(received.first?.responseCode == .topicNotExist)
    }

    @Test func nameServersRunSideBySideIndependently() async throws {
        let (first, firstAddress) = try await Self.startNameServer()
        let (second, secondAddress) = try await Self.startNameServer()
        defer {
            Task { try await first.server.shutdown() }
            Task { try await second.server.shutdown() }
        }
        #expect(firstAddress.port != secondAddress.port)
        let broker = try await TestRemotingClient.connect(to: firstAddress)
        let brokerAnswers = try await broker.exchange([Self.registerRequest(opaque: 1), Self.routeRequest(opaque: 2)], expecting: 2)
        #expect(brokerAnswers.map(\.responseCode) == [.success, .success])
        let other = try await TestRemotingClient.connect(to: secondAddress)
        let otherAnswers = try await other.exchange([Self.routeRequest(opaque: 3)], expecting: 1)
        #expect(otherAnswers.first?.responseCode == .topicNotExist)
    }
}
