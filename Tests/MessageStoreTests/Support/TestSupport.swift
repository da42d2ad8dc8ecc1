import Foundation
import Synchronization
import Logging
import NIOCore
import RocketMQModel
import Testing

@testable import MessageStore

/// `<package root>/Fixtures`, found from this file's path (Tests/MessageStoreTests/Support/TestSupport.swift).
let fixturesRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

/// A fresh directory under the system temp directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Copies a directory tree and makes every copy writable (the fixtures are read-only).
func copyTree(from source: String, to destination: String) throws {
    let manager = FileManager.default
    try? manager.removeItem(atPath: destination)
    try manager.copyItem(atPath: source, toPath: destination)
    if let enumerator = manager.enumerator(atPath: destination) {
        while let relative = enumerator.nextObject() as? String {
            let path = (destination as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: path, isDirectory: &isDirectory)
            try manager.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644], ofItemAtPath: path)
        }
    }
    try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination)
}

/// A configuration with small files, so segments roll within a test.
func smallConfig(
    root: String, commitLogFileSize: Int = 64 * 1024, consumeQueueFileSize: Int = 6000,
    flushDiskType: FlushDiskType = .asyncFlush, maxHashSlotNum: Int = 1000, maxIndexNum: Int = 4000
) -> MessageStoreConfig {
    var config = MessageStoreConfig(storePathRootDir: root)
    config.mappedFileSizeCommitLog = commitLogFileSize
    config.mappedFileSizeConsumeQueueSetting = consumeQueueFileSize
    config.flushDiskType = flushDiskType
    config.maxHashSlotNum = maxHashSlotNum
    config.maxIndexNum = maxIndexNum
    config.flushIntervalCommitLog = 10
    config.flushIntervalConsumeQueue = 10
    return config
}

let testLogger: Logger = {
    var logger = Logger(label: "rocketmq.store.test")
    logger.logLevel = .critical
    return logger
}()

/// Opens and starts a store. Retention runs only when a test asks, and sees a half-full disk whatever the test
/// machine's disk is like.
func openStore(_ config: MessageStoreConfig, environment: RetentionEnvironment = halfFullDisk) throws -> LocalFileMessageStore {
    let store = try LocalFileMessageStore(config: config, logger: testLogger, environment: environment)
    try store.start()
    return store
}

let halfFullDisk = RetentionEnvironment(currentTimeMillis: { SystemClock.currentTimeMillis() }, diskUsedRatio: { _ in 0.5 }).manual

/// A clock and a disk probe the test sets.
final class FakeEnvironment: Sendable {
    private let state: LockedValue<(now: Int64, ratio: Double)>

    init(now: Int64 = SystemClock.currentTimeMillis(), diskUsedRatio: Double = 0.5) {
        self.state = LockedValue((now, diskUsedRatio))
    }

    var now: Int64 {
        get { self.state.withLock { $0.now } }
        set { self.state.withLock { $0.now = newValue } }
    }

    var diskUsedRatio: Double {
        get { self.state.withLock { $0.ratio } }
        set { self.state.withLock { $0.ratio = newValue } }
    }

    var environment: RetentionEnvironment {
        RetentionEnvironment(currentTimeMillis: { self.now }, diskUsedRatio: { _ in self.diskUsedRatio }).manual
    }
}

let storeHost = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
let bornHost = MessageHost(ipv4: 10, 0, 0, 7, port: 51234)

/// A message with the usual properties.
func makeMessage(
    topic: String = "TopicTest", queueId: Int32 = 0, body: String = "hello", tags: String? = "TagA",
    keys: String? = nil, uniqueKey: String? = nil, extra: [(String, String)] = [], sysFlag: MessageSysFlag = [],
    wait: Bool = true, delayLevel: Int32? = nil, preparedTransactionOffset: Int64 = 0
) -> BrokerInnerMessage {
    var properties = MessageProperties()
    if let uniqueKey { properties.uniqueKey = uniqueKey }
    if let tags { properties.tags = tags }
    if let keys { properties.keys = keys }
    if let delayLevel { properties[MessageConst.delayTimeLevel] = String(delayLevel) }
    properties[MessageConst.cluster] = "DefaultCluster"
    if !wait { properties[MessageConst.waitStoreMsgOK] = "false" }
    for (name, value) in extra { properties[name] = value }
    return BrokerInnerMessage(
        topic: topic, queueId: queueId, body: ByteBuffer(string: body), properties: properties, flag: 3,
        sysFlag: sysFlag, bornTimestamp: 1_700_000_000_000, bornHost: bornHost, storeHost: storeHost,
        preparedTransactionOffset: preparedTransactionOffset)
}

/// Puts and expects PUT_OK.
@discardableResult
func put(_ store: LocalFileMessageStore, _ message: BrokerInnerMessage) async throws -> AppendMessageResult {
    let result = await store.putMessage(message)
    #expect(result.status == .putOK)
    return try #require(result.appendResult)
}

/// Decodes every entry of a read.
func decode(_ result: GetMessageResult) throws -> [StoredMessage] {
    try StoredMessage.decodeAll(result.body, verifyBodyCRC: true)
}

func decode(_ result: QueryMessageResult) throws -> [StoredMessage] {
    try StoredMessage.decodeAll(result.body, verifyBodyCRC: true)
}

/// A value shared with closures that run on other threads.
final class Locked<Value: Sendable>: Sendable {
    private let lock: LockedValue<Value>
    init(_ value: Value) { self.lock = LockedValue(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { self.lock.withLock { body(&$0) } }
    var value: Value { self.lock.withLock { $0 } }
}

/// Every message of a queue, pulling from offset 0 until the end.
func readAll(_ store: LocalFileMessageStore, topic: String = "TopicTest", queueId: Int32 = 0) throws -> [StoredMessage] {
    var offset = store.getMinOffsetInQueue(topic: topic, queueId: queueId)
    var messages: [StoredMessage] = []
    while true {
        let result = store.getMessage(group: "G", topic: topic, queueId: queueId, offset: offset, maxMsgNums: 32)
        guard result.status == .found else { break }
        messages += try decode(result)
        offset = result.nextBeginOffset
    }
    return messages
}
