import Benchmark
import NIOCore
import RemotingCodec

// Codec micro-benchmarks. Every benchmark runs an inner loop of 1000 frames (`scalingFactor: .kilo`),
// so the scaled figures (`*` in the output) are per frame. The frames are built once, as a Java
// 4.9.8 producer sends them, and laid out back to back like one socket read batch; each outer
// iteration rewinds the reader index and works through the batch, so `opaque` differs per frame.

/// Frames per inner loop; must match `scalingFactor`.
let framesPerBatch = 1000

/// The SEND_MESSAGE_V2 header of a Java producer (§3.3.2, keys `a`…`n`), values from fixture 02.
let sendHeader = SendMessageRequestHeader(
    producerGroup: "PG_BENCH", topic: "BenchmarkTest", defaultTopic: "TBW102", defaultTopicQueueNums: 4,
    queueId: 3, sysFlag: 0, bornTimestamp: 1_795_646_771_973, flag: 0,
    properties: "UNIQ_KEY\u{1}C000020261815FFD2B27807B6B040000\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA",
    reconsumeTimes: 0, unitMode: false, batch: false, brokerName: "broker-a")

let body128 = ByteBuffer(bytes: (0..<128).map { UInt8(truncatingIfNeeded: $0) })

func sendMessageV2(opaque: Int32, serializeType: SerializeType, body: ByteBuffer?) -> RemotingCommand {
    RemotingCommand(
        code: RequestCode.sendMessageV2.rawValue, language: .java, version: MQVersion.current, opaque: opaque,
        flag: 0, extFields: sendHeader.v2ExtFields, serializeType: serializeType, body: body)
}

/// `framesPerBatch` whole frames back to back, opaque 1…1000.
func frameBatch(_ serializeType: SerializeType, body: ByteBuffer?) -> ByteBuffer {
    var batch = ByteBuffer()
    for opaque in 1...framesPerBatch {
        RemotingFrameEncoder.encode(
            sendMessageV2(opaque: Int32(opaque), serializeType: serializeType, body: body), into: &batch)
    }
    return batch
}

/// Checks, before anything is measured, that the batch decodes to the header we built and
/// re-encodes to the same bytes (so the benchmark measures a faithful round trip).
func checkRoundTrip(_ batch: ByteBuffer) {
    var input = batch
    var output = ByteBuffer()
    let decoder = RemotingFrameDecoder()
    var count = 0
    while let command = try? decoder.decode(buffer: &input) {
        precondition((try? SendMessageRequestHeader(command: command)) == sendHeader, "header mismatch")
        RemotingFrameEncoder.encode(command, into: &output)
        count += 1
    }
    precondition(count == framesPerBatch && input.readableBytes == 0, "batch did not decode whole")
    precondition(output == batch, "re-encoded batch differs from the original bytes")
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    for serializeType in [SerializeType.rocketmq, .json] {
        let batch = frameBatch(serializeType, body: body128)
        checkRoundTrip(batch)
        let frameBytes = batch.readableBytes / framesPerBatch

        // The broker's per-request codec work: cut the frame, decode the header, bind the typed
        // header, and write a frame of the same size back (as a response carrying the body would).
        Benchmark("SEND_MESSAGE_V2 decode+encode \(serializeType) header, 128-byte body (\(frameBytes) B frame)") {
            benchmark in
            let decoder = RemotingFrameDecoder()
            var input = batch
            var output = ByteBufferAllocator().buffer(capacity: 1024)
            for _ in benchmark.scaledIterations {
                guard let command = try decoder.decode(buffer: &input) else { fatalError("short batch") }
                output.clear()
                RemotingFrameEncoder.encode(command, into: &output)
                blackHole(try SendMessageRequestHeader(command: command))
                blackHole(output.readableBytes)
            }
        }
    }

    for serializeType in [SerializeType.rocketmq, .json] {
        // A command whose extFields are already strings: the header codec alone.
        let command = sendMessageV2(opaque: 42, serializeType: serializeType, body: nil)
        let headerBytes = RemotingFrameEncoder.encode(command).readableBytes - 8

        Benchmark("Header encode \(serializeType) (\(headerBytes) B)") { benchmark in
            var output = ByteBufferAllocator().buffer(capacity: 1024)
            var command = command
            for index in benchmark.scaledIterations {
                command.opaque = Int32(truncatingIfNeeded: index)
                output.clear()
                RemotingFrameEncoder.encode(command, into: &output)
                blackHole(output.readableBytes)
            }
        }

        // As Java's `encodeHeader` (which first runs `makeCustomHeaderToNet`): typed header to
        // extFields, then the header codec.
        Benchmark("Header encode \(serializeType) from typed header") { benchmark in
            var output = ByteBufferAllocator().buffer(capacity: 1024)
            for index in benchmark.scaledIterations {
                let command = RemotingCommand(
                    code: RequestCode.sendMessageV2.rawValue, opaque: Int32(truncatingIfNeeded: index),
                    extFields: sendHeader.v2ExtFields, serializeType: serializeType)
                output.clear()
                RemotingFrameEncoder.encode(command, into: &output)
                blackHole(output.readableBytes)
            }
        }

        // Frame bytes to a `RemotingCommand` with its extFields (Java `RemotingCommand.decode`);
        // header-only frames, so no body slice.
        let headerBatch = frameBatch(serializeType, body: nil)
        checkRoundTrip(headerBatch)
        Benchmark("Header decode \(serializeType) (\(headerBytes) B)") { benchmark in
            let decoder = RemotingFrameDecoder()
            var input = headerBatch
            for _ in benchmark.scaledIterations {
                blackHole(try decoder.decode(buffer: &input))
            }
        }
    }

    // Baselines on the same machine and run, so the figures above can be quoted as ratios.
    Benchmark("Baseline: copy 128-byte body into a new ByteBuffer") { benchmark in
        let allocator = ByteBufferAllocator()
        for _ in benchmark.scaledIterations {
            var copy = allocator.buffer(capacity: 128)
            copy.writeImmutableBuffer(body128)
            blackHole(copy)
        }
    }

    Benchmark("Baseline: copy 128-byte body into a reused ByteBuffer") { benchmark in
        var output = ByteBufferAllocator().buffer(capacity: 1024)
        for _ in benchmark.scaledIterations {
            output.clear()
            output.writeImmutableBuffer(body128)
            blackHole(output.readableBytes)
        }
    }
}
