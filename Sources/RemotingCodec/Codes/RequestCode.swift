/// A remoting request code (Java `RequestCode`). A struct rather than an enum so that codes a
/// peer sends but 4.9.8 does not define still round-trip and get REQUEST_CODE_NOT_SUPPORTED.
public struct RequestCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public var name: String? { Self.names[rawValue] }
    public var description: String { name ?? "CODE_\(rawValue)" }

    public static let sendMessage = RequestCode(10)
    public static let pullMessage = RequestCode(11)
    public static let queryMessage = RequestCode(12)
    public static let queryBrokerOffset = RequestCode(13)
    public static let queryConsumerOffset = RequestCode(14)
    public static let updateConsumerOffset = RequestCode(15)
    public static let updateAndCreateTopic = RequestCode(17)
    public static let getAllTopicConfig = RequestCode(21)
    public static let getTopicConfigList = RequestCode(22)
    public static let getTopicNameList = RequestCode(23)
    public static let updateBrokerConfig = RequestCode(25)
    public static let getBrokerConfig = RequestCode(26)
    public static let triggerDeleteFiles = RequestCode(27)
    public static let getBrokerRuntimeInfo = RequestCode(28)
    public static let searchOffsetByTimestamp = RequestCode(29)
    public static let getMaxOffset = RequestCode(30)
    public static let getMinOffset = RequestCode(31)
    public static let getEarliestMsgStoretime = RequestCode(32)
    public static let viewMessageById = RequestCode(33)
    public static let heartBeat = RequestCode(34)
    public static let unregisterClient = RequestCode(35)
    public static let consumerSendMsgBack = RequestCode(36)
    public static let endTransaction = RequestCode(37)
    public static let getConsumerListByGroup = RequestCode(38)
    public static let checkTransactionState = RequestCode(39)
    public static let notifyConsumerIdsChanged = RequestCode(40)
    public static let lockBatchMQ = RequestCode(41)
    public static let unlockBatchMQ = RequestCode(42)
    public static let getAllConsumerOffset = RequestCode(43)
    public static let getAllDelayOffset = RequestCode(45)
    public static let checkClientConfig = RequestCode(46)
    public static let updateAndCreateAclConfig = RequestCode(50)
    public static let deleteAclConfig = RequestCode(51)
    public static let getBrokerClusterAclInfo = RequestCode(52)
    public static let updateGlobalWhiteAddrsConfig = RequestCode(53)
    public static let getBrokerClusterAclConfig = RequestCode(54)
    public static let putKVConfig = RequestCode(100)
    public static let getKVConfig = RequestCode(101)
    public static let deleteKVConfig = RequestCode(102)
    public static let registerBroker = RequestCode(103)
    public static let unregisterBroker = RequestCode(104)
    public static let getRouteInfoByTopic = RequestCode(105)
    public static let getBrokerClusterInfo = RequestCode(106)
    public static let updateAndCreateSubscriptionGroup = RequestCode(200)
    public static let getAllSubscriptionGroupConfig = RequestCode(201)
    public static let getTopicStatsInfo = RequestCode(202)
    public static let getConsumerConnectionList = RequestCode(203)
    public static let getProducerConnectionList = RequestCode(204)
    public static let wipeWritePermOfBroker = RequestCode(205)
    public static let getAllTopicListFromNameServer = RequestCode(206)
    public static let deleteSubscriptionGroup = RequestCode(207)
    public static let getConsumeStats = RequestCode(208)
    public static let suspendConsumer = RequestCode(209)
    public static let resumeConsumer = RequestCode(210)
    public static let resetConsumerOffsetInConsumer = RequestCode(211)
    public static let resetConsumerOffsetInBroker = RequestCode(212)
    public static let adjustConsumerThreadPool = RequestCode(213)
    public static let whoConsumeTheMessage = RequestCode(214)
    public static let deleteTopicInBroker = RequestCode(215)
    public static let deleteTopicInNamesrv = RequestCode(216)
    public static let getKVListByNamespace = RequestCode(219)
    public static let resetConsumerClientOffset = RequestCode(220)
    public static let getConsumerStatusFromClient = RequestCode(221)
    public static let invokeBrokerToResetOffset = RequestCode(222)
    public static let invokeBrokerToGetConsumerStatus = RequestCode(223)
    public static let getTopicsByCluster = RequestCode(224)
    public static let queryTopicConsumeByWho = RequestCode(300)
    public static let registerFilterServer = RequestCode(301)
    public static let registerMessageFilterClass = RequestCode(302)
    public static let queryConsumeTimeSpan = RequestCode(303)
    public static let getSystemTopicListFromNS = RequestCode(304)
    public static let getSystemTopicListFromBroker = RequestCode(305)
    public static let cleanExpiredConsumeQueue = RequestCode(306)
    public static let getConsumerRunningInfo = RequestCode(307)
    public static let queryCorrectionOffset = RequestCode(308)
    public static let consumeMessageDirectly = RequestCode(309)
    public static let sendMessageV2 = RequestCode(310)
    public static let getUnitTopicList = RequestCode(311)
    public static let getHasUnitSubTopicList = RequestCode(312)
    public static let getHasUnitSubUnunitTopicList = RequestCode(313)
    public static let cloneGroupOffset = RequestCode(314)
    public static let viewBrokerStatsData = RequestCode(315)
    public static let cleanUnusedTopic = RequestCode(316)
    public static let getBrokerConsumeStats = RequestCode(317)
    public static let updateNamesrvConfig = RequestCode(318)
    public static let getNamesrvConfig = RequestCode(319)
    public static let sendBatchMessage = RequestCode(320)
    public static let queryConsumeQueue = RequestCode(321)
    public static let queryDataVersion = RequestCode(322)
    public static let resumeCheckHalfMessage = RequestCode(323)
    public static let sendReplyMessage = RequestCode(324)
    public static let sendReplyMessageV2 = RequestCode(325)
    public static let pushReplyMessageToClient = RequestCode(326)
    public static let addWritePermOfBroker = RequestCode(327)
    public static let getAllProducerInfo = RequestCode(328)
    public static let deleteExpiredCommitLog = RequestCode(329)

    /// Java names of every 4.9.8 code (used in logs, fixture labels and metrics).
    static let names: [Int32: String] = [
        10: "SEND_MESSAGE", 11: "PULL_MESSAGE", 12: "QUERY_MESSAGE", 13: "QUERY_BROKER_OFFSET",
        14: "QUERY_CONSUMER_OFFSET", 15: "UPDATE_CONSUMER_OFFSET", 17: "UPDATE_AND_CREATE_TOPIC",
        21: "GET_ALL_TOPIC_CONFIG", 22: "GET_TOPIC_CONFIG_LIST", 23: "GET_TOPIC_NAME_LIST",
        25: "UPDATE_BROKER_CONFIG", 26: "GET_BROKER_CONFIG", 27: "TRIGGER_DELETE_FILES",
        28: "GET_BROKER_RUNTIME_INFO", 29: "SEARCH_OFFSET_BY_TIMESTAMP", 30: "GET_MAX_OFFSET",
        31: "GET_MIN_OFFSET", 32: "GET_EARLIEST_MSG_STORETIME", 33: "VIEW_MESSAGE_BY_ID", 34: "HEART_BEAT",
        35: "UNREGISTER_CLIENT", 36: "CONSUMER_SEND_MSG_BACK", 37: "END_TRANSACTION",
        38: "GET_CONSUMER_LIST_BY_GROUP", 39: "CHECK_TRANSACTION_STATE", 40: "NOTIFY_CONSUMER_IDS_CHANGED",
        41: "LOCK_BATCH_MQ", 42: "UNLOCK_BATCH_MQ", 43: "GET_ALL_CONSUMER_OFFSET", 45: "GET_ALL_DELAY_OFFSET",
        46: "CHECK_CLIENT_CONFIG", 50: "UPDATE_AND_CREATE_ACL_CONFIG", 51: "DELETE_ACL_CONFIG",
        52: "GET_BROKER_CLUSTER_ACL_INFO", 53: "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG",
        54: "GET_BROKER_CLUSTER_ACL_CONFIG", 100: "PUT_KV_CONFIG", 101: "GET_KV_CONFIG",
        102: "DELETE_KV_CONFIG", 103: "REGISTER_BROKER", 104: "UNREGISTER_BROKER",
        105: "GET_ROUTEINFO_BY_TOPIC", 106: "GET_BROKER_CLUSTER_INFO",
        200: "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", 201: "GET_ALL_SUBSCRIPTIONGROUP_CONFIG",
        202: "GET_TOPIC_STATS_INFO", 203: "GET_CONSUMER_CONNECTION_LIST", 204: "GET_PRODUCER_CONNECTION_LIST",
        205: "WIPE_WRITE_PERM_OF_BROKER", 206: "GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
        207: "DELETE_SUBSCRIPTIONGROUP", 208: "GET_CONSUME_STATS", 209: "SUSPEND_CONSUMER",
        210: "RESUME_CONSUMER", 211: "RESET_CONSUMER_OFFSET_IN_CONSUMER", 212: "RESET_CONSUMER_OFFSET_IN_BROKER",
        213: "ADJUST_CONSUMER_THREAD_POOL", 214: "WHO_CONSUME_THE_MESSAGE", 215: "DELETE_TOPIC_IN_BROKER",
        216: "DELETE_TOPIC_IN_NAMESRV", 219: "GET_KVLIST_BY_NAMESPACE", 220: "RESET_CONSUMER_CLIENT_OFFSET",
        221: "GET_CONSUMER_STATUS_FROM_CLIENT", 222: "INVOKE_BROKER_TO_RESET_OFFSET",
        223: "INVOKE_BROKER_TO_GET_CONSUMER_STATUS", 224: "GET_TOPICS_BY_CLUSTER",
        300: "QUERY_TOPIC_CONSUME_BY_WHO", 301: "REGISTER_FILTER_SERVER", 302: "REGISTER_MESSAGE_FILTER_CLASS",
        303: "QUERY_CONSUME_TIME_SPAN", 304: "GET_SYSTEM_TOPIC_LIST_FROM_NS",
        305: "GET_SYSTEM_TOPIC_LIST_FROM_BROKER", 306: "CLEAN_EXPIRED_CONSUMEQUEUE",
        307: "GET_CONSUMER_RUNNING_INFO", 308: "QUERY_CORRECTION_OFFSET", 309: "CONSUME_MESSAGE_DIRECTLY",
        310: "SEND_MESSAGE_V2", 311: "GET_UNIT_TOPIC_LIST", 312: "GET_HAS_UNIT_SUB_TOPIC_LIST",
        313: "GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST", 314: "CLONE_GROUP_OFFSET", 315: "VIEW_BROKER_STATS_DATA",
        316: "CLEAN_UNUSED_TOPIC", 317: "GET_BROKER_CONSUME_STATS", 318: "UPDATE_NAMESRV_CONFIG",
        319: "GET_NAMESRV_CONFIG", 320: "SEND_BATCH_MESSAGE", 321: "QUERY_CONSUME_QUEUE",
        322: "QUERY_DATA_VERSION", 323: "RESUME_CHECK_HALF_MESSAGE", 324: "SEND_REPLY_MESSAGE",
        325: "SEND_REPLY_MESSAGE_V2", 326: "PUSH_REPLY_MESSAGE_TO_CLIENT", 327: "ADD_WRITE_PERM_OF_BROKER",
        328: "GET_ALL_PRODUCER_INFO", 329: "DELETE_EXPIRED_COMMITLOG",
    ]
}
