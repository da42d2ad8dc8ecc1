#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import RemotingCodec

// The CodecBenchmarks "SEND_MESSAGE_V2 decode+encode" loop for as long as asked, to run under
// `perf record -g` or `valgrind --tool=callgrind`: `CodecTool rocketmq|json SECONDS|-FRAMES`.

let arguments = CommandLine.arguments
// `CodecTool json-typed|rocketmq-typed ...`: the client's side instead, typed header to extFields to frame;
// `json-answer|rocketmq-answer`: the broker's answer to a send, typed header to extFields to frame.
let mode = arguments.count == 3 ? arguments[1].split(separator: "-", maxSplits: 1).map(String.init) : []
let typed = mode.count == 2 && mode[1] == "typed"
let answer = mode.count == 2 && mode[1] == "answer"
guard arguments.count == 3, mode.count == 1 || typed || answer,
      let serializeType = ["json": SerializeType.json, "rocketmq": .rocketmq][mode[0]],
      let amount = Int(arguments[2]) else {
    print("usage: CodecTool rocketmq|json[-typed|-answer] SECONDS (or -FRAMES for a fixed count)")
    exit(2)
}

let header = SendMessageRequestHeader(
    producerGroup: "PG_BENCH", topic: "BenchmarkTest", defaultTopic: "TBW102", defaultTopicQueueNums: 4,
    queueId: 3, sysFlag: 0, bornTimestamp: 1_795_646_771_973, flag: 0,
    properties: "UNIQ_KEY\u{1}C000020261815FFD2B27807B6B040000\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA",
    reconsumeTimes: 0, unitMode: false, batch: false, brokerName: "broker-a")
let body = ByteBuffer(bytes: (0..<128).map { UInt8(truncatingIfNeeded: $0) })
var batch = ByteBuffer()
for opaque in 1...1000 {
    RemotingFrameEncoder.encode(
        RemotingCommand(
            code: RequestCode.sendMessageV2.rawValue, opaque: Int32(opaque), extFields: header.v2ExtFields,
            serializeType: serializeType, body: body),
        into: &batch)
}

let decoder = RemotingFrameDecoder()
var output = ByteBufferAllocator().buffer(capacity: 1024)
var frames = 0
var checksum = 0
let clock = ContinuousClock()
let start = clock.now
let deadline = amount > 0 ? start + .seconds(amount) : start + .seconds(3600)
let limit = amount > 0 ? Int.max : -amount
while frames < limit, clock.now < deadline {
    if typed || answer {
        for opaque in 0..<1000 {
            let command = answer
                ? RemotingCommand(
                    code: ResponseCode.success.rawValue, opaque: Int32(opaque), flag: 1,
                    extFields: SendMessageResponseHeader(
                        msgId: "7F00000100002A9F00000000000BC614", queueId: Int32(opaque & 1023),
                        queueOffset: 1_000_000 + Int64(opaque), msgRegion: "DefaultRegion", traceOn: "true").extFields,
                    serializeType: serializeType)
                : RemotingCommand(
                    code: RequestCode.sendMessageV2.rawValue, opaque: Int32(opaque), extFields: header.v2ExtFields,
                    serializeType: serializeType, body: body)
            output.clear()
            RemotingFrameEncoder.encode(command, into: &output)
            checksum &+= output.readableBytes
        }
        frames += 1000
        continue
    }
    var input = batch
    for _ in 0..<1000 {
        guard let command = try decoder.decode(buffer: &input) else { fatalError("short batch") }
        output.clear()
        RemotingFrameEncoder.encode(command, into: &output)
        let decoded = try SendMessageRequestHeader(command: command)
        checksum &+= output.readableBytes &+ Int(decoded.queueId)
    }
    frames += 1000
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("\(serializeType): \(frames) frames in \(seconds) s: \(Int(seconds * 1e9 / Double(frames))) ns/frame, \(Int(Double(frames) / seconds)) frames/s (\(checksum))")
