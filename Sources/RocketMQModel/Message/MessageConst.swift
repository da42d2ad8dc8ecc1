/// Reserved message property names (Java `MessageConst`, PROTOCOL.md §4.2). The strings are Java's, exactly.
public enum MessageConst {
    /// Business keys, separated by ``keySeparator``; indexed.
    public static let keys = "KEYS"
    /// The single tag; hashed into the consume queue.
    public static let tags = "TAGS"
    /// `PROPERTY_WAIT_STORE_MSG_OK`: `"true"`/`"false"`, wait for flush/replication before answering.
    public static let waitStoreMsgOK = "WAIT"
    /// `PROPERTY_DELAY_TIME_LEVEL`: delay level 1…18.
    public static let delayTimeLevel = "DELAY"
    /// Original topic of a retried message.
    public static let retryTopic = "RETRY_TOPIC"
    /// Original topic of a delayed or half message.
    public static let realTopic = "REAL_TOPIC"
    /// Original queue id of a delayed or half message.
    public static let realQueueId = "REAL_QID"
    /// `PROPERTY_TRANSACTION_PREPARED`: `"true"` on a half message.
    public static let transactionPrepared = "TRAN_MSG"
    /// Producer group (transaction check-back).
    public static let producerGroup = "PGROUP"
    /// Added to pulled messages by the client; never stored.
    public static let minOffset = "MIN_OFFSET"
    /// Added to pulled messages by the client; never stored.
    public static let maxOffset = "MAX_OFFSET"
    public static let buyerId = "BUYER_ID"
    /// offsetMsgId of the first delivery of a retried message.
    public static let originMessageId = "ORIGIN_MESSAGE_ID"
    public static let transferFlag = "TRANSFER_FLAG"
    public static let correctionFlag = "CORRECTION_FLAG"
    public static let mq2Flag = "MQ2_FLAG"
    /// Reconsume count carried on a client fallback send to `%RETRY%`.
    public static let reconsumeTime = "RECONSUME_TIME"
    /// Response extField only.
    public static let msgRegion = "MSG_REGION"
    /// `PROPERTY_TRACE_SWITCH`: response extField only.
    public static let traceSwitch = "TRACE_ON"
    /// `PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX`: the client-generated message id.
    public static let uniqueClientMessageIdKeyIndex = "UNIQ_KEY"
    public static let extendUniqueInfo = "EXTEND_UNIQ_INFO"
    /// Max retries carried on a client fallback send to `%RETRY%`.
    public static let maxReconsumeTimes = "MAX_RECONSUME_TIMES"
    /// `PROPERTY_CONSUME_START_TIMESTAMP`: set by the consumer client.
    public static let consumeStartTimestamp = "CONSUME_START_TIME"
    /// `PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET`: half message's queue offset.
    public static let transactionPreparedQueueOffset = "TRAN_PREPARED_QUEUE_OFFSET"
    /// Number of transaction check-backs done.
    public static let transactionCheckTimes = "TRANSACTION_CHECK_TIMES"
    /// First check-back not before this many seconds.
    public static let checkImmunityTimeInSeconds = "CHECK_IMMUNITY_TIME_IN_SECONDS"
    /// Namespace.
    public static let instanceId = "INSTANCE_ID"
    /// Request/reply correlation id.
    public static let correlationId = "CORRELATION_ID"
    /// `PROPERTY_MESSAGE_REPLY_TO_CLIENT`
    public static let replyToClient = "REPLY_TO_CLIENT"
    /// `PROPERTY_MESSAGE_TTL`
    public static let ttl = "TTL"
    /// `PROPERTY_REPLY_MESSAGE_ARRIVE_TIME`
    public static let replyMessageArriveTime = "ARRIVE_TIME"
    public static let pushReplyTime = "PUSH_REPLY_TIME"
    /// Broker cluster name, added by the broker to every stored message.
    public static let cluster = "CLUSTER"
    /// `PROPERTY_MESSAGE_TYPE`
    public static let messageType = "MSG_TYPE"
    /// LMQ: queues to dispatch to.
    public static let innerMultiDispatch = "INNER_MULTI_DISPATCH"
    /// LMQ: queue offsets in those queues.
    public static let innerMultiQueueOffset = "INNER_MULTI_QUEUE_OFFSET"
    /// Aliyun/ONS absolute deliver time; ignored by a 4.9.8 broker.
    public static let startDeliverTime = "__STARTDELIVERTIME"

    /// [5.x] `PROPERTY_TRANSACTION_ID`
    public static let transactionId = "__transactionId__"
    /// [5.x] `PROPERTY_SHARDING_KEY`
    public static let shardingKey = "__SHARDINGKEY"
    /// [5.x] timer wheel.
    public static let timerDeliverMs = "TIMER_DELIVER_MS"
    /// [5.x] timer wheel.
    public static let timerDelaySec = "TIMER_DELAY_SEC"
    /// [5.x] timer wheel.
    public static let timerDelayMs = "TIMER_DELAY_MS"
    /// [5.x] pop consumption.
    public static let popCheckpoint = "POP_CK"
    /// [5.x] pop consumption.
    public static let firstPopTime = "1ST_POP_TIME"
    /// [5.x]
    public static let dupInfo = "DUP_INFO"
    /// [5.x]
    public static let bornHost = "__BORNHOST"
    /// [5.x]
    public static let bornTimestamp = "BORN_TIMESTAMP"
    /// [5.x]
    public static let dlqOriginTopic = "DLQ_ORIGIN_TOPIC"
    /// [5.x]
    public static let dlqOriginMessageId = "DLQ_ORIGIN_MESSAGE_ID"

    /// `KEY_SEPARATOR`: separates the keys inside ``keys``.
    public static let keySeparator = " "

    /// Names a client may not set as user properties (Java `STRING_HASH_SET`, without the 5.x-only names).
    public static let reservedNames: Set<String> = [
        traceSwitch, msgRegion, keys, tags, waitStoreMsgOK, delayTimeLevel, retryTopic, realTopic, realQueueId,
        transactionPrepared, producerGroup, minOffset, maxOffset, buyerId, originMessageId, transferFlag,
        correctionFlag, mq2Flag, reconsumeTime, uniqueClientMessageIdKeyIndex, maxReconsumeTimes,
        consumeStartTimestamp, transactionPreparedQueueOffset, extendUniqueInfo, instanceId, correlationId,
        replyToClient, ttl, replyMessageArriveTime, pushReplyTime, cluster, messageType, innerMultiQueueOffset,
    ]
}
