import Logging
import Synchronization

/// Every consume queue, by topic and queue id (Java `DefaultMessageStore.consumeQueueTable`). Reads look queues up
/// without creating them; the dispatch thread creates them on the first message.
final class ConsumeQueueTable: Sendable {
    private let table = LockedValue<[String: QueueIdMap<ConsumeQueue>]>([:])
    let storePath: String
    let mappedFileSize: Int
    private let logger: Logger

    init(storePath: String, mappedFileSize: Int, logger: Logger) {
        self.storePath = storePath
        self.mappedFileSize = mappedFileSize
        self.logger = logger
    }

    /// Loads `consumequeue/<topic>/<queueId>/` (Java `loadConsumeQueue`); directories whose name is not a queue id
    /// are skipped.
    func load() throws(StoreError) {
        var loaded: [String: QueueIdMap<ConsumeQueue>] = [:]
        for topic in try FileSystem.contents(of: self.storePath) {
            let topicPath = FileSystem.join(self.storePath, topic)
            guard FileSystem.isDirectory(topicPath) else { continue }
            for name in try FileSystem.contents(of: topicPath) {
                guard let queueId = Int32(name), queueId >= 0 else { continue }
                let queue = ConsumeQueue(
                    topic: topic, queueId: queueId, storePath: self.storePath, mappedFileSize: self.mappedFileSize,
                    logger: self.logger)
                try queue.load()
                loaded[topic, default: QueueIdMap()][queueId] = queue
            }
        }
        self.table.withLock { $0 = loaded }
    }

    /// The queue if it exists.
    func find(topic: String, queueId: Int32) -> ConsumeQueue? {
        self.table.withLock { $0[topic]?[queueId] }
    }

    /// The queue, created (without files) if needed.
    func findOrCreate(topic: String, queueId: Int32) -> ConsumeQueue {
        self.table.withLock { table in
            if let queue = table[topic]?[queueId] { return queue }
            let queue = ConsumeQueue(
                topic: topic, queueId: queueId, storePath: self.storePath, mappedFileSize: self.mappedFileSize,
                logger: self.logger)
            table[topic, default: QueueIdMap()][queueId] = queue
            return queue
        }
    }

    /// Every queue.
    var all: [ConsumeQueue] {
        self.table.withLock { table in table.values.flatMap { $0.entries.map(\.value) } }
    }

    /// Topics with at least one queue.
    var topics: [String] {
        self.table.withLock { Array($0.keys) }
    }
}
