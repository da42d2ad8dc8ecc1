import RemotingCodec
import RocketMQModel

/// The broker's topics (Java `TopicConfigManager`) as a value: the system topics every 4.9.8 broker
/// creates, what `topics.json` holds, auto-creation on send and send-back, admin updates. Every
/// change bumps the data version the name servers compare (§3.2.1).
public struct TopicConfigTable: Sendable, Equatable {
    private var configs: VersionedTable<TopicConfig>

    public var dataVersion: DataVersion { configs.dataVersion }

    /// The system topics of §4.11, in the order Java creates them.
    public init(brokerConfig: BrokerConfig, now: Int64) {
        configs = VersionedTable(dataVersion: DataVersion(timestamp: now, counter: 0))
        let derivedPerm: (Bool) -> Int32 = { enabled in enabled ? PermName([.read, .write, .inherit]).rawValue : PermName.inherit.rawValue }
        configs.put(TopicConfig(topicName: TopicValidator.selfTestTopic, readQueueNums: 1, writeQueueNums: 1))
        if brokerConfig.autoCreateTopicEnable {
            let queues = Int32(clamping: brokerConfig.defaultTopicQueueNums)
            configs.put(TopicConfig(topicName: TopicValidator.autoCreateTopicKeyTopic, readQueueNums: queues, writeQueueNums: queues,
                            perm: PermName([.read, .write, .inherit]).rawValue))
        }
        configs.put(TopicConfig(topicName: TopicValidator.benchmarkTopic, readQueueNums: 1024, writeQueueNums: 1024))
        configs.put(TopicConfig(topicName: brokerConfig.brokerClusterName, readQueueNums: 16, writeQueueNums: 16,
                        perm: derivedPerm(brokerConfig.clusterTopicEnable)))
        configs.put(TopicConfig(topicName: brokerConfig.brokerName, readQueueNums: 1, writeQueueNums: 1,
                        perm: derivedPerm(brokerConfig.brokerTopicEnable)))
        configs.put(TopicConfig(topicName: TopicValidator.offsetMovedEvent, readQueueNums: 1, writeQueueNums: 1))
        configs.put(TopicConfig(topicName: TopicValidator.scheduleTopic, readQueueNums: 18, writeQueueNums: 18))
        if brokerConfig.traceTopicEnable {
            configs.put(TopicConfig(topicName: brokerConfig.msgTraceTopicName, readQueueNums: 1, writeQueueNums: 1))
        }
        configs.put(TopicConfig(topicName: brokerConfig.brokerClusterName + "_REPLY_TOPIC", readQueueNums: 1, writeQueueNums: 1))
    }

    public var topicNames: [String] { configs.names }
    public var count: Int { configs.names.count }

    public subscript(topic: String) -> TopicConfig? { configs[topic] }

    /// Java `TopicConfigManager.load`: the file's topics and data version replace the built-in ones.
    public mutating func load(_ wrapper: TopicConfigSerializeWrapper) {
        configs.load(wrapper.topicConfigTable, dataVersion: wrapper.dataVersion)
    }

    /// Java `SlaveSynchronize.syncTopicConfig`: the master's table replaces ours when its data version differs.
    /// Returns whether it did.
    public mutating func replace(with wrapper: TopicConfigSerializeWrapper) -> Bool {
        guard wrapper.dataVersion != dataVersion else { return false }
        configs.replaceAll(wrapper.topicConfigTable, dataVersion: wrapper.dataVersion)
        return true
    }

    /// What `topics.json`, GET_ALL_TOPIC_CONFIG and REGISTER_BROKER carry.
    public var wrapper: TopicConfigSerializeWrapper {
        TopicConfigSerializeWrapper(topicConfigTable: configs.all, dataVersion: dataVersion)
    }

    /// Java `createTopicInSendMessageMethod`: a new topic copied from `defaultTopic` (normally TBW102)
    /// when that one is inheritable. Returns the topic's config and whether it was created.
    public mutating func createForSend(
        topic: String, defaultTopic: String, clientDefaultTopicQueueNums: Int32, topicSysFlag: Int32,
        autoCreateTopicEnable: Bool, now: Int64
    ) -> (config: TopicConfig?, created: Bool) {
        if let existing = configs[topic] { return (existing, false) }
        guard var template = configs[defaultTopic] else { return (nil, false) }
        if defaultTopic == TopicValidator.autoCreateTopicKeyTopic && !autoCreateTopicEnable {
            template.perm = PermName.readWrite.rawValue
        }
        guard PermName.isInherited(template.perm) else { return (nil, false) }
        let queues = max(0, min(clientDefaultTopicQueueNums, template.writeQueueNums))
        let config = TopicConfig(
            topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: template.perm & ~PermName.inherit.rawValue,
            topicFilterType: template.topicFilterType, topicSysFlag: topicSysFlag)
        configs.upsert(config, now: now)
        return (config, true)
    }

    /// Java `createTopicInSendMessageBackMethod` (and the heartbeat's `%RETRY%` topics): a topic with
    /// the given queues and permission, created when absent.
    public mutating func createIfAbsent(topic: String, queueNums: Int32, perm: Int32, topicSysFlag: Int32 = 0, now: Int64)
        -> (config: TopicConfig, created: Bool)
    {
        if let existing = configs[topic] { return (existing, false) }
        let config = TopicConfig(topicName: topic, readQueueNums: queueNums, writeQueueNums: queueNums, perm: perm,
                                 topicSysFlag: topicSysFlag)
        configs.upsert(config, now: now)
        return (config, true)
    }

    /// UPDATE_AND_CREATE_TOPIC.
    public mutating func update(_ config: TopicConfig, now: Int64) {
        configs.upsert(config, now: now)
    }

    /// A new data version with the same topics (a brokerPermission change, which narrows every topic's
    /// registered permission).
    public mutating func nextVersion(now: Int64) {
        // Re-putting an entry changes nothing but the version.
        if let first = configs.all.first { configs.upsert(first, now: now) }
    }

    /// DELETE_TOPIC_IN_BROKER.
    @discardableResult
    public mutating func delete(_ topic: String, now: Int64) -> TopicConfig? {
        configs.remove(topic, now: now)
    }
}
