import Foundation
import NIOCore
import RocketMQModel
import Testing

/// Every stored message in the captured pull, query, view and check-transaction bodies (PROTOCOL.md §4.8).
@Suite struct StoredMessageCaptureTests {
    static let maxBodySize = 4 * 1024 * 1024

    @Test func fixturesArePresent() throws {
        let frames = MessageBodyFrame.all
        #expect(frames.count == 26)
        #expect(Set(frames.map(\.kind)) == ["PULL_MESSAGE", "QUERY_MESSAGE", "VIEW_MESSAGE_BY_ID", "CHECK_TRANSACTION_STATE"])
        var total = 0
        for frame in frames {
            total += try StoredMessage.decodeAll(try frame.body()).count
        }
        #expect(total == 46)
    }

    @Test(arguments: MessageBodyFrame.all)
    func decodesMatchesPrintoutAndReencodes(_ frame: MessageBodyFrame) throws {
        let body = try frame.body()
        #expect(body.readableBytes == frame.bodyLength)
        let messages = try StoredMessage.decodeAll(body, verifyBodyCRC: true)
        #expect(messages.count > 0)
        if frame.kind == "VIEW_MESSAGE_BY_ID" || frame.kind == "CHECK_TRANSACTION_STATE" {
            #expect(messages.count == 1)
        }

        let output = ClientOutput(scenario: frame.scenario)
        var reencoded = ByteBuffer()
        for message in messages {
            #expect(message.magicCode == StoredMessage.magicCodeV1)
            #expect(!message.topic.isEmpty)
            #expect(message.isBodyCRCValid)
            #expect(Int(message.storeSize) == 91 + message.body.readableBytes + message.topic.utf8.count
                + message.rawProperties.readableBytes)
            #expect(message.storeHost == MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
            #expect(message.bornHost.addressString == "127.0.0.1")
            #expect(message.properties[MessageConst.cluster] == "DefaultCluster")
            #expect(message.properties[MessageConst.minOffset] == nil)
            #expect(message.offsetMsgId.hasPrefix("7F00000100002A9F"))
            #expect(MessageId.decodeOffsetMsgId(message.offsetMsgId)?.physicalOffset == message.physicalOffset)
            let written = try message.encode(into: &reencoded)
            #expect(written == Int(message.storeSize))

            let properties = message.properties
            let printed = output.byOffsetMsgId[message.offsetMsgId] ?? properties.uniqueKey.flatMap { output.byUniqueKey[$0] }
            guard let printed else {
                Issue.record("\(frame.testDescription): no client printout for \(message.offsetMsgId)")
                continue
            }
            // The Java client shows a %RETRY% message under its original topic.
            let shownTopic = MixAll.isRetryTopic(message.topic) ? properties[MessageConst.retryTopic] : message.topic
            if let topic = printed.topic { #expect(shownTopic == topic) }
            if let queueId = printed.queueId { #expect(message.queueId == queueId) }
            if let queueOffset = printed.queueOffset { #expect(message.queueOffset == queueOffset) }
            if let tags = printed.tags { #expect(properties.tags == tags) }
            if let keys = printed.keys { #expect(properties.keys == keys) }
            if let uniqueKey = printed.uniqueKey { #expect(properties.uniqueKey == uniqueKey) }
            if let reconsumeTimes = printed.reconsumeTimes { #expect(message.reconsumeTimes == reconsumeTimes) }
            if let sysFlag = printed.sysFlag { #expect(message.sysFlag.rawValue == sysFlag) }
            if let physicalOffset = printed.physicalOffset { #expect(message.physicalOffset == physicalOffset) }
            if let bodyLength = printed.bodyLength {
                #expect(try message.uncompressedBody(maxSize: Self.maxBodySize).readableBytes == bodyLength)
            }
            if let text = printed.body { #expect(String(buffer: message.body) == text) }
        }
        #expect(reencoded == body)
    }

    /// The printout parser itself, so the cross-checks above compare real values.
    @Test func clientOutputsParse() throws {
        let java = ClientOutput(scenario: "03-push-consumer-json")
        let printed = try #require(java.byOffsetMsgId["7F00000100002A9F000000000000439F"])
        #expect(printed.topic == "FixtureTopicJson2")
        #expect(printed.queueId == 0)
        #expect(printed.queueOffset == 1)
        #expect(printed.tags == "TagB")
        #expect(printed.keys == "key-7 k7")
        #expect(printed.uniqueKey == "C000020261815FFD2B27807B6B9C0007")
        #expect(printed.sysFlag == 0)
        #expect(printed.bodyLength == 15)
        #expect(java.byOffsetMsgId.count >= 10)

        let check = try #require(ClientOutput(scenario: "08-transaction").byOffsetMsgId["7F00000100002A9F000000000000340D"])
        #expect(check.keys == "tx-unknown")
        #expect(check.queueOffset == 3)

        let admin = try #require(ClientOutput(scenario: "09-mqadmin-queryMsgById").byOffsetMsgId["7F00000100002A9F00000000000002A7"])
        #expect(admin.physicalOffset == 679)
        #expect(admin.keys == "key-3 k3")
        #expect(admin.tags == "TagB")
        #expect(admin.queueId == 1)

        let byKey = try #require(ClientOutput(scenario: "09-mqadmin-queryMsgByKey").byUniqueKey["C000020244315FFD2B27806C71D40003"])
        #expect(byKey.queueId == 1)
        #expect(byKey.queueOffset == 0)

        let python = ClientOutput(scenario: "10-python-cpp-client")
        #expect(python.byUniqueKey.count == 3)
        let first = try #require(python.byUniqueKey["0100007F00000D5C0000B8BACC850200"])
        #expect(first.topic == "PyFixtureTopic")
        #expect(first.tags == "TagPy")
        #expect(first.keys == "pykey-1")
        #expect(first.body == "Hello from python 1")
        #expect(first.queueId == 1)
        #expect(first.queueOffset == 0)
    }

    @Test func compressedBodyOfScenario04() throws {
        let frame = try #require(MessageBodyFrame.all.first { $0.scenario == "04-big-body-and-batch" && $0.file.hasPrefix("0069") })
        let messages = try StoredMessage.decodeAll(try frame.body())
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        #expect(message.sysFlag.rawValue == 769)
        #expect(message.body.readableBytes == 693)
        #expect(message.bodyCRC == CRC32.masked(message.body))
        let inflated = try message.uncompressedBody(maxSize: Self.maxBodySize)
        #expect(inflated.readableBytes == 8213)
        #expect(String(buffer: inflated).hasPrefix("compressible fixture body line"))
        #expect(message.properties.uniqueKey == "C000020247295FFD2B27806D15010000")
        #expect(message.offsetMsgId == "7F00000100002A9F000000000000139B")
        #expect(throws: MessageCompressionError.tooLarge(maxSize: 8212)) { try message.uncompressedBody(maxSize: 8212) }
        #expect(try message.uncompressedBody(maxSize: 8213).readableBytes == 8213)
    }

    @Test func checkTransactionStateBodyOfScenario08() throws {
        let frame = try #require(MessageBodyFrame.all.first { $0.kind == "CHECK_TRANSACTION_STATE" })
        let message = try #require(try StoredMessage.decodeAll(try frame.body()).first)
        // §3.3.15: the copy at 13325 / half-queue offset 3, real topic and queue, sysFlag 0.
        #expect(message.physicalOffset == 13325)
        #expect(message.offsetMsgId == "7F00000100002A9F000000000000340D")
        #expect(message.queueOffset == 3)
        #expect(message.topic == "FixtureTopicTx")
        #expect(message.sysFlag.rawValue == 0)
        let properties = message.properties
        #expect(properties[MessageConst.transactionCheckTimes] == "1")
        #expect(properties[MessageConst.waitStoreMsgOK] == "false")
        #expect(properties[MessageConst.transactionPrepared] == "true")
        #expect(properties[MessageConst.producerGroup] == "PG_FIXTURE_TX")
    }

    @Test func appendixA6Layout() throws {
        // PROTOCOL.md A.6: the annotated one-message pull body.
        let properties: MessageProperties = [
            "UNIQ_KEY": "C0A8010500002A9F0000000000000000", "CLUSTER": "DefaultCluster", "TAGS": "TagA",
        ]
        let message = StoredMessage(
            topic: "TopicTest", body: ByteBuffer(string: "Hello"), properties: properties, queueId: 2, queueOffset: 5,
            physicalOffset: 0x100000, bornTimestamp: 1_700_000_000_000, bornHost: MessageHost(ipv4: 192, 168, 1, 5, port: 53211),
            storeTimestamp: 1_700_000_000_005, storeHost: MessageHost(ipv4: 192, 168, 1, 10, port: 10911))
        #expect(message.bodyCRC == 0x77D1_8982)
        #expect(message.storeSize == 179)
        let bytes = try message.encoded()
        #expect(bytes.readableBytes == 179)
        let expectedHead: [UInt8] = [
            0x00, 0x00, 0x00, 0xB3, 0xDA, 0xA3, 0x20, 0xA7, 0x77, 0xD1, 0x89, 0x82, 0x00, 0x00, 0x00, 0x02,
            0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, 0xC0, 0xA8, 0x01, 0x05, 0x00, 0x00, 0xCF, 0xDB,
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x05, 0xC0, 0xA8, 0x01, 0x0A, 0x00, 0x00, 0x2A, 0x9F,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
        ]
        #expect(Array(bytes.readableBytesView.prefix(expectedHead.count)) == expectedHead)
        #expect(bytes.getInteger(at: 93, as: UInt8.self) == 9)
        #expect(bytes.getInteger(at: 103, as: UInt16.self) == 74)
        var copy = bytes
        let decoded = try StoredMessage.decode(from: &copy, verifyBodyCRC: true)
        #expect(decoded == message)
        #expect(decoded.offsetMsgId == "C0A8010A00002A9F0000000000100000")
    }

    @Test func ipv6HostsRoundTrip() throws {
        let born = try #require(MessageHost(ipv6: "2001:db8::5", port: 40000))
        let store = try #require(MessageHost(ipv6: "2001:db8::a", port: 10911))
        let message = StoredMessage(
            topic: "T6", body: ByteBuffer(string: "v6"), properties: ["TAGS": "x"], bornHost: born, storeHost: store)
        var bytes = try message.encoded()
        #expect(bytes.readableBytes == 91 + 24 + 2 + 2 + 6)
        let decoded = try StoredMessage.decode(from: &bytes)
        #expect(decoded.sysFlag.contains([.bornHostV6, .storeHostV6]))
        #expect(decoded.bornHost == born)
        #expect(decoded.storeHost == store)
        #expect(decoded.offsetMsgId.count == 56)
        #expect(MessageId.decodeOffsetMsgId(decoded.offsetMsgId)?.host == store)
        #expect(try decoded.encoded() == message.encoded())
    }

    @Test func version2MagicUsesTwoByteTopicLength() throws {
        let topic = String(repeating: "t", count: 200)
        let host = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
        var message = StoredMessage(
            topic: topic, body: ByteBuffer(string: "b"), bornHost: host, storeHost: host, magicCode: StoredMessage.magicCodeV2)
        #expect(message.storeSize == Int32(92 + 200 + 1))
        var bytes = try message.encoded()
        let decoded = try StoredMessage.decode(from: &bytes)
        #expect(decoded.topic == topic)
        #expect(decoded.magicCode == StoredMessage.magicCodeV2)
        message.magicCode = StoredMessage.magicCodeV1
        #expect(throws: MessageEncodeError.topicTooLong(200)) { try message.encoded() }
    }

    @Test func settingPropertiesReplacesRawBytes() throws {
        let host = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
        var message = StoredMessage(
            topic: "T", body: ByteBuffer(), rawProperties: ByteBuffer(string: "A\u{1}1\u{2}"), bornHost: host, storeHost: host)
        #expect(message.propertiesString == "A\u{1}1\u{2}")
        var properties = message.properties
        properties["CLUSTER"] = "DefaultCluster"
        message.properties = properties
        #expect(message.propertiesString == "A\u{1}1\u{2}CLUSTER\u{1}DefaultCluster")
        #expect(message.tags == nil)
        message.rawProperties = ByteBuffer(repeating: 0x41, count: 32768)
        #expect(throws: MessageEncodeError.propertiesTooLong(32768)) { try message.encoded() }
    }
}
