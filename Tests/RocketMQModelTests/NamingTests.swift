import RocketMQModel
import Testing

@Suite struct NamingTests {
    @Test func topicValidation() {
        #expect(TopicValidator.validate("") == .blank)
        #expect(TopicValidator.validate("   ") == .blank)
        #expect(TopicValidator.validate("a b") == .illegalCharacters)
        #expect(TopicValidator.validate("主题") == .illegalCharacters)
        #expect(TopicValidator.validate("topic.name") == .illegalCharacters)
        #expect(TopicValidator.validate("%RETRY%CG_FIXTURE_RETRY") == nil)
        #expect(TopicValidator.validate("a|b-c_D9") == nil)
        #expect(TopicValidator.validate(String(repeating: "a", count: 127)) == nil)
        #expect(TopicValidator.validate(String(repeating: "a", count: 128)) == .tooLong)
        #expect(TopicValidator.isValid("FixtureTopicJson2"))
        #expect(TopicValidator.isTopicOrGroupIllegal("CID group"))
        #expect(!TopicValidator.isTopicOrGroupIllegal("CG_FIXTURE_JSON2"))
        #expect(TopicValidator.Violation.blank.remark == "The specified topic is blank.")
        #expect(TopicValidator.Violation.tooLong.remark == "The specified topic is longer than topic max length.")
        #expect(TopicValidator.Violation.illegalCharacters.remark
            == "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$")
    }

    @Test func systemTopics() {
        for topic in [
            "TBW102", "SCHEDULE_TOPIC_XXXX", "BenchmarkTest", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC",
            "RMQ_SYS_TRACE_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT", "rmq_sys_anything",
        ] {
            #expect(TopicValidator.isSystemTopic(topic), "\(topic)")
        }
        #expect(!TopicValidator.isSystemTopic("FixtureTopicJson2"))
        #expect(!TopicValidator.isSystemTopic("DefaultCluster"))
        #expect(TopicValidator.isSystemTopic("DefaultCluster", brokerClusterName: "DefaultCluster", brokerName: "broker-a"))
        #expect(TopicValidator.isSystemTopic("DefaultCluster_REPLY_TOPIC", brokerClusterName: "DefaultCluster"))
        #expect(TopicValidator.isSystemTopic("broker-a", brokerClusterName: "DefaultCluster", brokerName: "broker-a"))
        #expect(TopicValidator.systemTopicConflictRemark("TBW102") == "The topic[TBW102] is conflict with system topic.")
    }

    @Test func notAllowedSendTopics() {
        for topic in [
            "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC",
            "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT",
        ] {
            #expect(TopicValidator.isNotAllowedSendTopic(topic), "\(topic)")
        }
        #expect(!TopicValidator.isNotAllowedSendTopic("TBW102"))
        #expect(!TopicValidator.isNotAllowedSendTopic("BenchmarkTest"))
        // Same length as a forbidden one (the length filter lets it through to the set), and longer than 64.
        #expect(!TopicValidator.isNotAllowedSendTopic("SELF_TEST_TOPIX"))
        #expect(!TopicValidator.isNotAllowedSendTopic(String(repeating: "T", count: 100)))
        #expect(TopicValidator.notAllowedSendRemark("SELF_TEST_TOPIC") == "Sending message to topic[SELF_TEST_TOPIC] is forbidden.")
    }

    @Test func permissions() {
        let normal = PermName(rawValue: 6)
        #expect(normal == .readWrite)
        #expect(normal.isReadable && normal.isWriteable && !normal.isInherited)
        #expect(normal.description == "RW-")
        #expect(PermName(rawValue: 7).description == "RWX")
        #expect(PermName(rawValue: 1).description == "--X")
        #expect(PermName(rawValue: 4).description == "R--")
        #expect(PermName.isReadable(4) && !PermName.isWriteable(4))
        #expect(PermName.isInherited(7))
        #expect(PermName.priority.rawValue == 8)
    }

    @Test func mixAll() {
        #expect(MixAll.getRetryTopic("CG_FIXTURE_RETRY") == "%RETRY%CG_FIXTURE_RETRY")
        #expect(MixAll.getDLQTopic("CG") == "%DLQ%CG")
        #expect(MixAll.getReplyTopic("DefaultCluster") == "DefaultCluster_REPLY_TOPIC")
        #expect(MixAll.isRetryTopic("%RETRY%G"))
        #expect(!MixAll.isRetryTopic("%DLQ%G"))
        #expect(MixAll.isDLQTopic("%DLQ%G"))
        #expect(MixAll.consumerGroup(ofGroupTopic: "%RETRY%G1") == "G1")
        #expect(MixAll.consumerGroup(ofGroupTopic: "%DLQ%G2") == "G2")
        #expect(MixAll.consumerGroup(ofGroupTopic: "Topic") == nil)
        #expect(MixAll.isSysConsumerGroup("CID_RMQ_SYS_TRANS"))
        #expect(!MixAll.isSysConsumerGroup("CG"))
        #expect(MixAll.isSystemTopic("rmq_sys_x"))
        #expect(MixAll.defaultTopic == "TBW102")
        #expect(MixAll.isLmq("%LMQ%x"))
        #expect(!MixAll.isLmq(nil))
        #expect(MixAll.masterId == 0)
    }
}
