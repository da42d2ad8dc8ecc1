import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import RemotingCodec
import RocketMQClient
import ServiceLifecycle

/// The HTTP gateway: `POST /topics/{topic}/messages` sends through a RocketMQ producer and answers once
/// the broker acknowledged; `/subscriptions` manage push subscriptions whose consumers POST each message
/// to a backurl. A client of any RocketMQ 4.x cluster: it reaches the brokers only through
/// RocketMQClient.
public final class HTTPGateway: Sendable {
    public let configuration: GatewayConfiguration
    let instance: ClientInstance
    let producer: Producer
    let httpClient: HTTPClient
    let registry: SubscriptionRegistry
    let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger = Logger(label: "rocketmq.http")) {
        self.configuration = configuration
        self.logger = logger
        instance = ClientInstance(configuration: configuration.client, logger: logger)
        var producerConfiguration = ProducerConfiguration(group: configuration.producerGroup)
        producerConfiguration.maxMessageSize = configuration.maxMessageSize
        producer = Producer(configuration: producerConfiguration, instance: instance)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        clientConfiguration.redirectConfiguration = .disallow
        httpClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        let delivery = Delivery(httpClient: httpClient, logger: logger)
        registry = SubscriptionRegistry(file: configuration.dataDirectory.map(SubscriptionFile.init(directory:)),
                                        instance: instance, delivery: delivery, logger: logger)
    }

    /// Starts the producer and resumes the saved subscriptions.
    public func start() async throws {
        try await producer.start()
        try await registry.resume()
    }

    /// Stops the subscriptions (committing their offsets), the producer and the HTTP client.
    public func shutdown() async {
        await registry.shutdown()
        await producer.shutdown()
        try? await httpClient.shutdown()
    }

    /// The application serving the API on `configuration.host:port`, with this gateway as its service:
    /// run it in a `ServiceGroup` (SIGTERM stops the server, then the subscriptions).
    public func application(onListening: @escaping @Sendable (String) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rocketmq-http"),
            services: [Lifecycle(gateway: self)],
            onServerRunning: { channel in
                await onListening(channel.localAddress.map { "\($0.ipAddress ?? self.configuration.host):\($0.port ?? 0)" } ?? "")
            },
            logger: logger)
    }

    /// Starts the gateway (unless already started), then waits for graceful shutdown and stops it.
    struct Lifecycle: Service {
        let gateway: HTTPGateway
        var starts = true
        func run() async throws {
            if starts { try await gateway.start() }
            try? await gracefulShutdown()
            await gateway.shutdown()
        }
    }
}
