import RocketMQClient

/// What `rocketmq http` is started with.
public struct GatewayConfiguration: Sendable {
    /// Name server addresses, `host:port` each.
    public var nameServers: [String]
    /// Where the HTTP server listens; loopback unless told otherwise.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (the bound address is reported by ``HTTPGateway/run(onListening:)``).
    public var port: Int = 8080
    /// Directory of `subscriptions.json`; nil keeps subscriptions in memory only.
    public var dataDirectory: String?
    /// The largest message body accepted (Java's producer `maxMessageSize`, 4 MiB); 413 above.
    public var maxMessageSize = 4 * 1024 * 1024
    /// The producer group the gateway sends with.
    public var producerGroup = "HTTP_GATEWAY_PRODUCER"
    /// The client settings shared by the producer and the subscriptions' push consumers.
    public var client: ClientConfiguration

    public init(nameServers: [String], port: Int = 8080, dataDirectory: String? = nil) {
        self.nameServers = nameServers
        self.port = port
        self.dataDirectory = dataDirectory
        self.client = ClientConfiguration(nameServers: nameServers)
    }
}
