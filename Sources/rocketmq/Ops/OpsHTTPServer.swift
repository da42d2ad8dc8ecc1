import Hummingbird
import Logging
import NIOCore
import RocketMQDashboard
import ServiceLifecycle

/// The HTTP port of a broker, a name server or `rocketmq dev`: `GET /metrics` (Prometheus text format)
/// and, when given a dashboard, its pages. A `Service` beside the servers (the dashboard's TPS sampler is
/// another one, which the command adds).
///
/// A port taken by something else stops the process only when the operator chose it (`required`); the
/// default port being taken (a second broker on the host) is a warning, and the broker runs on without it.
struct OpsHTTPServer: Service {
    let host: String
    let port: Int
    let required: Bool
    let collect: @Sendable () -> Void
    let dashboard: Dashboard?
    let logger: Logger

    /// The router: `/metrics`, and the dashboard's pages.
    static func router(collect: @escaping @Sendable () -> Void, dashboard: Dashboard?) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let bytes = PrometheusExport.scrape(collect: collect)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        dashboard?.addRoutes(to: router)
        return router
    }

    func run() async throws {
        let app = Application(
            router: Self.router(collect: collect, dashboard: dashboard),
            configuration: .init(address: .hostname(host, port: port), serverName: "rocketmq"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? "\(host):\(port)"
                writeToStandardOutput("The HTTP server (/metrics\(dashboard == nil ? "" : ", dashboard")) is listening on http://\(address)\n")
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            guard !required else { throw error }
            logger.warning("no HTTP port for /metrics: set metricsPort to a free port", metadata: [
                "port": "\(port)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}
