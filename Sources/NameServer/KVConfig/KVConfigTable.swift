import RemotingCodec

/// The name server's namespaced key/value settings (Java `KVConfigManager`), persisted as
/// `{"configTable":{"<namespace>":{"<key>":"<value>"}}}`. `ORDER_TOPIC_CONFIG` holds ordered-topic layouts.
public struct KVConfigTable: Sendable, Equatable, RemotingBody {
    public static let orderTopicConfigNamespace = "ORDER_TOPIC_CONFIG"

    public private(set) var configTable: [String: [String: String]] = [:]

    public init() {}

    public init(json: JSONValue) throws(BodyError) {
        for namespace in json.members("configTable") {
            guard let name = namespace.key.stringValue else { throw BodyError("kvConfig: bad namespace") }
            var table: [String: String] = [:]
            for entry in namespace.value.objectValue?.members ?? [] {
                if let key = entry.key.stringValue, let value = entry.value.stringValue { table[key] = value }
            }
            configTable[name] = table
        }
    }

    public var json: JSONValue {
        var namespaces = JSONObject()
        for name in configTable.keys.sorted() {
            namespaces.append(name, KVTable(table: configTable[name]!).json["table"]!)
        }
        return .object(["configTable": .object(namespaces)])
    }

    public func value(namespace: String, key: String) -> String? { configTable[namespace]?[key] }

    public mutating func put(namespace: String, key: String, value: String) {
        configTable[namespace, default: [:]][key] = value
    }

    public mutating func delete(namespace: String, key: String) {
        guard configTable[namespace] != nil else { return }
        configTable[namespace]![key] = nil
    }

    /// Java `getKVListByNamespace`: nil for an unknown namespace.
    public func table(namespace: String) -> KVTable? {
        configTable[namespace].map(KVTable.init(table:))
    }
}
