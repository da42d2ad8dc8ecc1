import FixtureSupport
import Foundation
import NIOCore
import RocketMQModel
import Testing

/// Commit logs written by the Java 4.9.8 broker (`Fixtures/store-4.9.8`, PROTOCOL.md §4.1, §4.7).
@Suite struct StoreFixtureTests {
    static let fileSize = 65536

    struct Scan {
        var messages: [StoredMessage] = []
        var blankFillers: [(physicalOffset: Int64, size: Int32)] = []
        var cutTail = false
    }

    /// Walks every commit-log file from offset 0: stops at a zero TOTALSIZE, a BLANK filler, or a cut last entry.
    static func scan(_ store: String) throws -> Scan {
        var result = Scan()
        let names = try Fixtures.contents("store-4.9.8", store, "commitlog")
        #expect(names.count == 2)
        for name in names {
            let fileStart = try #require(Int64(name))
            #expect(name.count == 20)
            let file = try Fixtures.buffer("store-4.9.8", store, "commitlog", name)
            #expect(file.readableBytes == Self.fileSize)
            var buffer = file
            walk: while buffer.readableBytes >= 4 {
                let position = buffer.readerIndex
                if buffer.getInteger(at: position, as: Int32.self) == 0 { break }
                let message: StoredMessage
                do {
                    message = try StoredMessage.decode(from: &buffer, verifyBodyCRC: true)
                } catch .blank(let totalSize) {
                    #expect(position + Int(totalSize) == Self.fileSize)
                    result.blankFillers.append((fileStart + Int64(position), totalSize))
                    break walk
                } catch .truncated {
                    result.cutTail = true
                    break walk
                } catch {
                    Issue.record("\(store)/\(name) at \(position): \(error)")
                    break walk
                }
                #expect(buffer.readerIndex == position + Int(message.storeSize))
                #expect(message.physicalOffset == fileStart + Int64(position))
                #expect(message.bodyCRC == CRC32.masked(message.body))
                #expect(Int(message.storeSize) == 91 + message.body.readableBytes + message.topic.utf8.count
                    + message.rawProperties.readableBytes)
                let original = try #require(file.getSlice(at: position, length: Int(message.storeSize)))
                #expect(try message.encoded() == original)
                result.messages.append(message)
            }
        }
        return result
    }

    @Test(arguments: [("clean-shutdown", 302), ("after-sigkill", 352)])
    func everyCommitLogEntry(store: String, expectedCount: Int) throws {
        let scan = try Self.scan(store)
        #expect(scan.messages.count == expectedCount)
        #expect(!scan.cutTail)
        // With 64 KiB files the first file ends with a 94-byte filler at 65442 (§4.1).
        #expect(scan.blankFillers.count == 1)
        #expect(scan.blankFillers.first?.physicalOffset == 65442)
        #expect(scan.blankFillers.first?.size == 94)
        // Entries are contiguous apart from the filler.
        var expected: Int64 = 0
        for message in scan.messages {
            if expected == 65442 { expected = 65536 }
            #expect(message.physicalOffset == expected)
            expected += Int64(message.storeSize)
        }
    }

    @Test(arguments: ["clean-shutdown", "after-sigkill"])
    func contentsMatchWhatWasSent(store: String) throws {
        let scan = try Self.scan(store)
        var sent: [Int: (uniqueKey: String, queueOffset: Int64)] = [:]
        let logs = store == "clean-shutdown" ? ["clean-shutdown-sent.jsonl"] : ["clean-shutdown-sent.jsonl", "after-sigkill-sent.jsonl"]
        for log in logs {
            let text = try String(contentsOf: Fixtures.url("store-4.9.8", log), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let i = try #require(object["i"] as? Int)
                sent[i] = (try #require(object["msg_id"] as? String), Int64(try #require(object["offset"] as? Int)))
            }
        }
        #expect(sent.count == (store == "clean-shutdown" ? 300 : 350))

        var seen = Set<Int>()
        var delayed = 0
        for message in scan.messages {
            let properties = message.properties
            #expect(properties[MessageConst.cluster] == "DefaultCluster")
            #expect(message.storeHost == MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
            if message.topic == TopicValidator.scheduleTopic {
                // Delay level 18 parks in queue 17 with the real topic kept (§5.7).
                delayed += 1
                #expect(message.queueId == 17)
                #expect(properties[MessageConst.delayTimeLevel] == "18")
                #expect(properties[MessageConst.realTopic] == "StoreFixtureDelayed")
                #expect(properties.keys == "key-300" || properties.keys == "key-301")
                continue
            }
            #expect(message.topic == "StoreFixtureTopic")
            let seq = try #require(properties["seq"].flatMap { Int($0) })
            #expect(properties.keys == "key-\(seq)")
            #expect(properties.keysList == ["key-\(seq)"])
            #expect(properties.tags == (seq % 2 == 0 ? "TagA" : "TagB"))
            #expect(String(buffer: message.body).hasPrefix("{\"i\": \(seq), \"pad\": \"xxx"))
            let record = try #require(sent[seq])
            #expect(properties.uniqueKey == record.uniqueKey)
            #expect(message.queueOffset == record.queueOffset)
            // Stored by the broker in Java's form: no trailing 0x02 although the C++ client sent one (§4.2).
            #expect(message.rawProperties.getInteger(at: message.rawProperties.writerIndex - 1, as: UInt8.self) != 0x02)
            seen.insert(seq)
        }
        #expect(delayed == 2)
        #expect(seen == Set(sent.keys))
    }

    /// The consume-queue units point at these entries and hold the Java hash of TAGS (§4.7, §4.9).
    @Test func consumeQueueTagsCodes() throws {
        let scan = try Self.scan("clean-shutdown")
        let byOffset = Dictionary(uniqueKeysWithValues: scan.messages.map { ($0.physicalOffset, $0) })
        var units = 0
        for queueId in 0..<4 {
            var queue = try Fixtures.buffer(
                "store-4.9.8", "clean-shutdown", "consumequeue", "StoreFixtureTopic", "\(queueId)", "00000000000000000000")
            var queueOffset: Int64 = 0
            while let (physicalOffset, size, tagsCode) = queue.readMultipleIntegers(as: (Int64, Int32, Int64).self), size > 0 {
                let message = try #require(byOffset[physicalOffset])
                #expect(message.storeSize == size)
                #expect(message.queueId == Int32(queueId))
                #expect(message.queueOffset == queueOffset)
                #expect(tagsCode == TagsCode.tagsCode(tags: message.tags))
                #expect(tagsCode == 2_598_919 || tagsCode == 2_598_920)
                queueOffset += 1
                units += 1
            }
        }
        #expect(units == 300)
    }
}
