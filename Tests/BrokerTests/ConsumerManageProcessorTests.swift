import Broker
import FixtureSupport
import MessageStore
import RemotingCodec
import RemotingNIO
import Testing

@Suite struct ConsumerManageProcessorTests {
    typealias Harness = SendMessageProcessorTests.Harness

    static func call(_ processor: ConsumerManageProcessor, _ request: RemotingCommand, _ harness: Harness) throws -> RemotingCommand {
        guard case .response(let response) = try processor.process(request, context: RequestContext(connection: harness.connection))
        else { throw BodyError("no response") }
        return response
    }

    @Test func newGroupStartsAtZeroAndCommittedOffsetsReadBack() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        for frame in Fixtures.frames where frame.scenario == "02-sync-producer-json" && frame.codeName == "SEND_MESSAGE_V2" {
            _ = try await harness.send(try frame.command())
        }
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        let processor = ConsumerManageProcessor(metadata: harness.metadata, store: harness.store)
        // Capture 03: the new group's first QUERY_CONSUMER_OFFSET gets offset 0.
        let query = try #require(Fixtures.frame("03-push-consumer-json", "0017-c2s-broker-QUERY_CONSUMER_OFFSET.bin")).command()
        let answer = try Self.call(processor, query, harness)
        let java = try #require(Fixtures.frame("03-push-consumer-json", "0018-s2c-broker-response.bin")).command()
        #expect(answer.code == java.code)
        #expect(answer.extFields == java.extFields)

        let update = RemotingCommand.request(code: .updateConsumerOffset, extFields: UpdateConsumerOffsetRequestHeader(
            consumerGroup: "CG_FIXTURE_JSON2", topic: "FixtureTopicJson2", queueId: 0, commitOffset: 2).extFields)
        #expect(try Self.call(processor, update, harness).extFields == ExtFields())
        #expect(try Self.call(processor, query, harness).extFields == ["offset": "2"])

        var total: Int64 = 0
        for queueId in Int32(0)..<4 {
            let max = try Self.call(processor, .request(code: .getMaxOffset, extFields: ["topic": "FixtureTopicJson2", "queueId": "\(queueId)"]), harness)
            total += Int64(max.extFields?["offset"] ?? "") ?? -100
            let min = try Self.call(processor, .request(code: .getMinOffset, extFields: ["topic": "FixtureTopicJson2", "queueId": "\(queueId)"]), harness)
            #expect(min.extFields == ["offset": "0"])
        }
        #expect(total == 10)
        let earliest = try Self.call(processor, .request(code: .getEarliestMsgStoretime, extFields: ["topic": "FixtureTopicJson2", "queueId": "1"]), harness)
        #expect((Int64(earliest.extFields?["timestamp"] ?? "") ?? 0) > 1_700_000_000_000)
        let search = try Self.call(processor, .request(code: .searchOffsetByTimestamp, extFields: ["topic": "FixtureTopicJson2", "queueId": "1", "timestamp": "0"]), harness)
        #expect(search.extFields == ["offset": "0"])
        let empty = try Self.call(processor, .request(code: .getMaxOffset, extFields: ["topic": "Unknown", "queueId": "0"]), harness)
        #expect(empty.extFields == ["offset": "0"])
        #expect(throws: HeaderError.missingField("queueId")) {
            try Self.call(processor, .request(code: .getMaxOffset, extFields: ["topic": "T"]), harness)
        }
    }
}
