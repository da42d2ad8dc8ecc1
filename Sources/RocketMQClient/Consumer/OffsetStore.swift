#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RocketMQModel

/// Where a consumer keeps how far it got in each queue (Java `OffsetStore`): at the broker for
/// clustering, in a local file for broadcasting.
protocol OffsetStore: Sendable {
    /// The offset to resume from: the cached one, else the stored one; -1 when there is none.
    func read(_ queue: MessageQueue, fromStore: Bool) async throws -> Int64
    /// The cached offset, if any (Java READ_FROM_MEMORY).
    func cached(_ queue: MessageQueue) -> Int64?
    func update(_ queue: MessageQueue, offset: Int64, increaseOnly: Bool)
    func persist(_ queues: [MessageQueue]) async
    func remove(_ queue: MessageQueue)
}

/// Offsets in memory, sent to the master every `persistConsumerOffsetInterval` (Java `RemoteBrokerOffsetStore`).
final class RemoteOffsetStore: OffsetStore {
    private let instance: ClientInstance
    private let group: String
    private let table = NIOLockedValueBox<[MessageQueue: Int64]>([:])

    init(instance: ClientInstance, group: String) {
        self.instance = instance
        self.group = group
    }

    func cached(_ queue: MessageQueue) -> Int64? { table.withLockedValue { $0[queue] } }

    func read(_ queue: MessageQueue, fromStore: Bool) async throws -> Int64 {
        if !fromStore, let offset = cached(queue) { return offset }
        let offset = try await instance.queryConsumerOffset(group: group, queue: queue)
        if offset >= 0 { update(queue, offset: offset, increaseOnly: false) }
        return offset
    }

    func update(_ queue: MessageQueue, offset: Int64, increaseOnly: Bool) {
        table.withLockedValue { table in
            if increaseOnly, let current = table[queue], current >= offset { return }
            table[queue] = offset
        }
    }

    func persist(_ queues: [MessageQueue]) async {
        let snapshot = table.withLockedValue { $0 }
        for queue in queues {
            guard let offset = snapshot[queue] else { continue }
            do { try await instance.updateConsumerOffset(group: group, queue: queue, offset: offset, oneway: false) } catch {
                instance.logger.debug("offset persist failed", metadata: ["queue": "\(queue)", "error": "\(error)"])
            }
        }
    }

    func remove(_ queue: MessageQueue) { _ = table.withLockedValue { $0.removeValue(forKey: queue) } }
}

/// Offsets in `<directory>/<clientID>/<group>/offsets.json` (Java `LocalFileOffsetStore`, whose
/// default directory is `~/.rocketmq_offsets`), written through a `.tmp` file and a rename.
final class LocalFileOffsetStore: OffsetStore {
    private let path: String
    private let table = NIOLockedValueBox<[MessageQueue: Int64]>([:])

    init(directory: String, clientID: String, group: String) {
        self.path = "\(directory)/\(clientID)/\(group)/offsets.json"
        table.withLockedValue { $0 = Self.load(path) }
    }

    func cached(_ queue: MessageQueue) -> Int64? { table.withLockedValue { $0[queue] } }

    func read(_ queue: MessageQueue, fromStore: Bool) async throws -> Int64 {
        if fromStore {
            let stored = Self.load(path)[queue]
            if let stored { update(queue, offset: stored, increaseOnly: false) }
            return stored ?? -1
        }
        return cached(queue) ?? -1
    }

    func update(_ queue: MessageQueue, offset: Int64, increaseOnly: Bool) {
        table.withLockedValue { table in
            if increaseOnly, let current = table[queue], current >= offset { return }
            table[queue] = offset
        }
    }

    func persist(_ queues: [MessageQueue]) async {
        let snapshot = table.withLockedValue { $0 }
        var entries: [JSONValue] = []
        for (queue, offset) in snapshot.sorted(by: { $0.key < $1.key }) {
            var object = queue.json.objectValue ?? JSONObject()
            object.append("offset", .number(offset))
            entries.append(.object(object))
        }
        let text = JSONWriter().prettyString(.object(["offsetTable": .array(entries)]))
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        Self.makeDirectories(directory)
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else { return }
        fputs(text, file)
        fflush(file)
        fsync(fileno(file))
        fclose(file)
        rename(temporary, path)
    }

    func remove(_ queue: MessageQueue) {}

    private static func load(_ path: String) -> [MessageQueue: Int64] {
        guard let file = fopen(path, "r") else { return [:] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard let json = try? JSONValue.parse(bytes) else { return [:] }
        var table: [MessageQueue: Int64] = [:]
        for entry in json["offsetTable"]?.arrayValue ?? [] {
            guard let queue = try? MessageQueue(json: entry), let offset = entry["offset"]?.int64Value else { continue }
            table[queue] = offset
        }
        return table
    }

    private static func makeDirectories(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o755)
        }
    }
}
