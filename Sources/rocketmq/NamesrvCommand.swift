import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NameServer
import RocketMQModel
import ServiceLifecycle

/// `rocketmq namesrv`: Java's `mqnamesrv` (`-c` a `.properties` file, `-p` print the effective config).
struct NamesrvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namesrv",
        abstract: "Run a name server (default port 9876), as mqnamesrv."
    )

    @Option(name: [.customShort("c"), .customLong("configFile")], help: "Name server config properties file.")
    var configFile: String?

    @Flag(name: [.customShort("p"), .customLong("printConfigItem")], help: "Print all config items and exit.")
    var printConfigItem = false

    /// Java's tools all accept `-n`; a name server has no use for it.
    @Option(name: [.customShort("n"), .customLong("namesrvAddr")], help: "Accepted for compatibility with mqnamesrv; unused.")
    var namesrvAddr: String?

    @Option(name: .customLong("listenPort"), help: "Overrides listenPort.")
    var listenPort: Int?

    @Option(name: .customLong("metricsPort"), help: "The HTTP port of GET /metrics (-1: none; default 8082 or the metricsPort key).")
    var metricsPort: Int?

    func run() async throws {
        var config = NamesrvConfig()
        var fileProperties = JavaProperties()
        var ops = try OpsPortSettings.take(from: &fileProperties, port: metricsPort, defaultPort: 8082)
        if let configFile {
            fileProperties = try readPropertiesFile(configFile)
            ops = try OpsPortSettings.take(from: &fileProperties, port: metricsPort, defaultPort: 8082)
            let invalid = config.apply(fileProperties)
            guard invalid.isEmpty else { throw ValidationError("bad values for \(invalid.joined(separator: ", ")) in \(configFile)") }
            print("load config properties file OK, \(configFile)")
        }
        if let listenPort { config.listenPort = listenPort }
        if printConfigItem {
            print(config.properties.text, terminator: "")
            return
        }
        bootstrapLogging()
        bootstrapMetrics()
        let known = Set(config.properties.keys)
        let other = JavaProperties(fileProperties.entries.filter { !known.contains($0.key) })
        let logger = Logger(label: "rocketmq.namesrv")
        let nameServer = NameServer(config: config, otherProperties: other, logger: logger)
        var services: [any Service] = [nameServer]
        if ops.port >= 0 {
            services.append(OpsHTTPServer(host: ops.host, port: ops.port, required: ops.explicit, collect: {}, dashboard: nil, logger: logger))
        }
        try await runServers(services, logger: logger) {
            let address = try await nameServer.server.bind()
            // Unbuffered, so that scripts waiting for this line see it at once.
            writeToStandardOutput("The Name Server boot success. serializeType=JSON, listening on \(address)\n")
        }
    }
}
