import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

@Suite struct StoreSmokeTests {
    @Test func putThenPull() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(smallConfig(root: root))
            defer { store.shutdown() }
            let result = try await put(store, makeMessage(keys: "k1 k2", uniqueKey: "U1"))
            #expect(result.wroteOffset == 0)
            #expect(result.queueOffset == 0)
            await store.waitForDispatch(upTo: result.nextOffset)
            let read = store.getMessage(group: "G", topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 32)
            #expect(read.status == .found)
            let messages = try decode(read)
            #expect(messages.count == 1)
            #expect(String(buffer: messages[0].body) == "hello")
            #expect(messages[0].physicalOffset == 0)
        }
    }
}
