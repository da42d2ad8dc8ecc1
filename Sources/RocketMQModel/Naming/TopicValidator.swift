/// Topic name rules and system topics (Java `TopicValidator`, PROTOCOL.md §1.10, §3.3.1, §3.4.1, §4.11).
public enum TopicValidator {
    /// `AUTO_CREATE_TOPIC_KEY_TOPIC`: template topic for auto-creation.
    public static let autoCreateTopicKeyTopic = "TBW102"
    /// `RMQ_SYS_SCHEDULE_TOPIC`: delayed messages, queue = level − 1.
    public static let scheduleTopic = "SCHEDULE_TOPIC_XXXX"
    /// `RMQ_SYS_BENCHMARK_TOPIC`
    public static let benchmarkTopic = "BenchmarkTest"
    /// `RMQ_SYS_TRANS_HALF_TOPIC`: half (prepared) transaction messages.
    public static let transactionHalfTopic = "RMQ_SYS_TRANS_HALF_TOPIC"
    /// `RMQ_SYS_TRACE_TOPIC`
    public static let traceTopic = "RMQ_SYS_TRACE_TOPIC"
    /// `RMQ_SYS_TRANS_OP_HALF_TOPIC`: transaction op records.
    public static let transactionOpHalfTopic = "RMQ_SYS_TRANS_OP_HALF_TOPIC"
    /// `RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC`: half messages checked too often.
    public static let transactionCheckMaxTimeTopic = "TRANS_CHECK_MAX_TIME_TOPIC"
    /// `RMQ_SYS_SELF_TEST_TOPIC`
    public static let selfTestTopic = "SELF_TEST_TOPIC"
    /// `RMQ_SYS_OFFSET_MOVED_EVENT`
    public static let offsetMovedEvent = "OFFSET_MOVED_EVENT"
    /// `SYSTEM_TOPIC_PREFIX`: any topic starting with it is a system topic.
    public static let systemTopicPrefix = "rmq_sys_"
    /// `TOPIC_MAX_LENGTH`
    public static let topicMaxLength = 127

    /// Built-in system topics (`SYSTEM_TOPIC_SET` before the broker adds its cluster and broker names).
    public static let systemTopics: Set<String> = [
        autoCreateTopicKeyTopic, scheduleTopic, benchmarkTopic, transactionHalfTopic, traceTopic,
        transactionOpHalfTopic, transactionCheckMaxTimeTopic, selfTestTopic, offsetMovedEvent,
    ]

    /// Topics a client may not send to (`NOT_ALLOWED_SEND_TOPIC_SET`): NO_PERMISSION.
    public static let notAllowedSendTopics: Set<String> = [
        scheduleTopic, transactionHalfTopic, transactionOpHalfTopic, transactionCheckMaxTimeTopic, selfTestTopic,
        offsetMovedEvent,
    ]

    /// Why a topic name is refused; the broker answers SYSTEM_ERROR with ``remark``.
    public enum Violation: Error, Equatable, Sendable {
        case blank
        case illegalCharacters
        case tooLong

        /// Java's response remark.
        public var remark: String {
            switch self {
            case .blank: return "The specified topic is blank."
            case .illegalCharacters:
                return "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
            case .tooLong: return "The specified topic is longer than topic max length."
            }
        }
    }

    /// Whether `character` (a UTF-16 unit) is one of `[%|a-zA-Z0-9_-]`.
    @inline(__always)
    static func isValidCharacter(_ unit: UInt16) -> Bool {
        switch unit {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true  // 0-9 A-Z a-z
        case 0x25, 0x2D, 0x5F, 0x7C: return true  // % - _ |
        default: return false
        }
    }

    /// `isTopicOrGroupIllegal`: true if any character is outside `[%|a-zA-Z0-9_-]` (also used for group names).
    public static func isTopicOrGroupIllegal(_ name: some StringProtocol) -> Bool {
        !name.utf16.allSatisfy(Self.isValidCharacter)
    }

    /// `validateTopic`: blank (empty or whitespace only), then illegal characters, then longer than 127.
    public static func validate(_ topic: some StringProtocol) -> Violation? {
        Self.validate(String(topic))
    }

    /// `validate` for a `String` (every send's topic: no generic dispatch). Every valid name is ASCII from the
    /// allowed set, so one pass over the bytes settles it; walking Characters costs more than the rest of the check.
    public static func validate(_ topic: String) -> Violation? {
        var topic = topic
        let allowed = topic.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy { Self.isValidCharacter(UInt16($0)) } }
        if allowed { return topic.utf8.count > Self.topicMaxLength ? .tooLong : nil }
        return Self.violation(topic)
    }

    /// Java's checks in order, for a name that is not plain allowed ASCII.
    private static func violation(_ topic: String) -> Violation? {
        if topic.allSatisfy(\.isWhitespace) { return .blank }
        if Self.isTopicOrGroupIllegal(topic) { return .illegalCharacters }
        if topic.utf16.count > Self.topicMaxLength { return .tooLong }
        return nil
    }

    /// Whether `topic` is a valid topic name.
    public static func isValid(_ topic: some StringProtocol) -> Bool {
        Self.validate(topic) == nil
    }

    /// `isSystemTopic`: a built-in system topic, one starting with `rmq_sys_`, or — when given — the broker's
    /// cluster name, its broker name or `<cluster>_REPLY_TOPIC` (which the 4.9.8 broker adds to the set at start).
    public static func isSystemTopic(_ topic: String, brokerClusterName: String? = nil, brokerName: String? = nil) -> Bool {
        if Self.systemTopics.contains(topic) || topic.hasPrefix(Self.systemTopicPrefix) { return true }
        if let brokerClusterName, topic == brokerClusterName || topic == MixAll.getReplyTopic(brokerClusterName) {
            return true
        }
        if let brokerName, topic == brokerName { return true }
        return false
    }

    /// `isNotAllowedSendTopic`: the broker answers NO_PERMISSION (`Sending message to topic[..] is forbidden.`).
    public static func isNotAllowedSendTopic(_ topic: String) -> Bool {
        // Every send asks: a topic of another length is answered without hashing it.
        let length = topic.utf8.count
        if length < 64, Self.notAllowedSendLengths & (1 << UInt64(length)) == 0 { return false }
        return Self.notAllowedSendTopics.contains(topic)
    }

    /// The UTF-8 lengths below 64 of ``notAllowedSendTopics``, one bit each.
    private static let notAllowedSendLengths: UInt64 = notAllowedSendTopics.reduce(0) { mask, topic in
        mask | (topic.utf8.count < 64 ? 1 << UInt64(topic.utf8.count) : 0)
    }

    /// Java's remark for a system-topic conflict (UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER).
    public static func systemTopicConflictRemark(_ topic: String) -> String {
        "The topic[\(topic)] is conflict with system topic."
    }

    /// Java's remark for a send to a not-allowed topic.
    public static func notAllowedSendRemark(_ topic: String) -> String {
        "Sending message to topic[\(topic)] is forbidden."
    }
}
