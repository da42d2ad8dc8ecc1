import ArgumentParser
import Broker
import Logging
import RocketMQModel
import ServiceLifecycle

/// `rocketmq broker`: Java's `mqbroker` (`-c` a broker `.properties` file, `-n` name servers, `-p`
/// print the effective config and exit).
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run a broker (default port 10911), as mqbroker."
    )

    @Option(name: [.customShort("c"), .customLong("configFile")], help: "Broker config properties file.")
    var configFile: String?

    @Option(name: [.customShort("n"), .customLong("namesrvAddr")], help: "Name server addresses, e.g. '192.168.0.1:9876;192.168.0.2:9876'.")
    var namesrvAddr: String?

    @Flag(name: [.customShort("p"), .customLong("printConfigItem")], help: "Print all config items and exit.")
    var printConfigItem = false

    @Option(name: .customLong("metricsPort"), help: "The HTTP port of GET /metrics (-1: none; default 8081 or the metricsPort key).")
    var metricsPort: Int?

    func run() async throws {
        var properties = JavaProperties()
        if let configFile {
            properties = try readPropertiesFile(configFile)
            print("load config properties file OK, \(configFile)")
        }
        let ops = try OpsPortSettings.take(from: &properties, port: metricsPort, defaultPort: 8081)
        let startup: BrokerStartup
        do {
            startup = try BrokerStartup(properties: properties, namesrvAddr: namesrvAddr)
        } catch {
            throw ValidationError("\(error)\(configFile.map { " in \($0)" } ?? "")")
        }
        if printConfigItem {
            print(startup.printedProperties, terminator: "")
            return
        }
        bootstrapLogging()
        bootstrapMetrics()
        let logger = Logger(label: "rocketmq.broker")
        // As Java's, UPDATE_BROKER_CONFIG writes the new settings back to the -c file.
        let broker = try BrokerController(startup: startup, configFilePath: configFile, logger: logger)
        var services: [any Service] = [broker]
        if ops.port >= 0 {
            services.append(OpsHTTPServer(
                host: ops.host, port: ops.port, required: ops.explicit, collect: { broker.collectMetrics() }, dashboard: nil, logger: logger))
        }
        try await runServers(services, logger: logger) {
            _ = try await broker.ready()
            writeToStandardOutput(Self.bootLine(broker))
        }
    }

    /// Java's boot line.
    static func bootLine(_ broker: BrokerController) -> String {
        var line = "The broker[\(broker.brokerConfig.brokerName), \(broker.brokerConfig.brokerAddr)] boot success. serializeType=JSON"
        if !broker.brokerConfig.namesrvAddr.isEmpty { line += " and name server is \(broker.brokerConfig.namesrvAddr)" }
        return line + "\n"
    }
}
