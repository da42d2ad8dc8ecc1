import ArgumentParser
import Logging
import RocketMQDashboard
import ServiceLifecycle

/// `rocketmq dashboard -n namesrv`: the web dashboard as a client of any RocketMQ 4.x cluster (Java's
/// separate rocketmq-dashboard), on a loopback port by default.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the web dashboard of a cluster (default http://127.0.0.1:8083)."
    )

    @OptionGroup var common: AdminCommonOptions

    @Option(name: .customLong("host"), help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .customLong("port"), help: "The HTTP port (0: a free one, printed).")
    var port = 8083

    @Flag(name: .customLong("enable-actions"), help: "Allow the form that sends test messages (read-only by default).")
    var enableActions = false

    func run() async throws {
        let nameServers = try common.nameServers()
        bootstrapLogging()
        bootstrapMetrics()
        let logger = Logger(label: "rocketmq.dashboard")
        let dashboard = try makeDashboard(namesrvAddr: nameServers.joined(separator: ";"), enableActions: enableActions, logger: logger)
        // The dashboard's own process figures are at /metrics too.
        let server = OpsHTTPServer(host: host, port: port, required: true, collect: {}, dashboard: dashboard, logger: logger)
        try await runServers([dashboard, server], logger: logger) {}
    }
}

/// The dashboard over the admin client; with actions enabled, a producer for the test-message form.
func makeDashboard(namesrvAddr: String, enableActions: Bool, logger: Logger) throws -> Dashboard {
    let nameServers = namesrvAddr.split(separator: ";").map(String.init)
    let source = AdminDashboardSource(
        nameServers: nameServers, producer: enableActions ? TestMessageProducer(namesrvAddr: namesrvAddr) : nil)
    return try Dashboard(source: source, actionsEnabled: enableActions, logger: logger)
}
