import MessageStore
import RocketMQModel

/// A broker `.properties` file read as Java's `BrokerStartup` reads it: the broker's keys, then the
/// store's, the ports derived from `listenPort`, and Java's role rules.
public struct BrokerStartup: Sendable {
    public var brokerConfig: BrokerConfig
    public var storeConfig: MessageStoreConfig
    /// Keys neither config knows (a warning, as in Java's log, not a failure).
    public var unknownKeys: [String] = []
    /// 3.x store keys honoured as aliases (Java 4.9.8 ignores them silently).
    public var legacyKeys: [String] = []

    public struct InvalidConfig: Error, CustomStringConvertible {
        public var description: String
    }

    /// `namesrvAddr` from `-n` overrides the file's, as in Java.
    public init(properties: JavaProperties = JavaProperties(), namesrvAddr: String? = nil) throws(InvalidConfig) {
        brokerConfig = BrokerConfig()
        storeConfig = MessageStoreConfig()
        let broker = brokerConfig.apply(properties)
        let store = storeConfig.apply(JavaProperties(properties.entries.filter { broker.unknownKeys.contains($0.key) }))
        let invalid = broker.invalidKeys + store.invalidKeys
        guard invalid.isEmpty else {
            throw InvalidConfig(description: invalid.map { "bad value for \($0): \(properties[$0] ?? "")" }.joined(separator: "; "))
        }
        unknownKeys = store.unknownKeys
        legacyKeys = MessageStoreConfig.legacyKeysPresent(in: properties)
        if let namesrvAddr { brokerConfig.namesrvAddr = namesrvAddr }
        for address in brokerConfig.nameServerAddresses where !Self.isAddress(address) {
            throw InvalidConfig(description: "bad value for namesrvAddr: \(address) is not host:port")
        }
        guard (1...65535).contains(brokerConfig.listenPort) else {
            throw InvalidConfig(description: "bad value for listenPort: \(brokerConfig.listenPort)")
        }
        // Java: a master is always brokerId 0; a slave must have a positive id.
        switch storeConfig.brokerRole {
        case .asyncMaster, .syncMaster: brokerConfig.brokerId = 0
        case .slave:
            guard brokerConfig.brokerId > 0 else { throw InvalidConfig(description: "Slave's brokerId must be > 0") }
        }
    }

    private static func isAddress(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
        return colon != text.startIndex && (1...65535).contains(port)
    }

    /// Every key with its effective value, broker keys then store keys (Java's `-p`).
    public var printedProperties: String {
        brokerConfig.properties.text + storeConfig.properties.text
    }
}
