import RemotingCodec

/// A broker config entry named by a topic or group.
protocol NamedConfig: Sendable, Equatable {
    var configName: String { get }
}

extension TopicConfig: NamedConfig {
    var configName: String { topicName }
}

extension SubscriptionGroupConfig: NamedConfig {
    var configName: String { groupName }
}

/// Entries by name in first-insertion order, with the data version the name servers and config files
/// carry: every change through `upsert`/`remove` bumps it. (Java's tables are hash-ordered; any order
/// reads back the same.)
struct VersionedTable<Value: NamedConfig>: Sendable, Equatable {
    private(set) var dataVersion: DataVersion
    private(set) var names: [String] = []
    private var values: [String: Value] = [:]

    init(dataVersion: DataVersion) {
        self.dataVersion = dataVersion
    }

    subscript(name: String) -> Value? { values[name] }

    var all: [Value] { names.compactMap { values[$0] } }

    /// Adds or replaces without a new version: the built-in entries at start-up.
    mutating func put(_ value: Value) {
        if values.updateValue(value, forKey: value.configName) == nil { names.append(value.configName) }
    }

    /// Adds or replaces as a change.
    mutating func upsert(_ value: Value, now: Int64) {
        put(value)
        dataVersion.next(now: now)
    }

    mutating func remove(_ name: String, now: Int64) -> Value? {
        guard let removed = values.removeValue(forKey: name) else { return nil }
        names.removeAll { $0 == name }
        dataVersion.next(now: now)
        return removed
    }

    /// Everything replaced by a master's copy (slave synchronisation).
    mutating func replaceAll(_ entries: [Value], dataVersion: DataVersion) {
        names = []
        values = [:]
        load(entries, dataVersion: dataVersion)
    }

    /// A file's entries replace the built-in ones; its data version becomes ours.
    mutating func load(_ entries: [Value], dataVersion: DataVersion) {
        for entry in entries { put(entry) }
        self.dataVersion = dataVersion
    }
}
