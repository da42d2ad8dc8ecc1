import Foundation
@testable import HTTPGateway
import Testing

/// The send answer is written by hand: byte for byte what `JSONEncoder` with sorted keys writes.
@Suite struct SendAnswerJSONTests {
    @Test(arguments: [
        #"{"msgId":"7F0000010A2B18B4AAC2536E1B5E0000","offsetMsgId":"7F00000100002A9F0000000000000132","topic":"BenchTopic","brokerName":"broker-a","queueId":3,"queueOffset":1234567890123,"status":"SEND_OK"}"#,
        #"{"msgId":"a\"b\\c/d","offsetMsgId":"\n\r\t\b\f\u0001\u001f","topic":"T%RETRY%x","brokerName":"é😀","queueId":-1,"queueOffset":0,"status":"FLUSH_DISK_TIMEOUT"}"#,
    ])
    func handWrittenEqualsJSONEncoder(_ json: String) throws {
        let answer = try JSONDecoder().decode(SendAnswer.self, from: Data(json.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(answer.jsonText == String(decoding: try encoder.encode(answer), as: UTF8.self))
    }
}
