import NIOConcurrencyHelpers
import NIOCore

/// One accepted or opened remoting connection, as processors and managers see it: an identity, the
/// peer address and a way to close it (Java's `Channel` in `RouteInfoManager`, `ConsumerManager`).
public final class RemotingConnection: Sendable, Hashable, CustomStringConvertible {
    private static let nextID = NIOLockedValueBox<UInt64>(0)

    public let id: UInt64
    public let remoteAddress: SocketAddress?
    private let channel: any Channel

    public init(channel: any Channel) {
        self.id = Self.nextID.withLockedValue { value in
            value += 1
            return value
        }
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
    }

    /// `ip:port` of the peer, as Java's `RemotingHelper.parseChannelRemoteAddr` prints it.
    public var remoteAddressText: String {
        guard let remoteAddress, let ip = remoteAddress.ipAddress, let port = remoteAddress.port else { return "" }
        return "\(ip):\(port)"
    }

    public func close() {
        channel.close(promise: nil)
    }

    public var description: String { "connection#\(id)(\(remoteAddressText))" }

    public static func == (lhs: RemotingConnection, rhs: RemotingConnection) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
