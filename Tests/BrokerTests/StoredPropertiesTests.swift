@testable import Broker
import NIOCore
import RocketMQModel
import Testing

/// The plain-send fast path stores exactly what the general path (through `MessageProperties`) stores.
@Suite struct StoredPropertiesTests {
    static func general(_ string: String, cluster: String) -> (ByteBuffer, Bool, Int32) {
        var properties = MessageProperties(decoding: string)
        let delay = properties[MessageConst.delayTimeLevel].flatMap { Int32($0) } ?? 0
        let wait = properties[MessageConst.waitStoreMsgOK].map { $0 != "false" } ?? true
        properties[MessageConst.waitStoreMsgOK] = nil
        properties[MessageConst.cluster] = cluster
        var raw = ByteBuffer()
        properties.write(to: &raw)
        return (raw, wait, delay)
    }

    static func string(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)\u{1}\($0.1)" }.joined(separator: "\u{2}")
    }

    @Test(arguments: [
        [("UNIQ_KEY", "7F000001ABCD"), ("WAIT", "true"), ("TAGS", "TagA")],
        [("WAIT", "false"), ("KEYS", "k1 k2"), ("UNIQ_KEY", "X")],
        [("UNIQ_KEY", "X"), ("TAGS", "é"), ("WAIT", "true")],
        [("DELAY", "3"), ("UNIQ_KEY", "X")],
        [("UNIQ_KEY", "X")],
        [("a", "1"), ("ab", "2"), ("abc", "3"), ("WAIT", "maybe")],
    ])
    func sameBytesAsTheGeneralPath(_ pairs: [(String, String)]) throws {
        let string = Self.string(pairs)
        let fast = try #require(StoredProperties(string, cluster: "DefaultCluster"))
        let (raw, wait, delay) = Self.general(string, cluster: "DefaultCluster")
        #expect(fast.raw == raw)
        #expect(fast.waitStoreMessageOK == wait)
        #expect(fast.delayTimeLevel == delay)
    }

    @Test(arguments: [
        "",
        "TRAN_MSG\u{1}true\u{2}UNIQ_KEY\u{1}X",
        "__STARTDELIVERTIME\u{1}1800000000000",
        "CLUSTER\u{1}Mine\u{2}UNIQ_KEY\u{1}X",
        "UNIQ_KEY\u{1}X\u{2}UNIQ_KEY\u{1}Y",
        "UNIQ_KEY\u{1}X\u{2}\u{2}TAGS\u{1}a",
        "UNIQ_KEY\u{1}X\u{2}",
        "UNIQ_KEY\u{1}\u{2}TAGS\u{1}a",
        "\u{1}X",
        "DELAY\u{1}soon",
    ])
    func everythingElseTakesTheGeneralPath(_ string: String) {
        #expect(StoredProperties(string, cluster: "DefaultCluster") == nil)
    }
}
