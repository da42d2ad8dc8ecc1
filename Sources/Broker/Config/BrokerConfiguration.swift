import Logging
import MessageStore
import NIOConcurrencyHelpers
import RemotingCodec
import RocketMQModel

/// Every setting of a running broker as GET_BROKER_CONFIG shows it and UPDATE_BROKER_CONFIG changes it (Java
/// `Configuration` over the broker's config objects): the broker keys, which `BrokerMetadata` holds and the
/// processors read, and the store keys; a data version bumped by every update; the whole set persisted after
/// an update, as Java writes it back to the broker's config file.
///
/// Store keys changed here are shown and persisted but reach the running store only at the next start (its
/// config is fixed when it opens). Keys neither config knows are ignored, as Java's `mergeIfExist` ignores
/// keys that are no field of its config objects.
public final class BrokerConfiguration: Sendable {
    struct State: Sendable {
        var storeConfig: MessageStoreConfig
        var dataVersion: DataVersion
    }

    /// What UPDATE_BROKER_CONFIG did.
    public enum UpdateResult: Sendable, Equatable {
        /// A key is in the black list: nothing changed.
        case refused
        /// Applied; `brokerPermissionChanged` when the request set `brokerPermission` (the broker re-registers).
        case applied(brokerPermissionChanged: Bool)
    }

    private let metadata: BrokerMetadata
    private let state: NIOLockedValueBox<State>
    private let file: ConfigFile?
    private let logger: Logger
    /// Java `AdminBrokerProcessor.configBlackList`: always `brokerConfigPath`, `rocketmqHome` and
    /// `configBlackList`, plus the `;`-separated names of the `configBlackList` key.
    public let blackList: Set<String>

    /// `path`: where an update writes every setting (Java's broker config path); nil keeps updates in memory.
    public init(metadata: BrokerMetadata, storeConfig: MessageStoreConfig, path: String?, logger: Logger) {
        self.metadata = metadata
        self.logger = logger
        self.state = NIOLockedValueBox(State(storeConfig: storeConfig, dataVersion: DataVersion(timestamp: metadata.clock(), counter: 0)))
        self.file = path.map { path in
            ConfigFile(path: path) { path, error in
                logger.error("cannot persist the broker config", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
        let configured = metadata.config.configBlackList.split(separator: ";").map(String.init)
        self.blackList = Set(["brokerConfigPath", "rocketmqHome", "configBlackList"] + configured)
    }

    /// Java `getDataVersionJson`, GET_BROKER_CONFIG's `version` header.
    public var dataVersion: DataVersion { state.withLockedValue { $0.dataVersion } }

    /// Every key with its current value: the broker's, then the store's.
    public var allConfigs: JavaProperties {
        let storeConfig = state.withLockedValue { $0.storeConfig }
        var all = metadata.config.properties
        for (key, value) in storeConfig.properties.entries { all[key] = value }
        return all
    }

    /// Java `getAllConfigsFormatString` (`MixAll.properties2String`): `key=value` lines, unescaped.
    public var allConfigsFormatString: String {
        allConfigs.entries.map { "\($0.key)=\($0.value)\n" }.joined()
    }

    /// Java `updateBrokerConfig` + `Configuration.update`: refuses black-listed keys; otherwise applies the
    /// keys it knows (a value that does not parse is ignored, as Java ignores it), bumps the data version
    /// and persists.
    public func update(_ properties: JavaProperties) -> UpdateResult {
        if properties.keys.contains(where: blackList.contains) { return .refused }
        var brokerApplication = ConfigApplication()
        metadata.updateConfig { config in brokerApplication = config.apply(properties) }
        let storeKeys = JavaProperties(properties.entries.filter { brokerApplication.unknownKeys.contains($0.key) })
        let now = metadata.clock()
        let storeApplication = state.withLockedValue { state in
            state.dataVersion.next(now: now)
            return state.storeConfig.apply(storeKeys)
        }
        let ignored = storeApplication.unknownKeys + brokerApplication.invalidKeys + storeApplication.invalidKeys
        if !ignored.isEmpty {
            logger.notice("UPDATE_BROKER_CONFIG: keys ignored (unknown or bad values)", metadata: ["keys": "\(ignored)"])
        }
        let storeApplied = storeKeys.keys.filter { !storeApplication.unknownKeys.contains($0) && !storeApplication.invalidKeys.contains($0) }
        if !storeApplied.isEmpty {
            logger.notice("UPDATE_BROKER_CONFIG: store keys take effect at the next start", metadata: ["keys": "\(storeApplied)"])
        }
        file?.save(Array(allConfigsFormatString.utf8))
        return .applied(brokerPermissionChanged: properties["brokerPermission"] != nil)
    }

    /// Waits for the pending write (tests).
    public func flush() { file?.flush() }
}
