import ArgumentParser
import Broker
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPGateway
import Logging
import NameServer
import RocketMQModel
import ServiceLifecycle

/// `rocketmq dev`: a name server, a broker and the HTTP gateway in one process, on a store under the
/// home directory, for development and tests.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a name server (9876), a broker (10911) and the HTTP gateway (8080) in one process on a local store."
    )

    @Option(name: .customLong("namesrv-port"), help: "The name server's port.")
    var namesrvPort = 9876

    @Option(name: .customLong("broker-port"), help: "The broker's port (its VIP port is this − 2, HA this + 1).")
    var brokerPort = 10911

    @Option(name: .customLong("store"), help: "The data directory (default ~/.swift-rocketmq/dev).")
    var store: String?

    @Option(name: [.customShort("c"), .customLong("configFile")], help: "Broker properties applied on top of the dev defaults.")
    var configFile: String?

    @Option(name: .customLong("http-port"), help: "The HTTP gateway's port (0 picks a free one).")
    var httpPort = 8080

    @Flag(name: .customLong("no-http"), help: "Do not start the HTTP gateway.")
    var noHTTP = false

    @Option(name: .customLong("metrics-port"), help: "The HTTP port of /metrics and the dashboard (-1: none; default 8081).")
    var metricsPort: Int?

    @Flag(name: .customLong("enable-actions"), help: "Let the dashboard send test messages (read-only by default).")
    var enableActions = false

    func run() async throws {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        let root = store ?? home + "/.swift-rocketmq/dev"
        var namesrvConfig = NamesrvConfig()
        namesrvConfig.listenPort = namesrvPort
        namesrvConfig.kvConfigPath = root + "/namesrv/kvConfig.json"
        namesrvConfig.configStorePath = root + "/namesrv/namesrv.properties"
        var properties = JavaProperties([
            ("brokerName", "broker-a"), ("listenPort", String(brokerPort)), ("storePathRootDir", root + "/store"),
        ])
        if let configFile {
            for (key, value) in try readPropertiesFile(configFile).entries { properties[key] = value }
        }
        let startup: BrokerStartup
        do {
            startup = try BrokerStartup(properties: properties, namesrvAddr: "127.0.0.1:\(namesrvPort)")
        } catch {
            throw ValidationError("\(error)")
        }
        bootstrapLogging()
        bootstrapMetrics()
        let logger = Logger(label: "rocketmq.dev")
        let nameServer = NameServer(config: namesrvConfig, logger: logger)
        // The name server listens before the broker starts: a taken port fails at once, and the broker's
        // first registration finds it.
        let address = try await nameServer.server.bind()
        let broker = try BrokerController(startup: startup, logger: logger)
        var services: [any Service] = [nameServer, broker]
        if !noHTTP {
            var configuration = GatewayConfiguration(nameServers: ["127.0.0.1:\(namesrvPort)"], port: httpPort,
                                                     dataDirectory: root + "/http")
            configuration.client = .init(nameServers: configuration.nameServers, clientIP: "127.0.0.1")
            let gateway = HTTPGateway(configuration: configuration, logger: Logger(label: "rocketmq.http"))
            let application = gateway.application(onListening: { address in
                writeToStandardOutput(HTTPGatewayOptions.bootLine(address))
            })
            // Serves once the broker has registered, so that resumed subscriptions find their routes at once.
            services.append(AfterBrokerReady(broker: broker, service: application))
        }
        // [ops] /metrics and the dashboard on one loopback port (the HTTP gateway takes 8080).
        if (metricsPort ?? 8081) >= 0 {
            let dashboard = try makeDashboard(namesrvAddr: "127.0.0.1:\(namesrvPort)", enableActions: enableActions, logger: logger)
            services += [dashboard, OpsHTTPServer(
                host: "127.0.0.1", port: metricsPort ?? 8081, required: metricsPort != nil, collect: { broker.collectMetrics() },
                dashboard: dashboard, logger: logger)]
        }
        try await runServers(services, logger: logger) {
            writeToStandardOutput("The Name Server boot success. serializeType=JSON, listening on \(address)\n")
            _ = try await broker.ready()
            writeToStandardOutput(BrokerCommand.bootLine(broker))
        }
    }
}

/// Runs `service` once the broker is ready (within the same graceful shutdown).
private struct AfterBrokerReady: Service {
    let broker: BrokerController
    let service: any Service

    func run() async throws {
        _ = try await broker.ready()
        try await service.run()
    }
}
