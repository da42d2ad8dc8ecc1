#if os(Linux)
import Foundation
import Glibc
import NIOCore
import RocketMQModel
import Synchronization
import Testing

@testable import MessageStore

/// SIGKILL during SYNC_FLUSH appends: a child process (this test binary again, running only
/// ``sigkillChildAppender()``) appends seeded messages from several writers and reports each acknowledged one
/// on a pipe; the parent kills it mid-flight, reopens the store and finds every acknowledged message, by queue
/// and by key, with recovery having cut whatever the kill tore.
@Suite struct CrashTests {
    static let directoryVariable = "STORE_CRASH_CHILD_DIR"
    static let seedVariable = "STORE_CRASH_SEED"
    /// The child writes its acknowledgements to this descriptor (the pipe's write end).
    static let ackDescriptor: Int32 = 3
    static let writers = 8
    static let queues = 4

    static func config(root: String) -> MessageStoreConfig {
        smallConfig(root: root, commitLogFileSize: 64 * 1024, flushDiskType: .syncFlush)
    }

    /// Message `index` of a run: body, queue and keys follow from the seed.
    static func message(seed: UInt64, index: Int) -> BrokerInnerMessage {
        var random = SplitMix64(seed: seed ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let length = 16 + Int(random.next() % 400)
        var body = ByteBuffer()
        for _ in 0..<length { body.writeInteger(UInt8(truncatingIfNeeded: random.next())) }
        var properties = MessageProperties()
        properties.keys = "crash-\(index)"
        properties.uniqueKey = "CRASH-\(seed)-\(index)"
        properties.tags = "T\(index % 3)"
        return BrokerInnerMessage(
            topic: "CrashTopic", queueId: Int32(index % Self.queues), body: body, properties: properties,
            bornTimestamp: 1_700_000_000_000 + Int64(index), bornHost: bornHost, storeHost: storeHost)
    }

    /// One acknowledged put, as the child reports it.
    struct Ack: Hashable {
        var index: Int
        var queueId: Int32
        var queueOffset: Int64
        var wroteOffset: Int64
        var wroteBytes: Int32

        init?(line: Substring) {
            let fields = line.split(separator: " ")
            guard fields.count == 5, let index = Int(fields[0]), let queueId = Int32(fields[1]),
                let queueOffset = Int64(fields[2]), let wroteOffset = Int64(fields[3]), let wroteBytes = Int32(fields[4])
            else { return nil }
            self.index = index
            self.queueId = queueId
            self.queueOffset = queueOffset
            self.wroteOffset = wroteOffset
            self.wroteBytes = wroteBytes
        }
    }

    /// The child: appends until killed (or, should the parent be gone, until its pipe breaks or 30 s pass).
    @Test(.enabled(if: ProcessInfo.processInfo.environment[directoryVariable] != nil))
    func sigkillChildAppender() async throws {
        let environment = ProcessInfo.processInfo.environment
        let root = try #require(environment[Self.directoryVariable])
        let seed = try #require(environment[Self.seedVariable].flatMap { UInt64($0) })
        let store = try openStore(Self.config(root: root))
        let next = Locked(0)
        let deadline = ContinuousClock.now + .seconds(30)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<Self.writers {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let index = next.withLock { value in
                            defer { value += 1 }
                            return value
                        }
                        let result = await store.putMessage(Self.message(seed: seed, index: index))
                        guard result.status == .putOK, let append = result.appendResult else { continue }
                        let line = "\(index) \(index % Self.queues) \(append.queueOffset) \(append.wroteOffset) \(append.wroteBytes)\n"
                        // One write below PIPE_BUF: lines from several writers never interleave.
                        let written = line.utf8CString.withUnsafeBytes { write(Self.ackDescriptor, $0.baseAddress, $0.count - 1) }
                        if written <= 0 { return }
                    }
                }
            }
        }
        store.shutdown()
    }

    @Test func sigkillDuringSyncFlushAppends() async throws {
        let seed = ProcessInfo.processInfo.environment[Self.seedVariable].flatMap { UInt64($0) } ?? 20_261_126
        let target = 300 + Int(seed % 400)
        try await withTemporaryDirectory { root in
            let (acks, killedAfter) = try await Self.runChild(root: root, seed: seed, target: target)
            let log = (try? String(contentsOfFile: root + "/child.log", encoding: .utf8)) ?? ""
            try #require(acks.count >= min(target, 50), "seed \(seed): \(acks.count) acks in \(killedAfter); child: \(log.suffix(2000))")

            let store = try LocalFileMessageStore(config: Self.config(root: root), logger: testLogger, environment: halfFullDisk)
            defer { store.shutdown() }
            #expect(!store.lastExitOK)
            let end = store.maxPhysicalOffset
            #expect(store.recovery.commitLogEnd == end)
            #expect(end >= acks.map { $0.wroteOffset + Int64($0.wroteBytes) }.max() ?? 0)

            // Every acknowledged message: by queue offset and by key, with its seeded bytes.
            for ack in acks {
                let expected = Self.message(seed: seed, index: ack.index)
                let read = store.getMessage(group: "G", topic: "CrashTopic", queueId: ack.queueId, offset: ack.queueOffset, maxMsgNums: 1)
                #expect(read.status == .found, "seed \(seed), message \(ack.index)")
                #expect(read.messagePhysicalOffsets == [ack.wroteOffset], "seed \(seed), message \(ack.index)")
                let stored = try #require(try decode(read).first)
                #expect(stored.body == expected.body && stored.properties.keys == "crash-\(ack.index)")
                let byKey = store.queryMessage(topic: "CrashTopic", key: "crash-\(ack.index)", maxNum: 4, begin: 0, end: .max)
                #expect(byKey.messagePhysicalOffsets.contains(ack.wroteOffset), "seed \(seed), message \(ack.index)")
                let byUniqueKey = store.queryMessage(
                    topic: "CrashTopic", key: "CRASH-\(seed)-\(ack.index)", maxNum: 4, begin: 0, end: .max)
                #expect(byUniqueKey.messagePhysicalOffsets.contains(ack.wroteOffset))
            }

            // What survived is whole and contiguous in every queue, and ends where the commit log ends.
            var lastEnd: Int64 = 0
            var total = 0
            for queueId in Int32(0)..<Int32(Self.queues) {
                let messages = try readAll(store, topic: "CrashTopic", queueId: queueId)
                #expect(messages.map(\.queueOffset) == (0..<Int64(messages.count)).map { $0 })
                for message in messages {
                    let index = try #require(message.properties.keys.flatMap { Int($0.dropFirst("crash-".count)) })
                    #expect(message.body == Self.message(seed: seed, index: index).body)
                    lastEnd = max(lastEnd, message.physicalOffset + Int64(message.storeSize))
                }
                total += messages.count
            }
            #expect(total >= acks.count)
            #expect(lastEnd == end)
            // Recovery cut any torn entry: nothing but zeros after the end, to the end of its file.
            let fileSize = Int64(Self.config(root: root).mappedFileSizeCommitLog)
            let fileStart = end - end % fileSize
            let tail = try Data(contentsOf: URL(fileURLWithPath: root + "/commitlog/" + FileSystem.offsetFileName(fileStart)))
            #expect(tail[Int(end - fileStart)...].allSatisfy { $0 == 0 })
            if ProcessInfo.processInfo.environment["STORE_TEST_FIGURES"] != nil {
                print("SIGKILL after \(acks.count) acks (\(killedAfter)): \(total) messages recovered, torn tail: \(store.recovery.tornTail)")
            }

            // And the store goes on from there.
            try store.start()
            let again = try await put(store, Self.message(seed: seed, index: 1 << 30))
            #expect(again.wroteOffset == end || again.wroteOffset == fileStart + fileSize)
        }
    }

    /// Spawns the child on `root`, reads acknowledgements until `target` (or 8 s), SIGKILLs it, and returns every
    /// acknowledgement it wrote, including those still in the pipe.
    static func runChild(root: String, seed: UInt64, target: Int) async throws -> ([Ack], Duration) {
        var fds: [Int32] = [-1, -1]
        // pipe2 is not exported to Swift; no other test spawns processes, so marking the ends at once is enough.
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }
        let executable = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var environment = ProcessInfo.processInfo.environment
        environment[Self.directoryVariable] = root
        environment[Self.seedVariable] = String(seed)
        let arguments = [executable, "--testing-library", "swift-testing", "--filter", "sigkillChildAppender"]
        let pid = try Self.spawn(
            executable, arguments: arguments, environment: environment, ackPipe: writeEnd, log: root + "/child.log")
        close(writeEnd)
        let start = ContinuousClock.now
        // Read on a thread of our own: the reads block.
        let acks = await withCheckedContinuation { (continuation: CheckedContinuation<[Ack], Never>) in
            Thread.detachNewThread {
                var reader = LineReader(fd: readEnd)
                var acks: [Ack] = []
                let deadline = ContinuousClock.now + .seconds(8)
                while acks.count < target, ContinuousClock.now < deadline, let line = reader.next(until: deadline) {
                    if let ack = Ack(line: line[...]) { acks.append(ack) }
                }
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                // The pipe keeps what the child wrote before it died.
                while let line = reader.next(until: .now + .seconds(5)) {
                    if let ack = Ack(line: line[...]) { acks.append(ack) }
                }
                continuation.resume(returning: acks)
            }
        }
        return (acks, ContinuousClock.now - start)
    }

    static func spawn(
        _ path: String, arguments: [String], environment: [String: String], ackPipe: Int32, log: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ackPipe, Self.ackDescriptor)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        try #require(result == 0, "posix_spawn: \(result)")
        return pid
    }
}

/// Lines from a descriptor, waiting with `poll` up to a deadline.
struct LineReader {
    let fd: Int32
    private var pending: [UInt8] = []
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    /// The next line, or nil at end of input or once `deadline` passes.
    mutating func next(until deadline: ContinuousClock.Instant) -> String? {
        while true {
            if let newline = self.pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: self.pending[..<newline], as: UTF8.self)
                self.pending.removeFirst(newline + 1)
                return line
            }
            guard !self.closed else { return nil }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
            let millis = Int32(min(1000, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            guard poll(&descriptor, 1, millis) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                self.closed = true
            } else {
                self.pending += buffer[..<count]
            }
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing seed can be replayed with `STORE_CRASH_SEED`.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
#endif
