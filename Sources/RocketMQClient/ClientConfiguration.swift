#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import RemotingCodec

/// What every producer and consumer of one client instance shares (Java `ClientConfig`).
public struct ClientConfiguration: Sendable {
    /// Name server addresses, `host:port` each (Java `namesrvAddr`, `;`-separated there).
    public var nameServers: [String]
    /// The address this client reports in its client id (Java: the first non-loopback IPv4).
    public var clientIP: String
    /// Java `instanceName`; the default is made unique per process as Java does for "DEFAULT".
    public var instanceName: String
    /// Header encoding of our requests: JSON as Java's default, ROCKETMQ binary by option.
    public var serializeType: SerializeType
    /// Java `pollNameServerInterval`.
    public var pollNameServerInterval: Duration
    /// Java `heartbeatBrokerInterval`.
    public var heartbeatBrokerInterval: Duration
    /// Java `persistConsumerOffsetInterval`.
    public var persistConsumerOffsetInterval: Duration
    /// Timeout of one request (route, heartbeat, offsets).
    public var requestTimeout: Duration
    /// The loops the connections to name servers and brokers run on.
    public var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    /// Where the client's own tasks (pull loops, consume workers, callbacks) run; nil: Swift's global
    /// pool. An ``RemotingNIO/EventLoopTaskExecutor`` on the loop of a one-loop `eventLoopGroup` keeps
    /// a message's whole path on one thread.
    public var taskExecutor: (any TaskExecutor)?

    public init(
        nameServers: [String], clientIP: String = ClientConfiguration.localIPv4(), instanceName: String? = nil,
        serializeType: SerializeType = .json, pollNameServerInterval: Duration = .seconds(30),
        heartbeatBrokerInterval: Duration = .seconds(30), persistConsumerOffsetInterval: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(3)
    ) {
        self.nameServers = nameServers
        self.clientIP = clientIP
        self.instanceName = instanceName ?? "\(getpid())#\(DispatchTimeNanos.now)"
        self.serializeType = serializeType
        self.pollNameServerInterval = pollNameServerInterval
        self.heartbeatBrokerInterval = heartbeatBrokerInterval
        self.persistConsumerOffsetInterval = persistConsumerOffsetInterval
        self.requestTimeout = requestTimeout
    }

    /// `namesrvAddr` as Java writes it: `a:9876;b:9876`.
    public init(namesrvAddr: String) {
        self.init(nameServers: namesrvAddr.split(separator: ";").map { String($0) }.filter { !$0.isEmpty })
    }

    /// Java `buildMQClientId`: `ip@instanceName`.
    public var clientID: String { "\(clientIP)@\(instanceName)" }

    /// The first non-loopback IPv4 address of this machine, else 127.0.0.1.
    public static func localIPv4() -> String {
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress,
                  !ip.hasPrefix("127.") else { continue }
            return ip
        }
        return "127.0.0.1"
    }
}

/// Monotonic nanoseconds, for instance names (Java uses `System.nanoTime()`).
enum DispatchTimeNanos {
    static var now: UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
