import Benchmark
import Foundation
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import RocketMQModel

// Message-store benchmarks: appends of 128-byte messages under ASYNC_FLUSH (one writer) and SYNC_FLUSH (64
// concurrent writers), beside the machine's raw limits measured in the same run on the same file system:
// sequential `write` bandwidth, counted in stored-entry units, and `write`+`fdatasync` rounds. Throughput
// figures are per message (per round for the fdatasync baseline); see README.md for the ratios.

/// Messages per inner loop; must match `scalingFactor: .kilo`.
let messagesPerBatch = 1000
/// SYNC_FLUSH writers, each waiting for its put's acknowledgement before the next.
let syncWriters = 64

/// Eight messages as a Java producer's sends reach the store: 128-byte body, UNIQ_KEY, TAGS, CLUSTER; queues 0…7.
let messages: [BrokerInnerMessage] = (0..<8).map { queueId in
    var properties = MessageProperties()
    properties.uniqueKey = "C000020261815FFD2B27807B6B04000\(queueId)"
    properties.tags = "TagA"
    properties[MessageConst.cluster] = "DefaultCluster"
    return BrokerInnerMessage(
        topic: "BenchmarkTest", queueId: Int32(queueId), body: ByteBuffer(bytes: (0..<128).map { UInt8($0) }),
        properties: properties, bornTimestamp: 1_795_646_771_973, bornHost: MessageHost(ipv4: 10, 0, 0, 7, port: 51234),
        storeHost: MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
}

/// Bytes the store writes per message (its commit-log entry).
let entrySize = StoredMessage.encodedLength(
    bodyLength: 128, topicLength: messages[0].topic.utf8.count, propertiesLength: messages[0].rawProperties.readableBytes)

/// A directory under `$BENCHMARK_STORE_DIR` (default: the temporary directory), removed by ``close()``.
final class Scratch: Sendable {
    let root: String

    init(_ name: String) {
        let base = ProcessInfo.processInfo.environment["BENCHMARK_STORE_DIR"] ?? NSTemporaryDirectory()
        self.root = (base as NSString).appendingPathComponent("rocketmq-bench-\(name)-\(getpid())")
        try? FileManager.default.removeItem(atPath: self.root)
        try! FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
    }

    func close() {
        try? FileManager.default.removeItem(atPath: self.root)
    }
}

/// A store opened by a benchmark's setup and removed by its teardown.
final class StoreHolder: Sendable {
    private let state = NIOLockedValueBox<(LocalFileMessageStore, Scratch)?>(nil)

    func open(_ flushDiskType: FlushDiskType) throws {
        let scratch = Scratch(flushDiskType.rawValue)
        var config = MessageStoreConfig(storePathRootDir: scratch.root)
        config.flushDiskType = flushDiskType
        let store = try LocalFileMessageStore(config: config)
        try store.start()
        self.state.withLockedValue { $0 = (store, scratch) }
    }

    var store: LocalFileMessageStore {
        self.state.withLockedValue { $0!.0 }
    }

    func close() {
        guard let (store, scratch) = self.state.withLockedValue({ state in defer { state = nil }; return state }) else { return }
        store.shutdown()
        scratch.close()
    }
}

/// A file for the raw baselines, reserved like a commit-log file, written from the start again when full.
final class RawFile: Sendable {
    static let size = 1 << 30
    private let state = NIOLockedValueBox<(fd: Int32, position: Int, scratch: Scratch)?>(nil)

    func open() {
        let scratch = Scratch("raw")
        let fd = Foundation.open(scratch.root + "/00000000000000000000", O_RDWR | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "open failed")
        precondition(posix_fallocate(fd, 0, off_t(Self.size)) == 0, "posix_fallocate failed")
        self.state.withLockedValue { $0 = (fd, 0, scratch) }
    }

    /// Writes `bytes` at the next position; with `sync`, `fdatasync`s after.
    func append(_ bytes: UnsafeRawBufferPointer, sync: Bool) {
        let (fd, position) = self.state.withLockedValue { state -> (Int32, Int) in
            var position = state!.position
            if position + bytes.count > Self.size { position = 0 }
            state!.position = position + bytes.count
            return (state!.fd, position)
        }
        precondition(pwrite(fd, bytes.baseAddress, bytes.count, off_t(position)) == bytes.count, "pwrite failed")
        if sync { precondition(fdatasync(fd) == 0, "fdatasync failed") }
    }

    func close() {
        guard let (fd, _, scratch) = self.state.withLockedValue({ state in defer { state = nil }; return state }) else { return }
        Foundation.close(fd)
        scratch.close()
    }
}

let asyncStore = StoreHolder()
let syncStore = StoreHolder()
let rawFile = RawFile()
/// `messagesPerBatch` entries' worth of bytes, and one group commit's worth (`syncWriters` entries).
let batchBytes = [UInt8](repeating: 0x5A, count: messagesPerBatch * entrySize)
let groupBytes = [UInt8](repeating: 0x5A, count: syncWriters * entrySize)

/// CPU time of the calling thread (ns): the writer's own cost, whatever else the machine runs.
func threadCPUNanos() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

let writerCPU = BenchmarkMetric.custom("Writer thread CPU (ns)")

let benchmarks: @Sendable () -> Void = {
    let perMessage = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .cpuTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    // One writer thread, puts acknowledged from the page cache; dispatch to consume queues and index runs on
    // the store's own thread meanwhile.
    var asyncConfiguration = perMessage
    asyncConfiguration.metrics.append(writerCPU)
    Benchmark(
        "Store append ASYNC_FLUSH, 1 writer, 128-byte body (\(entrySize) B entry)", configuration: asyncConfiguration,
        closure: { benchmark in
            let store = asyncStore.store
            let cpu = threadCPUNanos()
            for index in benchmark.scaledIterations {
                store.putMessage(messages[index & 7]) { result in
                    precondition(result.status == .putOK, "\(result.status)")
                }
            }
            benchmark.measurement(writerCPU, threadCPUNanos() - cpu)
        },
        setup: { try asyncStore.open(.asyncFlush) }, teardown: { asyncStore.close() })

    // 64 writers (tasks), each waiting for its acknowledgement: every put waits for a group commit.
    Benchmark(
        "Store append SYNC_FLUSH, \(syncWriters) writers, 128-byte body", configuration: perMessage,
        closure: { benchmark in
            let store = syncStore.store
            let count = benchmark.scaledIterations.count
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<syncWriters {
                    group.addTask {
                        for index in stride(from: writer, to: count, by: syncWriters) {
                            let result = await store.putMessage(messages[index & 7])
                            precondition(result.status == .putOK, "\(result.status)")
                        }
                    }
                }
            }
        },
        setup: { try syncStore.open(.syncFlush) }, teardown: { syncStore.close() })

    // Baselines, same run and file system: what the disk takes at most.
    Benchmark(
        "Raw sequential write, per \(entrySize) B entry (\(messagesPerBatch) entries per write)", configuration: perMessage,
        closure: { benchmark in
            batchBytes.withUnsafeBytes { bytes in
                let count = benchmark.scaledIterations.count
                rawFile.append(UnsafeRawBufferPointer(rebasing: bytes[0..<(count * entrySize)]), sync: false)
            }
        },
        setup: { rawFile.open() }, teardown: { rawFile.close() })

    Benchmark(
        "Raw write+fdatasync rounds (\(syncWriters) entries, \(syncWriters * entrySize) B per round)",
        configuration: .init(
            metrics: [.wallClock, .throughput], timeUnits: .microseconds, warmupIterations: 10, scalingFactor: .one,
            maxDuration: .seconds(3), maxIterations: 100_000),
        closure: { _ in
            groupBytes.withUnsafeBytes { rawFile.append($0, sync: true) }
        },
        setup: { rawFile.open() }, teardown: { rawFile.close() })
}
