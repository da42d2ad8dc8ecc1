import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPGateway
import Logging
import RocketMQClient

/// `rocketmq http`: the HTTP gateway in front of a cluster (ours or Apache's).
struct HTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Run the HTTP gateway: POST to send, push subscriptions to backurls."
    )

    @Option(name: [.customShort("n"), .customLong("namesrvAddr")], help: "Name server addresses, e.g. '127.0.0.1:9876;127.0.0.2:9876'.")
    var namesrvAddr = "127.0.0.1:9876"

    @OptionGroup var options: HTTPGatewayOptions

    func validate() throws {
        try options.validate()
        if namesrvAddr.split(separator: ";").isEmpty { throw ValidationError("give at least one name server with -n") }
    }

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "rocketmq.http")
        let gateway = HTTPGateway(configuration: options.configuration(namesrvAddr: namesrvAddr, port: options.port), logger: logger)
        try await runServers([gateway.application(onListening: { address in
            writeToStandardOutput(HTTPGatewayOptions.bootLine(address))
        })], logger: logger) {}
    }
}

/// The gateway's options, shared by `http` and `dev`.
struct HTTPGatewayOptions: ParsableArguments {
    @Option(name: .customLong("port"), help: "The HTTP port (0 picks a free one).")
    var port = 8080

    @Option(name: .customLong("host"), help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .customLong("data"), help: "Directory of the persisted subscriptions (default ~/.swift-rocketmq/http).")
    var data: String?

    @Option(name: .customLong("maxMessageSize"), help: "The largest message body accepted, in bytes.")
    var maxMessageSize = 4 * 1024 * 1024

    @Option(name: .customLong("client-ip"), help: "The IP this client reports to brokers (default: the first non-loopback IPv4).")
    var clientIP: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxMessageSize > 0 else { throw ValidationError("--maxMessageSize must be positive") }
    }

    func configuration(namesrvAddr: String, port: Int) -> GatewayConfiguration {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        var configuration = GatewayConfiguration(
            nameServers: namesrvAddr.split(separator: ";").map(String.init), port: port,
            dataDirectory: data ?? home + "/.swift-rocketmq/http")
        configuration.host = host
        configuration.maxMessageSize = maxMessageSize
        if let clientIP {
            configuration.client = ClientConfiguration(nameServers: configuration.nameServers, clientIP: clientIP)
        }
        return configuration
    }

    /// What scripts wait for: the bound address, as the name server and broker print theirs.
    static func bootLine(_ address: String) -> String {
        "The HTTP gateway boot success, listening on \(address)\n"
    }
}
