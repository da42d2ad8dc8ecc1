import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A remoting server (Java `NettyRemotingServer`): accepts connections and serves them with a fixed
/// processor table. A `Service`: it runs until graceful shutdown, then closes its listening socket
/// and every connection.
public final class RemotingServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Java `serverChannelMaxIdleTimeSeconds`.
        public var idleTimeout: TimeAmount
        public var maximumFrameLength: Int

        public init(host: String = "0.0.0.0", port: Int, idleTimeout: TimeAmount = .seconds(120),
                    maximumFrameLength: Int = 16 * 1024 * 1024) {
            self.host = host
            self.port = port
            self.idleTimeout = idleTimeout
            self.maximumFrameLength = maximumFrameLength
        }
    }

    private let configuration: Configuration
    private let processors: RequestProcessorTable
    private let group: any EventLoopGroup
    private let logger: Logger
    private struct State {
        /// The one bind of this server; every `bind()` caller awaits it.
        var channel: EventLoopFuture<any Channel>?
        var children: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init(configuration: Configuration, processors: RequestProcessorTable,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.processors = processors
        self.group = group
        self.logger = logger
    }

    /// Binds the listening socket (port 0 picks a free one) and returns its address. Concurrent
    /// callers share one bind.
    @discardableResult
    public func bind() async throws -> SocketAddress {
        let future: EventLoopFuture<any Channel> = state.withLockedValue { state in
            if let channel = state.channel { return channel }
            let channel = makeBootstrap().bind(host: configuration.host, port: configuration.port)
            state.channel = channel
            return channel
        }
        let channel = try await future.get()
        guard let address = channel.localAddress else { throw ChannelError.inappropriateOperationForState }
        return address
    }

    private func makeBootstrap() -> ServerBootstrap {
        let processors = self.processors
        let configuration = self.configuration
        let logger = self.logger
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [state] channel in
                state.withLockedValue { $0.children[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = state.withLockedValue { $0.children.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(allTimeout: configuration.idleTimeout),
                        RemotingConnectionHandler(
                            processors: processors, maximumFrameLength: configuration.maximumFrameLength, logger: logger),
                    ])
                }
            }
    }

    public func run() async throws {
        let address = try await bind()
        logger.info("remoting server listening", metadata: ["address": "\(address)"])
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes the listening socket and every open connection.
    public func shutdown() async throws {
        let (channel, children) = state.withLockedValue { state in
            (state.channel, Array(state.children.values))
        }
        try? await channel?.get().close()
        for child in children { try? await child.close() }
    }
}
