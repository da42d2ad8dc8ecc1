/// Group-derived topic names and well-known names (Java `MixAll`, PROTOCOL.md §4.11, §5.6).
public enum MixAll {
    /// `DEFAULT_TOPIC`: the auto-creation template.
    public static let defaultTopic = "TBW102"
    /// `BENCHMARK_TOPIC`
    public static let benchmarkTopic = "BenchmarkTest"
    /// `DEFAULT_PRODUCER_GROUP`
    public static let defaultProducerGroup = "DEFAULT_PRODUCER"
    /// `DEFAULT_CONSUMER_GROUP`
    public static let defaultConsumerGroup = "DEFAULT_CONSUMER"
    /// `TOOLS_CONSUMER_GROUP`
    public static let toolsConsumerGroup = "TOOLS_CONSUMER"
    /// `FILTERSRV_CONSUMER_GROUP`
    public static let filterServerConsumerGroup = "FILTERSRV_CONSUMER"
    /// `MONITOR_CONSUMER_GROUP`
    public static let monitorConsumerGroup = "__MONITOR_CONSUMER"
    /// `CLIENT_INNER_PRODUCER_GROUP`
    public static let clientInnerProducerGroup = "CLIENT_INNER_PRODUCER"
    /// `SELF_TEST_PRODUCER_GROUP`
    public static let selfTestProducerGroup = "SELF_TEST_P_GROUP"
    /// `SELF_TEST_CONSUMER_GROUP`
    public static let selfTestConsumerGroup = "SELF_TEST_C_GROUP"
    /// `SELF_TEST_TOPIC`
    public static let selfTestTopic = "SELF_TEST_TOPIC"
    /// `OFFSET_MOVED_EVENT`
    public static let offsetMovedEvent = "OFFSET_MOVED_EVENT"
    /// `ONS_HTTP_PROXY_GROUP`
    public static let onsHttpProxyGroup = "CID_ONS-HTTP-PROXY"
    /// `CID_ONSAPI_PERMISSION_GROUP`
    public static let cidOnsapiPermissionGroup = "CID_ONSAPI_PERMISSION"
    /// `CID_ONSAPI_OWNER_GROUP`
    public static let cidOnsapiOwnerGroup = "CID_ONSAPI_OWNER"
    /// `CID_ONSAPI_PULL_GROUP`
    public static let cidOnsapiPullGroup = "CID_ONSAPI_PULL"
    /// `CID_RMQ_SYS_PREFIX`: system consumer groups (always auto-created).
    public static let cidRmqSysPrefix = "CID_RMQ_SYS_"
    /// `MASTER_ID`: brokerId of a master.
    public static let masterId: Int64 = 0
    /// `RETRY_GROUP_TOPIC_PREFIX`
    public static let retryGroupTopicPrefix = "%RETRY%"
    /// `DLQ_GROUP_TOPIC_PREFIX`
    public static let dlqGroupTopicPrefix = "%DLQ%"
    /// `SYSTEM_TOPIC_PREFIX`
    public static let systemTopicPrefix = "rmq_sys_"
    /// `UNIQUE_MSG_QUERY_FLAG`: QUERY_MESSAGE extField asking for a UNIQ_KEY lookup.
    public static let uniqueMsgQueryFlag = "_UNIQUE_KEY_QUERY"
    /// `DEFAULT_TRACE_REGION_ID`
    public static let defaultTraceRegionId = "DefaultRegion"
    /// `REPLY_TOPIC_POSTFIX`
    public static let replyTopicPostfix = "REPLY_TOPIC"
    /// `LMQ_PREFIX`: light message queues.
    public static let lmqPrefix = "%LMQ%"

    /// `getRetryTopic`: `%RETRY%<group>`.
    public static func getRetryTopic(_ consumerGroup: String) -> String {
        Self.retryGroupTopicPrefix + consumerGroup
    }

    /// `getDLQTopic`: `%DLQ%<group>`.
    public static func getDLQTopic(_ consumerGroup: String) -> String {
        Self.dlqGroupTopicPrefix + consumerGroup
    }

    /// `getReplyTopic`: `<cluster>_REPLY_TOPIC`.
    public static func getReplyTopic(_ clusterName: String) -> String {
        clusterName + "_" + Self.replyTopicPostfix
    }

    /// Whether `topic` is a group's retry topic.
    public static func isRetryTopic(_ topic: String) -> Bool {
        topic.hasPrefix(Self.retryGroupTopicPrefix)
    }

    /// Whether `topic` is a group's dead-letter topic.
    public static func isDLQTopic(_ topic: String) -> Bool {
        topic.hasPrefix(Self.dlqGroupTopicPrefix)
    }

    /// The consumer group of a `%RETRY%` or `%DLQ%` topic, nil for any other topic.
    public static func consumerGroup(ofGroupTopic topic: String) -> String? {
        if topic.hasPrefix(Self.retryGroupTopicPrefix) {
            return String(topic.dropFirst(Self.retryGroupTopicPrefix.count))
        }
        if topic.hasPrefix(Self.dlqGroupTopicPrefix) {
            return String(topic.dropFirst(Self.dlqGroupTopicPrefix.count))
        }
        return nil
    }

    /// `isSysConsumerGroup`: starts with `CID_RMQ_SYS_`.
    public static func isSysConsumerGroup(_ consumerGroup: String) -> Bool {
        consumerGroup.hasPrefix(Self.cidRmqSysPrefix)
    }

    /// `isSystemTopic` (MixAll's version): starts with `rmq_sys_`. See ``TopicValidator/isSystemTopic(_:brokerClusterName:brokerName:)``
    /// for the full set.
    public static func isSystemTopic(_ topic: String) -> Bool {
        topic.hasPrefix(Self.systemTopicPrefix)
    }

    /// `isLmq`: a light message queue topic.
    public static func isLmq(_ topic: String?) -> Bool {
        topic?.hasPrefix(Self.lmqPrefix) ?? false
    }
}
