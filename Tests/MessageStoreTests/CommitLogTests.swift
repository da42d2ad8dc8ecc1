import Foundation
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

@Suite struct CommitLogTests {
    @Test func appendAndReadBack() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            var results: [(BrokerInnerMessage, AppendMessageResult)] = []
            for i in 0..<30 {
                let message = makeMessage(
                    topic: i % 3 == 0 ? "TopicA" : "TopicB", queueId: Int32(i % 2), body: String(repeating: "b\(i)", count: i + 1),
                    tags: i % 2 == 0 ? "TagA" : nil, keys: "key-\(i)", uniqueKey: "UNIQ\(i)")
                results.append((message, try await put(store, message)))
            }
            var expectedOffset: Int64 = 0
            var nextQueueOffset: [String: Int64] = [:]
            for (message, result) in results {
                #expect(result.wroteOffset == expectedOffset)
                expectedOffset += Int64(result.wroteBytes)
                let key = "\(message.topic)-\(message.queueId)"
                #expect(result.queueOffset == nextQueueOffset[key, default: 0])
                nextQueueOffset[key] = result.queueOffset + 1
                #expect(result.messageCount == 1)

                let stored = try #require(store.lookMessage(byPhysicalOffset: result.wroteOffset))
                #expect(stored.topic == message.topic)
                #expect(stored.queueId == message.queueId)
                #expect(stored.flag == 3)
                #expect(stored.body == message.body)
                #expect(stored.rawProperties == message.rawProperties)
                #expect(stored.bornTimestamp == message.bornTimestamp)
                #expect(stored.bornHost == bornHost)
                #expect(stored.storeHost == storeHost)
                #expect(stored.storeTimestamp == result.storeTimestamp)
                #expect(stored.queueOffset == result.queueOffset)
                #expect(stored.physicalOffset == result.wroteOffset)
                #expect(stored.isBodyCRCValid)
                #expect(Int32(stored.encodedLength) == result.wroteBytes)
                #expect(stored.offsetMsgId == result.msgId)
                #expect(result.msgId.count == 32)
                #expect(MessageId.decodeOffsetMsgId(result.msgId)?.physicalOffset == result.wroteOffset)
            }
            #expect(store.maxPhysicalOffset == expectedOffset)
            #expect(store.minPhysicalOffset == 0)
            #expect(store.selectOneMessage(byPhysicalOffset: expectedOffset) == nil)
            #expect(store.getEarliestMessageTime() == results[0].1.storeTimestamp)
        }
    }

    @Test func segmentsRollWithBlankFiller() async throws {
        try await withTemporaryDirectory { root in
            let fileSize = 4096
            let store = try openStore(smallConfig(root: root, commitLogFileSize: fileSize))
            var results: [AppendMessageResult] = []
            for i in 0..<60 {
                results.append(try await put(store, makeMessage(body: String(repeating: "x", count: 100 + i * 7))))
            }
            store.shutdown()
            let names = try FileManager.default.contentsOfDirectory(atPath: root + "/commitlog").sorted()
            #expect(names.count >= 4)
            for (index, name) in names.enumerated() {
                #expect(name == String(format: "%020d", index * fileSize))
            }
            // No entry spans two files; each file ends with a BLANK filler of exactly its remaining bytes, and an
            // entry goes into a file only if 8 bytes stay free after it.
            var expected: Int64 = 0
            for result in results {
                let fileStart = expected - expected % Int64(fileSize)
                if result.wroteOffset != expected {
                    #expect(result.wroteOffset == fileStart + Int64(fileSize))
                    let data = try Data(contentsOf: URL(fileURLWithPath: root + "/commitlog/" + String(format: "%020d", fileStart)))
                    var buffer = ByteBuffer(bytes: data)
                    buffer.moveReaderIndex(to: Int(expected - fileStart))
                    let header = buffer.readMultipleIntegers(as: (Int32, Int32).self)
                    let (size, magic) = try #require(header)
                    #expect(Int64(size) == fileStart + Int64(fileSize) - expected)
                    #expect(magic == Int32(bitPattern: 0xCBD4_3194))
                    #expect(buffer.readableBytesView.allSatisfy { $0 == 0 })
                    #expect(Int64(result.wroteBytes) + 8 > Int64(size))
                }
                #expect(result.wroteOffset / Int64(fileSize) == (result.nextOffset - 1) / Int64(fileSize))
                #expect(result.nextOffset + 8 <= result.wroteOffset - result.wroteOffset % Int64(fileSize) + Int64(fileSize))
                expected = result.nextOffset
            }
            // Everything reads back after a clean reopen, across the segments.
            let reopened = try openStore(smallConfig(root: root, commitLogFileSize: fileSize))
            defer { reopened.shutdown() }
            #expect(reopened.lastExitOK)
            #expect(reopened.maxPhysicalOffset == expected)
            var offset: Int64 = 0
            var count = 0
            while offset < 60 {
                let read = reopened.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: offset, maxMsgNums: 7)
                #expect(read.status == .found)
                #expect(read.messagePhysicalOffsets == Array(results[Int(offset)..<Int(read.nextBeginOffset)].map(\.wroteOffset)))
                count += read.messageCount
                offset = read.nextBeginOffset
            }
            #expect(count == 60)
        }
    }

    @Test func exactFitLeavesEightBytes() async throws {
        try await withTemporaryDirectory { root in
            let fileSize = 4096
            let store = try openStore(smallConfig(root: root, commitLogFileSize: fileSize))
            defer { store.shutdown() }
            let probe = try await put(store, makeMessage(body: ""))
            let overhead = Int(probe.wroteBytes)
            // Fill so that exactly `fileSize - 8` bytes are used: the entry fits.
            let first = fileSize - 8 - Int(probe.nextOffset)
            let fits = try await put(store, makeMessage(body: String(repeating: "f", count: first - overhead)))
            #expect(fits.wroteOffset == probe.nextOffset)
            #expect(fits.nextOffset == Int64(fileSize - 8))
            // The next entry does not fit in 8 bytes: a filler, and the next file.
            let rolled = try await put(store, makeMessage(body: "r"))
            #expect(rolled.wroteOffset == Int64(fileSize))
            // One byte more than fits also rolls (would leave 7).
            let near = fileSize - 7 - Int(rolled.nextOffset - Int64(fileSize))
            let rolls = try await put(store, makeMessage(body: String(repeating: "g", count: near - overhead)))
            #expect(rolls.wroteOffset == Int64(2 * fileSize))
        }
    }

    @Test func batchGetsConsecutiveQueueOffsets() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            _ = try await put(store, makeMessage(topic: "BatchTopic", queueId: 1))
            var entries: [BatchEntry] = []
            for i in 0..<5 {
                var properties = MessageProperties()
                properties.uniqueKey = "BATCH-UNIQ-\(i)"
                properties.keys = "batch-key-\(i)"
                properties.tags = "TagB"
                properties[MessageConst.waitStoreMsgOK] = "true"
                entries.append(BatchEntry(flag: Int32(i), body: ByteBuffer(string: "entry-\(i)"), properties: properties))
            }
            let body = try MessageBatch.encode(entries)
            let batch = BrokerInnerBatch(
                topic: "BatchTopic", queueId: 1, body: body, batchProperties: ByteBuffer(string: "CLUSTER\u{1}DefaultCluster"),
                bornTimestamp: 1_700_000_000_001, bornHost: bornHost, storeHost: storeHost)
            let result = await store.putMessages(batch)
            #expect(result.status == .putOK)
            let append = try #require(result.appendResult)
            #expect(append.messageCount == 5)
            #expect(append.queueOffset == 1)
            #expect(append.batchPhysicalOffsets.count == 5)
            #expect(append.msgId.split(separator: ",").count == 5)
            #expect(append.msgIds.map { MessageId.decodeOffsetMsgId($0)?.physicalOffset } == append.batchPhysicalOffsets)
            await store.waitForDispatch(upTo: append.nextOffset)
            let read = store.getMessage(group: "G", topic: "BatchTopic", queueId: 1, offset: 1, maxMsgNums: 32)
            let messages = try decode(read)
            #expect(messages.count == 5)
            for (i, message) in messages.enumerated() {
                #expect(message.queueOffset == Int64(1 + i))
                #expect(message.physicalOffset == append.batchPhysicalOffsets[i])
                #expect(message.flag == Int32(i))
                #expect(String(buffer: message.body) == "entry-\(i)")
                #expect(message.storeTimestamp == append.storeTimestamp)
                // The entry's own properties, then the batch-level ones.
                #expect(message.propertiesString == entries[i].propertiesString + "\u{2}CLUSTER\u{1}DefaultCluster")
            }
            #expect(store.getMaxOffsetInQueue(topic: "BatchTopic", queueId: 1) == 6)
            let byKey = try decode(store.queryMessage(topic: "BatchTopic", key: "batch-key-3", maxNum: 32, begin: 0, end: .max))
            #expect(byKey.map(\.physicalOffset) == [append.batchPhysicalOffsets[3]])
            // A transactional or delayed batch is refused.
            var prepared = batch
            prepared.sysFlag = MessageSysFlag().resettingTransactionValue(.prepared)
            #expect(await store.putMessages(prepared).status == .messageIllegal)
            var delayed = batch
            delayed.delayTimeLevel = 2
            #expect(await store.putMessages(delayed).status == .messageIllegal)
            var garbage = batch
            garbage.body = ByteBuffer(bytes: [0, 0, 0, 99, 1, 2])
            #expect(await store.putMessages(garbage).status == .messageIllegal)
        }
    }

    @Test func sizeLimits() async throws {
        try await withTemporaryDirectory { root in
            var config = smallConfig(root: root, commitLogFileSize: 1024 * 1024)
            config.maxMessageSize = 1024
            let store = try openStore(config)
            defer { store.shutdown() }
            _ = try await put(store, makeMessage(body: String(repeating: "a", count: 1024)))
            let before = store.maxPhysicalOffset
            #expect(await store.putMessage(makeMessage(body: String(repeating: "a", count: 1025))).status == .messageIllegal)
            // Properties over 32767 bytes: MESSAGE_ILLEGAL when Java's string length is over 32767 too, else
            // PROPERTIES_SIZE_EXCEEDED (multi-byte characters).
            let ascii = makeMessage(extra: [("big", String(repeating: "p", count: 33_000))])
            #expect(await store.putMessage(ascii).status == .messageIllegal)
            let multiByte = makeMessage(extra: [("big", String(repeating: "é", count: 17_000))])
            #expect(await store.putMessage(multiByte).status == .propertiesSizeExceeded)
            let longTopic = makeMessage(topic: String(repeating: "t", count: 128))
            #expect(await store.putMessage(longTopic).status == .messageIllegal)
            // Topics name directories: empty ones and ones with a slash or a zero byte are refused.
            for topic in ["", "a/b", "nul\u{0}"] {
                #expect(await store.putMessage(makeMessage(topic: topic)).status == .messageIllegal)
            }
            #expect(store.maxPhysicalOffset == before)
            // A batch body over maxMessageSize is refused too.
            let entries = (0..<3).map { _ in
                BatchEntry(body: ByteBuffer(string: String(repeating: "z", count: 400)), properties: MessageProperties())
            }
            let batch = BrokerInnerBatch(
                topic: "TopicTest", queueId: 0, body: try MessageBatch.encode(entries), bornTimestamp: 1, bornHost: bornHost,
                storeHost: storeHost)
            #expect(await store.putMessages(batch).status == .messageIllegal)
        }
    }

    @Test func delayedMessagesParkInScheduleTopic() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            let three = try await put(store, makeMessage(topic: "Orders", queueId: 5, keys: "delayed-3", delayLevel: 3))
            let clamped = try await put(store, makeMessage(topic: "Orders", queueId: 2, delayLevel: 99))
            await store.waitForDispatch(upTo: clamped.nextOffset)
            let stored = try #require(store.lookMessage(byPhysicalOffset: three.wroteOffset))
            #expect(stored.topic == TopicValidator.scheduleTopic)
            #expect(stored.queueId == 2)
            #expect(stored.properties[MessageConst.realTopic] == "Orders")
            #expect(stored.properties[MessageConst.realQueueId] == "5")
            #expect(stored.properties[MessageConst.delayTimeLevel] == "3")
            let unit = try #require(store.consumeQueues.find(topic: TopicValidator.scheduleTopic, queueId: 2)?.unit(at: 0))
            #expect(unit.tagsCode == stored.storeTimestamp + 10_000)
            let top = try #require(store.lookMessage(byPhysicalOffset: clamped.wroteOffset))
            #expect(top.queueId == 17)
            #expect(top.properties[MessageConst.delayTimeLevel] == "18")
            // Indexed under the stored topic (§4.10).
            let hits = store.queryMessage(topic: TopicValidator.scheduleTopic, key: "delayed-3", maxNum: 32, begin: 0, end: .max)
            #expect(hits.messagePhysicalOffsets == [three.wroteOffset])
            #expect(store.getMaxOffsetInQueue(topic: "Orders", queueId: 5) == 0)
        }
    }

    @Test func transactionTypes() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            let plain = try await put(store, makeMessage(topic: "Tx", keys: "plain"))
            let prepared = try await put(store, makeMessage(
                topic: "Tx", keys: "prepared", sysFlag: MessageSysFlag().resettingTransactionValue(.prepared)))
            let commit = try await put(store, makeMessage(
                topic: "Tx", keys: "commit", sysFlag: MessageSysFlag().resettingTransactionValue(.commit),
                preparedTransactionOffset: prepared.wroteOffset))
            let rollback = try await put(store, makeMessage(
                topic: "Tx", keys: "rollback", sysFlag: MessageSysFlag().resettingTransactionValue(.rollback)))
            await store.waitForDispatch(upTo: rollback.nextOffset)
            #expect(plain.queueOffset == 0)
            #expect(prepared.queueOffset == 0)
            #expect(commit.queueOffset == 1)
            #expect(rollback.queueOffset == 0)
            // Only NOT_TYPE and COMMIT get consume-queue units.
            let read = store.getMessage(group: "G", topic: "Tx", queueId: 0, offset: 0, maxMsgNums: 32)
            #expect(read.messagePhysicalOffsets == [plain.wroteOffset, commit.wroteOffset])
            #expect(try decode(read).last?.preparedTransactionOffset == prepared.wroteOffset)
            // Rollback messages are not indexed; prepared ones are.
            for (key, expected) in [("plain", [plain.wroteOffset]), ("prepared", [prepared.wroteOffset]),
                                    ("commit", [commit.wroteOffset]), ("rollback", [])] {
                #expect(store.queryMessage(topic: "Tx", key: key, maxNum: 32, begin: 0, end: .max).messagePhysicalOffsets == expected)
            }
        }
    }

    @Test func ipv6HostsAndRefusals() async throws {
        try await withTemporaryDirectory { root in
            let store = try LocalFileMessageStore(config: smallConfig(root: root), logger: testLogger)
            var message = makeMessage()
            // Not started: refused.
            #expect(await store.putMessage(message).status == .serviceNotAvailable)
            try store.start()
            message.bornHost = try #require(MessageHost(ipv6: "fe80::1", port: 4321))
            let result = try await put(store, message)
            let stored = try #require(store.lookMessage(byPhysicalOffset: result.wroteOffset))
            #expect(stored.sysFlag.contains(.bornHostV6))
            #expect(stored.bornHost == message.bornHost)
            #expect(stored.storeTimestamp == result.storeTimestamp)
            store.shutdown()
            #expect(await store.putMessage(makeMessage()).status == .serviceNotAvailable)

            var slaveConfig = smallConfig(root: root)
            slaveConfig.brokerRole = .slave
            let slave = try openStore(slaveConfig)
            defer { slave.shutdown() }
            #expect(await slave.putMessage(makeMessage()).status == .serviceNotAvailable)
            #expect(slave.maxPhysicalOffset == result.nextOffset)
        }
    }

    @Test func secondOpenIsRefusedWhileLocked() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            #expect(throws: StoreError.storeLocked(path: root + "/lock")) {
                _ = try LocalFileMessageStore(config: smallConfig(root: root), logger: testLogger)
            }
            store.shutdown()
            let again = try LocalFileMessageStore(config: smallConfig(root: root), logger: testLogger)
            again.shutdown()
        }
    }
}
