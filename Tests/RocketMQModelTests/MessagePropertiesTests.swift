import NIOCore
import RocketMQModel
import Testing

@Suite struct MessagePropertiesTests {
    let a = "\u{1}"  // name/value separator
    let b = "\u{2}"  // pair separator

    @Test func javaFormRoundTrips() {
        let text = "KEYS\(a)key-0 k0\(b)UNIQ_KEY\(a)C000020261815FFD2B27807B6B040000\(b)CLUSTER\(a)DefaultCluster\(b)TAGS\(a)TagA"
        let properties = MessageProperties(decoding: text)
        #expect(properties.count == 4)
        #expect(properties.names == ["KEYS", "UNIQ_KEY", "CLUSTER", "TAGS"])
        #expect(properties["KEYS"] == "key-0 k0")
        #expect(properties.tags == "TagA")
        #expect(properties.uniqueKey == "C000020261815FFD2B27807B6B040000")
        #expect(properties.keysList == ["key-0", "k0"])
        #expect(properties.encoded == text)
        #expect(properties.encodedByteCount == text.utf8.count)
    }

    @Test func cppTrailingSeparatorIsDropped() {
        // C++ and older Java write 0x02 after every pair (capture 10).
        let text = "TAGS\(a)TagPy\(b)KEYS\(a)pykey-0\(b)seq\(a)0\(b)"
        let properties = MessageProperties(decoding: text)
        #expect(properties.count == 3)
        #expect(properties["seq"] == "0")
        #expect(properties.encoded == "TAGS\(a)TagPy\(b)KEYS\(a)pykey-0\(b)seq\(a)0")
    }

    @Test func duplicateNameLastValueWins() {
        // Stored batch entries hold WAIT twice (capture 04).
        let text = "KEYS\(a)k\(b)WAIT\(a)true\(b)CLUSTER\(a)DefaultCluster\(b)WAIT\(a)false"
        let properties = MessageProperties(decoding: text)
        #expect(properties.count == 3)
        #expect(properties["WAIT"] == "false")
        #expect(properties.names == ["KEYS", "WAIT", "CLUSTER"])
    }

    @Test func malformedPiecesAreSkipped() {
        // Empty value, empty name, no separator, empty pieces.
        let text = "\(b)\(b)empty\(a)\(b)\(a)noname\(b)junk\(b)TAGS\(a)TagA\(b)\(b)"
        let properties = MessageProperties(decoding: text)
        #expect(properties.count == 1)
        #expect(properties["TAGS"] == "TagA")
        #expect(properties["empty"] == nil)
        #expect(MessageProperties(decoding: "").isEmpty)
        #expect(MessageProperties(decoding: "\(b)\(b)\(b)").isEmpty)
        #expect(MessageProperties(decoding: "\(a)\(a)").isEmpty)
    }

    @Test func valueSplitsAtFirstSeparatorOnly() {
        let properties = MessageProperties(decoding: "a\(a)b\(a)c")
        #expect(properties["a"] == "b\(a)c")
    }

    @Test func bytesStringAndBufferAgree() {
        let text = "color\(a)rød\(b)KEYS\(a)big-key\(b)主题\(a)值"
        let fromString = MessageProperties(decoding: text)
        let fromBytes = MessageProperties(decoding: Array(text.utf8))
        let fromBuffer = MessageProperties(decoding: ByteBuffer(string: text))
        #expect(fromString == fromBytes)
        #expect(fromString == fromBuffer)
        #expect(fromString["主题"] == "值")
        #expect(fromString["color"] == "rød")
        #expect(fromString.encoded == text)
        var buffer = ByteBuffer()
        let written = fromString.write(to: &buffer)
        #expect(written == text.utf8.count)
        #expect(buffer == ByteBuffer(string: text))
    }

    @Test func subscriptSetAndRemove() {
        var properties: MessageProperties = ["KEYS": "k1 k2", "TAGS": "TagA"]
        properties["CLUSTER"] = "DefaultCluster"
        properties["TAGS"] = "TagB"
        #expect(properties.names == ["KEYS", "TAGS", "CLUSTER"])
        #expect(properties.tags == "TagB")
        properties["KEYS"] = nil
        properties["missing"] = nil
        #expect(properties.names == ["TAGS", "CLUSTER"])
        #expect(properties.encoded == "TAGS\(a)TagB\(b)CLUSTER\(a)DefaultCluster")
        #expect(Array(properties.map(\.name)) == ["TAGS", "CLUSTER"])
        #expect(properties.description == "{TAGS=TagB, CLUSTER=DefaultCluster}")
        #expect(MessageProperties().encoded == "")
        #expect(MessageProperties().encodedByteCount == 0)
    }

    @Test func keysList() {
        #expect(MessageProperties([("KEYS", "  a  b ")]).keysList == ["a", "b"])
        #expect(MessageProperties().keysList == [])
        #expect(MessageProperties(decoding: "KEYS\(a)single").keysList == ["single"])
    }

    /// Stored properties are read lazily: look-ups, iteration, equality and edits agree with a full parse.
    @Test(arguments: [
        [UInt8]("UNIQ_KEY\u{1}ABC\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA".utf8),
        [UInt8]("A\u{1}1\u{2}\u{2}B\u{1}\u{2}\u{1}x\u{2}A\u{1}2\u{2}C".utf8),
        [UInt8]("K\u{1}v\u{1}w\u{2}标签\u{1}值\u{2}".utf8),
        [0x41, 0x01, 0xFF, 0x02, 0xFE, 0x01, 0x7A],
        [],
    ])
    func storedPropertiesReadAsParsedOnes(_ bytes: [UInt8]) {
        let stored = MessageProperties(stored: ByteBuffer(bytes: bytes))
        let parsed = MessageProperties(decoding: bytes)
        for name in ["UNIQ_KEY", "WAIT", "TAGS", "A", "B", "C", "K", "标签", "x", "", "\u{FFFD}", "Missing"] {
            #expect(stored[name] == parsed[name], "\(name)")
        }
        #expect(stored == parsed)
        #expect(stored.count == parsed.count)
        #expect(Array(stored.names) == parsed.names)
        #expect(stored.encoded == parsed.encoded)
        var edited = stored
        edited["NEW"] = "1"
        edited["A"] = nil
        var expected = parsed
        expected["NEW"] = "1"
        expected["A"] = nil
        #expect(edited == expected)
        #expect(edited.encoded == expected.encoded)
    }

    @Test func constantsAreJavaStrings() {
        #expect(MessageConst.keys == "KEYS")
        #expect(MessageConst.waitStoreMsgOK == "WAIT")
        #expect(MessageConst.delayTimeLevel == "DELAY")
        #expect(MessageConst.realQueueId == "REAL_QID")
        #expect(MessageConst.transactionPrepared == "TRAN_MSG")
        #expect(MessageConst.producerGroup == "PGROUP")
        #expect(MessageConst.uniqueClientMessageIdKeyIndex == "UNIQ_KEY")
        #expect(MessageConst.transactionPreparedQueueOffset == "TRAN_PREPARED_QUEUE_OFFSET")
        #expect(MessageConst.checkImmunityTimeInSeconds == "CHECK_IMMUNITY_TIME_IN_SECONDS")
        #expect(MessageConst.replyToClient == "REPLY_TO_CLIENT")
        #expect(MessageConst.messageType == "MSG_TYPE")
        #expect(MessageConst.consumeStartTimestamp == "CONSUME_START_TIME")
        #expect(MessageConst.reservedNames.contains("CLUSTER"))
    }
}
