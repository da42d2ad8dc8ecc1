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

    @Option(name: .customLong("listenPort"), help: "Overrides listenPort.")
    var listenPort: Int?

    func run() async throws {
        var config = NamesrvConfig()
        var fileProperties = JavaProperties()
        if let configFile {
            guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else {
                throw ValidationError("cannot read the config file \(configFile)")
            }
            fileProperties = JavaProperties(parsing: text)
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
        let known = Set(config.properties.keys)
        let other = JavaProperties(fileProperties.entries.filter { !known.contains($0.key) })
        let logger = Logger(label: "rocketmq.namesrv")
        let nameServer = NameServer(config: config, otherProperties: other, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: nameServer)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let address = try await nameServer.server.bind()
                // Unbuffered, so that scripts waiting for this line see it at once.
                writeToStandardOutput("The Name Server boot success. serializeType=JSON, listening on \(address)\n")
            }
            try await tasks.waitForAll()
        }
    }
}
