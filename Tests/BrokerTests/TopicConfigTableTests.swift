import Broker
import FixtureSupport
import RemotingCodec
import RocketMQModel
import Testing

@Suite struct TopicConfigTableTests {
    @Test func systemTopicsAreThoseJavaRegistersAtBoot() throws {
        let boot = try #require(Fixtures.frame("01-broker-register", "0001-c2s-namesrv-REGISTER_BROKER.bin"))
        let captured = try RegisterBrokerBody(body: try boot.command().body).topicConfigSerializeWrapper.topicConfigTable
        let table = TopicConfigTable(brokerConfig: BrokerConfig(), now: 1)
        #expect(Set(table.wrapper.topicConfigTable) == Set(captured))
        #expect(table.count == 8)
    }

    @Test func autoCreateCopiesTBW102() {
        var table = TopicConfigTable(brokerConfig: BrokerConfig(), now: 1)
        let before = table.dataVersion
        let (config, created) = table.createForSend(
            topic: "NewTopic", defaultTopic: "TBW102", clientDefaultTopicQueueNums: 4, topicSysFlag: 0,
            autoCreateTopicEnable: true, now: 2)
        #expect(created)
        #expect(config == TopicConfig(topicName: "NewTopic", readQueueNums: 4, writeQueueNums: 4, perm: 6))
        #expect(table.dataVersion.counter == before.counter + 1)
        #expect(table.createForSend(topic: "NewTopic", defaultTopic: "TBW102", clientDefaultTopicQueueNums: 4,
                                    topicSysFlag: 0, autoCreateTopicEnable: true, now: 3).created == false)
        // More queues than the template has: capped at the template's write queues.
        #expect(table.createForSend(topic: "Wide", defaultTopic: "TBW102", clientDefaultTopicQueueNums: 64,
                                    topicSysFlag: 0, autoCreateTopicEnable: true, now: 3).config?.writeQueueNums == 8)
        // A template without the inherit bit creates nothing.
        #expect(table.createForSend(topic: "X", defaultTopic: "BenchmarkTest", clientDefaultTopicQueueNums: 4,
                                    topicSysFlag: 0, autoCreateTopicEnable: true, now: 3).config == nil)
    }

    @Test func withoutAutoCreateThereIsNoTBW102() {
        var config = BrokerConfig()
        config.autoCreateTopicEnable = false
        var table = TopicConfigTable(brokerConfig: config, now: 1)
        #expect(table["TBW102"] == nil)
        #expect(table.createForSend(topic: "T", defaultTopic: "TBW102", clientDefaultTopicQueueNums: 4, topicSysFlag: 0,
                                    autoCreateTopicEnable: false, now: 2).config == nil)
    }

    @Test func javaTopicsFileLoads() throws {
        let file = try TopicConfigSerializeWrapper(body: try Fixtures.buffer("store-4.9.8", "clean-shutdown", "config", "topics.json"))
        var table = TopicConfigTable(brokerConfig: BrokerConfig(), now: 1)
        table.load(file)
        #expect(table["StoreFixtureTopic"]?.writeQueueNums == 4)
        #expect(table.dataVersion == file.dataVersion)
        #expect(Set(table.wrapper.topicConfigTable) == Set(file.topicConfigTable))
        #expect(table.delete("StoreFixtureTopic", now: 5)?.topicName == "StoreFixtureTopic")
        #expect(table["StoreFixtureTopic"] == nil)
    }
}
