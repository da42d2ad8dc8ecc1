import Foundation
import MessageStore
import NIOCore
import RocketMQModel

// Store runs to profile or time by hand (Scripts/store-recovery-time.sh drives `fill` and `recover`).
//
//   StoreTool fill <dir> <gigabytes> <settle-seconds>
//       Appends 128-byte messages (ASYNC_FLUSH, 1 GiB commit-log files, Java's defaults otherwise) until the
//       commit log holds <gigabytes>, then goes on at about 1000 messages/s for <settle-seconds> (so that the
//       periodic checkpoint catches up, as on a broker that has been running), prints READY and keeps
//       appending until killed. A negative <settle-seconds> stops cleanly after the fill (profiling).
//   StoreTool recover <dir> [crash]
//       Opens the store (the recovery) and prints how long that took and what recovery did; then shuts it down,
//       or with `crash` exits without (the abort file stays: the next open recovers abnormally again).
//   StoreTool load <dir> <ASYNC_FLUSH|SYNC_FLUSH> <writers> <seconds>
//       <writers> tasks put 128-byte messages, each waiting for its acknowledgement, for <seconds>; prints the
//       rate (the benchmark's scenario, as one long run to attach a profiler to).
//   StoreTool compare <dir> <slice-seconds> <slices>
//       Alternates slices of the raw baseline and of the 64-writer SYNC_FLUSH load (one store, one raw file, both in
//       <dir>), so that both see the same moments of a disk whose sync rate swings; prints each pair and the ratio
//       of the totals: store messages/s ÷ (64 × raw rounds/s).
//   StoreTool raw <dir> <seconds>
//       The benchmark's raw sync baseline for <seconds>: `pwrite` of 64 entries (19,584 B) then `fdatasync`, into a
//       reserved 1 GiB file; prints rounds/s and 64 × that in messages/s (a perfect 64-writer group commit).

/// Eight messages, one per queue, built once: the loop measures the store, not message building.
let messages: [BrokerInnerMessage] = (0..<8).map { queueId in
    var properties = MessageProperties()
    properties.uniqueKey = "C000020261815FFD2B27807B6B04000\(queueId)"
    properties.tags = "TagA"
    properties[MessageConst.cluster] = "DefaultCluster"
    return BrokerInnerMessage(
        topic: "BenchmarkTest", queueId: Int32(queueId), body: ByteBuffer(bytes: (0..<128).map { UInt8($0) }),
        properties: properties, bornTimestamp: Int64(Date().timeIntervalSince1970 * 1000),
        bornHost: MessageHost(ipv4: 10, 0, 0, 7, port: 51234), storeHost: MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
}

func put(_ store: LocalFileMessageStore, _ index: Int) {
    store.putMessage(messages[index & 7]) { result in
        precondition(result.status == .putOK, "put failed: \(result.status)")
    }
}

/// The benchmark's raw sync baseline: `pwrite` of 64 entries (19,584 B) then `fdatasync`, into a reserved 1 GiB file.
final class RawFile {
    static let size = 1 << 30
    let path: String
    let fd: Int32
    var position = 0
    let round = [UInt8](repeating: 0x5A, count: 64 * 306)

    init(path: String) {
        self.path = path
        self.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        precondition(self.fd >= 0 && posix_fallocate(self.fd, 0, off_t(Self.size)) == 0, "cannot reserve \(path)")
    }

    /// Rounds done in `seconds`, and the seconds they took.
    func rounds(seconds: Double) -> (Int, Double) {
        var rounds = 0
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if self.position + self.round.count > Self.size { self.position = 0 }
            let written = self.round.withUnsafeBytes { pwrite(self.fd, $0.baseAddress, $0.count, off_t(self.position)) }
            precondition(written == self.round.count, "pwrite failed")
            precondition(fdatasync(self.fd) == 0, "fdatasync failed")
            self.position += self.round.count
            rounds += 1
        }
        return (rounds, elapsed(since: start))
    }

    func close() {
        _ = Foundation.close(self.fd)
        unlink(self.path)
    }
}

func elapsed(since start: ContinuousClock.Instant) -> Double {
    let took = ContinuousClock.now - start
    return Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
}

/// `writers` tasks putting messages, each waiting for its acknowledgement, for `seconds`: messages and seconds taken.
func syncLoad(_ store: LocalFileMessageStore, writers: Int, seconds limit: Double) async -> (Int, Double) {
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(limit * 1000))
    let count = await withTaskGroup(of: Int.self) { group in
        for writer in 0..<writers {
            group.addTask {
                var count = 0
                while ContinuousClock.now < deadline {
                    let result = await store.putMessage(messages[(writer + count) & 7])
                    precondition(result.status == .putOK, "put failed: \(result.status)")
                    count += 1
                }
                return count
            }
        }
        var total = 0
        for await written in group { total += written }
        return total
    }
    return (count, elapsed(since: start))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write("usage: StoreTool fill <dir> <gigabytes> <settle-seconds> | recover <dir> | load <dir> <flushDiskType> <writers> <seconds> | raw <dir> <seconds> | compare <dir> <slice-seconds> <slices>\n".data(using: .utf8)!)
    exit(2)
}
let config = MessageStoreConfig(storePathRootDir: arguments[2])

switch arguments[1] {
case "fill":
    let target = Int64((Double(arguments[3]) ?? 4) * Double(1 << 30))
    let settle = Double(arguments[4]) ?? 70
    let store = try LocalFileMessageStore(config: config)
    try store.start()
    var index = 0
    let start = Date()
    while store.maxPhysicalOffset < target {
        put(store, index)
        index += 1
    }
    let filled = Date().timeIntervalSince(start)
    print("filled \(store.maxPhysicalOffset) bytes, \(index) messages in \(String(format: "%.1f", filled)) s")
    if settle < 0 {
        // Profiling runs: stop here, cleanly.
        store.shutdown()
        exit(0)
    }
    let settleEnd = Date().addingTimeInterval(settle)
    while Date() < settleEnd {
        for _ in 0..<100 {
            put(store, index)
            index += 1
        }
        usleep(100_000)
    }
    print("READY \(store.maxPhysicalOffset)")
    fflush(nil)
    while true {
        for _ in 0..<100 {
            put(store, index)
            index += 1
        }
        usleep(100_000)
    }
case "recover":
    let start = ContinuousClock.now
    let store = try LocalFileMessageStore(config: config)
    let took = ContinuousClock.now - start
    let recovery = store.recovery
    print("recovered in \(took): lastExitOK \(store.lastExitOK), commit log \(store.minPhysicalOffset)..<\(store.maxPhysicalOffset), "
        + "dispatch from \(recovery.dispatchedFrom), torn tail \(recovery.tornTail), consume queues cut \(recovery.truncatedConsumeQueues)")
    if arguments.count > 3 && arguments[3] == "crash" {
        exit(0)
    }
    store.shutdown()
case "load":
    var loadConfig = config
    loadConfig.flushDiskType = FlushDiskType(rawValue: arguments[3]) ?? .syncFlush
    let writers = Int(arguments[4]) ?? 64
    let seconds = Double(arguments[5]) ?? 10
    let store = try LocalFileMessageStore(config: loadConfig)
    try store.start()
    let (count, took) = await syncLoad(store, writers: writers, seconds: seconds)
    let rate = Double(count) / took
    print("\(loadConfig.flushDiskType.rawValue), \(writers) writers: \(count) messages in \(Duration.seconds(took)), \(Int(rate)) messages/s")
    store.shutdown()
case "compare":
    let slice = Double(arguments[3]) ?? 0.5
    let slices = Int(arguments[4]) ?? 10
    var loadConfig = config
    loadConfig.flushDiskType = .syncFlush
    let store = try LocalFileMessageStore(config: loadConfig)
    try store.start()
    let raw = RawFile(path: arguments[2] + "/raw-\(getpid())")
    var rawRounds = 0.0, rawSeconds = 0.0, storeMessages = 0.0, storeSeconds = 0.0
    for index in 0..<slices {
        let (rounds, rawTook) = raw.rounds(seconds: slice)
        let (messages, storeTook) = await syncLoad(store, writers: 64, seconds: slice)
        rawRounds += Double(rounds); rawSeconds += rawTook
        storeMessages += Double(messages); storeSeconds += storeTook
        print("slice \(index): raw \(Int(Double(rounds) / rawTook)) rounds/s, store \(Int(Double(messages) / storeTook)) messages/s, "
            + "ratio \(String(format: "%.3f", Double(messages) / storeTook / (64 * Double(rounds) / rawTook)))")
    }
    let ratio = storeMessages / storeSeconds / (64 * rawRounds / rawSeconds)
    print("total: raw \(Int(rawRounds / rawSeconds)) rounds/s, store \(Int(storeMessages / storeSeconds)) messages/s, "
        + "ratio \(String(format: "%.3f", ratio))")
    raw.close()
    store.shutdown()
case "raw":
    let raw = RawFile(path: arguments[2] + "/raw-\(getpid())")
    let (rounds, took) = raw.rounds(seconds: Double(arguments[3]) ?? 10)
    let rate = Double(rounds) / took
    print("raw write+fdatasync: \(rounds) rounds in \(took) s, \(Int(rate)) rounds/s, 64 x = \(Int(rate * 64)) messages/s")
    raw.close()
default:
    FileHandle.standardError.write("unknown command \(arguments[1])\n".data(using: .utf8)!)
    exit(2)
}
