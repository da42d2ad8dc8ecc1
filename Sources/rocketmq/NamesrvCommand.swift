import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NameServer
import RocketMQModel

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

    func run() async throws {
        var config = NamesrvConfig()
        var fileProperties = JavaProperties()
        if let configFile {
            fileProperties = try readPropertiesFile(configFile)
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
        try await runServers([nameServer], logger: logger) {
            let address = try await nameServer.server.bind()
            // Unbuffered, so that scripts waiting for this line see it at once.
            writeToStandardOutput("The Name Server boot success. serializeType=JSON, listening on \(address)\n")
        }
    }
}
