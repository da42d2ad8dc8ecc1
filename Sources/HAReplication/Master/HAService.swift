import Logging
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The master's end of replication (Java `HAService` with its `AcceptSocketService`): listens on
/// `haListenPort` and serves each slave with an ``HAConnection``. The slaves' acknowledgements go to the
/// store's ``GroupTransferService``, which answers SYNC_MASTER puts.
public final class HAService: Sendable {
    private struct State {
        var channel: EventLoopFuture<any Channel>?
        var children: [ObjectIdentifier: any Channel] = [:]
    }

    private let store: LocalFileMessageStore
    private let settings: HASettings
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    public init(
        store: LocalFileMessageStore, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.store = store
        self.settings = HASettings(store.config)
        self.group = group
        self.logger = logger
    }

    /// Binds the HA port (0 picks a free one) and returns its address.
    @discardableResult
    public func bind(host: String = "0.0.0.0", port: Int) async throws -> SocketAddress {
        let future: EventLoopFuture<any Channel> = self.state.withLockedValue { state in
            if let channel = state.channel { return channel }
            let channel = self.makeBootstrap().bind(host: host, port: port)
            state.channel = channel
            return channel
        }
        let channel = try await future.get()
        guard let address = channel.localAddress else { throw ChannelError.inappropriateOperationForState }
        self.logger.info("HA service listening", metadata: ["address": "\(address)"])
        return address
    }

    /// Slave connections open now.
    public var connectionCount: Int { self.store.groupTransfer.connectionCount }

    /// Stops accepting and closes every slave connection.
    public func shutdown() async {
        let (listener, children) = self.state.withLockedValue { state in
            (state.channel, Array(state.children.values))
        }
        if let listener, let channel = try? await listener.get() {
            try? await channel.close()
        }
        for child in children {
            try? await child.close()
        }
    }

    private func makeBootstrap() -> ServerBootstrap {
        let store = self.store
        let settings = self.settings
        let logger = self.logger
        return ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [state] channel in
                state.withLockedValue { $0.children[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = state.withLockedValue { $0.children.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HAConnection(store: store, settings: settings, logger: logger))
                }
            }
    }
}
