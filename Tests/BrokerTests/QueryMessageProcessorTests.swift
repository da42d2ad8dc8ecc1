import Broker
import FixtureSupport
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel
import Testing

@Suite struct QueryMessageProcessorTests {
    typealias Harness = SendMessageProcessorTests.Harness

    @Test func queryByKeyByUniqueKeyAndViewById() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        var sendResponses: [RemotingCommand] = []
        for frame in Fixtures.frames where frame.scenario == "02-sync-producer-json" && frame.codeName == "SEND_MESSAGE_V2" {
            sendResponses.append(try await harness.send(try frame.command()))
        }
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        let processor = QueryMessageProcessor(store: harness.store)
        func call(_ request: RemotingCommand) throws -> RemotingCommand {
            guard case .response(let response) = try processor.process(request, context: RequestContext(connection: harness.connection))
            else { throw BodyError("no response") }
            return response
        }

        // mqadmin queryMsgByKey's request shape (capture 09), on our topic.
        var query = try #require(Fixtures.frame("09-mqadmin-queryMsgByKey", "0005-c2s-broker-QUERY_MESSAGE.bin")).command()
        query.extFields?["topic"] = "FixtureTopicJson2"
        query.extFields?["key"] = "k3"
        let byKey = try call(query)
        let java = try #require(Fixtures.frame("09-mqadmin-queryMsgByKey", "0006-s2c-broker-response.bin")).command()
        #expect(byKey.code == java.code)
        #expect(Set(byKey.extFields?.map(\.name) ?? []) == Set(java.extFields?.map(\.name) ?? []))
        let found = try StoredMessage.decodeAll(byKey.body ?? ByteBuffer())
        #expect(found.count == 1)
        #expect(found.first?.properties.keys == "key-3 k3")
        #expect(byKey.serializeType == .json)

        let uniqueKey = try #require(found.first?.properties.uniqueKey)
        query.extFields?["key"] = uniqueKey
        query.extFields?["_UNIQUE_KEY_QUERY"] = "true"
        #expect(try StoredMessage.decodeAll(try call(query).body ?? ByteBuffer()).first?.properties.uniqueKey == uniqueKey)

        query.extFields?["key"] = "no-such-key"
        let missing = try call(query)
        #expect(missing.responseCode == .queryNotFound)
        #expect(missing.remark == "can not find message, maybe time range not correct")

        // VIEW_MESSAGE_BY_ID with the offset decoded from a send's offsetMsgId.
        let msgId = try #require(sendResponses.first?.extFields?["msgId"])
        let offset = try #require(MessageId.decodeOffsetMsgId(msgId)).physicalOffset
        let view = try call(.request(code: .viewMessageById, extFields: ViewMessageRequestHeader(offset: offset).extFields))
        #expect(view.responseCode == .success)
        #expect(view.extFields == nil)
        #expect(try StoredMessage.decodeAll(view.body ?? ByteBuffer()).first?.offsetMsgId == msgId)
        let nowhere = try call(.request(code: .viewMessageById, extFields: ["offset": "99999999"]))
        #expect(nowhere.responseCode == .systemError)
        #expect(nowhere.remark == "can not find message by the offset, 99999999")
        #expect(throws: HeaderError.missingField("offset")) { try call(.request(code: .viewMessageById, extFields: [:])) }
    }
}
