import Logging
import NameServer
import Testing

/// The unmodified C++ client (PyPI rocketmq==0.4.4) against our name server.
@Suite struct NameServerInteropTests {
    @Test func cppClientFollowsOurRouteToTheBroker() async throws {
        var config = NamesrvConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.kvConfigPath = "/nonexistent/kvConfig.json"
        let nameServer = NameServer(config: config, logger: Logger(label: "test.namesrv"))
        let address = try await nameServer.server.bind()
        defer { Task { try await nameServer.server.shutdown() } }
        let port = try #require(address.port)

        let outcome = try await InteropDriver.run("namesrv_route_driver.py", ["--namesrv", "127.0.0.1:\(port)"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("OK code=10 topic=PyRouteTopic"), "\(outcome.output)")
    }
}
