#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RocketMQModel

/// The broker's own settings: Java `BrokerConfig` plus the `NettyServerConfig` keys a broker file
/// sets, with Java's names and defaults. Store keys belong to the store's config.
public struct BrokerConfig: Sendable, Equatable {
    public var rocketmqHome = ProcessInfo.processInfo.environment["ROCKETMQ_HOME"] ?? ""
    /// `;`-separated name server addresses.
    public var namesrvAddr = ProcessInfo.processInfo.environment["NAMESRV_ADDR"] ?? ""
    public var brokerName = "broker-a"
    public var brokerClusterName = "DefaultCluster"
    /// 0 = master, ≥ 1 = slave.
    public var brokerId: Int64 = 0
    public var brokerIP1 = "127.0.0.1"
    public var brokerIP2 = "127.0.0.1"
    public var brokerPermission = 6
    public var defaultTopicQueueNums = 8
    public var autoCreateTopicEnable = true
    public var clusterTopicEnable = true
    public var brokerTopicEnable = true
    public var autoCreateSubscriptionGroup = true
    public var traceTopicEnable = false
    public var msgTraceTopicName = "RMQ_SYS_TRACE_TOPIC"
    public var sendMessageThreadPoolNums = 4
    public var pullMessageThreadPoolNums = 20
    public var flushConsumerOffsetInterval = 5000
    public var rejectTransactionMessage = false
    public var longPollingEnable = true
    public var shortPollingTimeMills: Int64 = 1000
    public var notifyConsumerIdsChangedEnable = true
    public var regionId = "DefaultRegion"
    public var registerBrokerTimeoutMills = 6000
    public var slaveReadEnable = false
    public var brokerFastFailureEnable = true
    public var waitTimeMillsInSendQueue: Int64 = 200
    public var startAcceptSendRequestTimeStamp: Int64 = 0
    public var traceOn = true
    public var enablePropertyFilter = false
    /// SQL92 filters also apply to the group's retry topic.
    public var filterSupportRetry = false
    public var compressedRegister = false
    public var forceRegister = true
    public var registerNameServerPeriod = 30_000
    public var transactionTimeOut: Int64 = 6000
    public var transactionCheckMax = 15
    public var transactionCheckInterval: Int64 = 60_000
    public var checkTransactionMessageEnable = true
    public var aclEnable = false
    public var storeReplyMessageEnable = true
    public var configBlackList = "configBlackList;brokerConfigPath"
    /// NettyServerConfig: the client port; the VIP port is listenPort − 2, HA listenPort + 1.
    public var listenPort = 10911
    public var serverChannelMaxIdleTimeSeconds = 120

    public init() {}

    public var isMaster: Bool { brokerId == 0 }

    /// `brokerIP1:listenPort`, the address clients and name servers know this broker by.
    public var brokerAddr: String { "\(brokerIP1):\(listenPort)" }

    /// STOREHOST of the messages this broker stores (and the host of their offsetMsgId).
    public var storeHost: MessageHost {
        MessageHost(parsing: brokerAddr) ?? MessageHost(ipv4: 127, 0, 0, 1, port: Int32(listenPort))
    }

    /// The name servers, split on `;` as Java does.
    public var nameServerAddresses: [String] {
        namesrvAddr.split(separator: ";").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    public static let keys: [ConfigKey<BrokerConfig>] = [
        .string("rocketmqHome", \.rocketmqHome), .string("namesrvAddr", \.namesrvAddr),
        .string("brokerName", \.brokerName), .string("brokerClusterName", \.brokerClusterName),
        .int64("brokerId", \.brokerId), .string("brokerIP1", \.brokerIP1), .string("brokerIP2", \.brokerIP2),
        .int("brokerPermission", \.brokerPermission), .int("defaultTopicQueueNums", \.defaultTopicQueueNums),
        .bool("autoCreateTopicEnable", \.autoCreateTopicEnable), .bool("clusterTopicEnable", \.clusterTopicEnable),
        .bool("brokerTopicEnable", \.brokerTopicEnable), .bool("autoCreateSubscriptionGroup", \.autoCreateSubscriptionGroup),
        .bool("traceTopicEnable", \.traceTopicEnable), .string("msgTraceTopicName", \.msgTraceTopicName),
        .int("sendMessageThreadPoolNums", \.sendMessageThreadPoolNums),
        .int("pullMessageThreadPoolNums", \.pullMessageThreadPoolNums),
        .int("flushConsumerOffsetInterval", \.flushConsumerOffsetInterval),
        .bool("rejectTransactionMessage", \.rejectTransactionMessage), .bool("longPollingEnable", \.longPollingEnable),
        .int64("shortPollingTimeMills", \.shortPollingTimeMills),
        .bool("notifyConsumerIdsChangedEnable", \.notifyConsumerIdsChangedEnable), .string("regionId", \.regionId),
        .int("registerBrokerTimeoutMills", \.registerBrokerTimeoutMills), .bool("slaveReadEnable", \.slaveReadEnable),
        .bool("brokerFastFailureEnable", \.brokerFastFailureEnable),
        .int64("waitTimeMillsInSendQueue", \.waitTimeMillsInSendQueue),
        .int64("startAcceptSendRequestTimeStamp", \.startAcceptSendRequestTimeStamp), .bool("traceOn", \.traceOn),
        .bool("enablePropertyFilter", \.enablePropertyFilter), .bool("filterSupportRetry", \.filterSupportRetry), .bool("compressedRegister", \.compressedRegister),
        .bool("forceRegister", \.forceRegister), .int("registerNameServerPeriod", \.registerNameServerPeriod),
        .int64("transactionTimeOut", \.transactionTimeOut), .int("transactionCheckMax", \.transactionCheckMax),
        .int64("transactionCheckInterval", \.transactionCheckInterval),
        .bool("checkTransactionMessageEnable", \.checkTransactionMessageEnable), .bool("aclEnable", \.aclEnable),
        .bool("storeReplyMessageEnable", \.storeReplyMessageEnable), .string("configBlackList", \.configBlackList),
        .int("listenPort", \.listenPort), .int("serverChannelMaxIdleTimeSeconds", \.serverChannelMaxIdleTimeSeconds),
    ]

    /// Applies the keys this config knows; the result lists the others (for the store's config) and
    /// the bad values.
    public mutating func apply(_ properties: JavaProperties) -> ConfigApplication {
        Self.keys.apply(properties, to: &self)
    }

    public var properties: JavaProperties { Self.keys.properties(of: self) }
}
