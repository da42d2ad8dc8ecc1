import FixtureSupport
import Foundation
import NameServer
import RocketMQModel
import Testing

/// `rocketmq namesrv -c` reads our users' name server files as `mqnamesrv` does.
@Suite struct NamesrvConfigTests {
    static func properties(_ name: String) throws -> JavaProperties {
        JavaProperties(parsing: try String(contentsOf: Fixtures.url("configs", "2m-2s-sync", name), encoding: .utf8))
    }

    @Test func deploymentFilesSetTheListenPort() throws {
        for (file, port) in [("namesrv-1.properties", 9876), ("namesrv-2.properties", 9877)] {
            var config = NamesrvConfig()
            #expect(config.apply(try Self.properties(file)).isEmpty)
            #expect(config.listenPort == port)
        }
    }

    @Test func brokerFileParsesWithCommentsAndSeparators() throws {
        let properties = try Self.properties("broker-a.properties")
        #expect(properties["brokerName"] == "broker-a")
        #expect(properties["namesrvAddr"] == "127.0.0.1:9876;127.0.0.1:9877")
        #expect(properties["brokerRole"] == "SYNC_MASTER")
        #expect(properties["flushDiskType"] == "SYNC_FLUSH")
        #expect(!properties.keys.contains { $0.hasPrefix("#") })
    }

    @Test func javaPropertiesSyntax() {
        let text = "# comment\n! other\n a = 1 \nb:2\nc 3\nd=multi\\\n    line\ne=\\u0041\\t\nf\n"
        let properties = JavaProperties(parsing: text)
        #expect(properties["a"] == "1 ")
        #expect(properties["b"] == "2")
        #expect(properties["c"] == "3")
        #expect(properties["d"] == "multiline")
        #expect(properties["e"] == "A\t")
        #expect(properties["f"] == "")
        #expect(properties.keys == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func badNumbersAreReportedAndPrintingListsEveryKey() {
        var config = NamesrvConfig()
        #expect(config.apply(JavaProperties([("listenPort", "nine")])) == ["listenPort"])
        #expect(config.listenPort == 9876)
        let printed = config.properties.text
        for key in ["rocketmqHome", "kvConfigPath", "configStorePath", "productEnvName", "clusterTest", "orderMessageEnable", "listenPort"] {
            #expect(printed.contains("\(key)="))
        }
    }
}
