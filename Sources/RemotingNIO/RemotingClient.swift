import Logging
import NIOCore
import NIOPosix

/// An outgoing remoting connection (Java `NettyRemotingClient` for one address): a broker to a name
/// server, our client to a broker. Requests the peer sends on it (NOTIFY_CONSUMER_IDS_CHANGED,
/// CHECK_TRANSACTION_STATE) go to `processors`.
public enum RemotingClient {
    public static func connect(
        host: String, port: Int, processors: RequestProcessorTable = RequestProcessorTable(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: TimeAmount = .seconds(3),
        logger: Logger
    ) async throws -> RemotingConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RemotingConnectionHandler(
                        processors: processors, maximumFrameLength: 16 * 1024 * 1024, logger: logger))
                }
            }
            .connect(host: host, port: port).get()
        // The handler's own connection object, so that processors and the caller see one identity.
        // A channel closed since the connect has no handler left: that is a closed connection too.
        return try await channel.eventLoop.submit {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: RemotingConnectionHandler.self),
                  let connection = handler.connection
            else { throw RemotingError.connectionClosed }
            return connection
        }.get()
    }

    /// `host:port` as RocketMQ writes addresses.
    public static func connect(
        address: String, processors: RequestProcessorTable = RequestProcessorTable(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) async throws -> RemotingConnection {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw SocketAddressError.unsupported
        }
        return try await connect(host: String(address[..<colon]), port: port, processors: processors, group: group, logger: logger)
    }
}
