import Broker
import FixtureSupport
import RemotingCodec
import RocketMQModel
import Testing

@Suite struct GroupAndOffsetTableTests {
    @Test func builtInGroupsAreJavas() throws {
        let file = try SubscriptionGroupWrapper(body: try Fixtures.buffer("store-4.9.8", "clean-shutdown", "config", "subscriptionGroup.json"))
        let table = SubscriptionGroupTable(now: 1)
        let builtIn = Set(table.groupNames)
        #expect(builtIn == ["TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP", "CID_ONS-HTTP-PROXY",
                            "CID_ONSAPI_PULL", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER"])
        for config in file.subscriptionGroupTable where builtIn.contains(config.groupName) {
            #expect(table[config.groupName] == config)
        }
    }

    @Test func unknownGroupsAreCreatedOnlyWhenAllowed() {
        var table = SubscriptionGroupTable(now: 1)
        #expect(table.find("G", autoCreate: false, now: 2).config == nil)
        #expect(table.find("CID_RMQ_SYS_X", autoCreate: false, now: 2).created)
        let (config, created) = table.find("G", autoCreate: true, now: 3)
        #expect(created)
        #expect(config == SubscriptionGroupConfig(groupName: "G"))
        #expect(table.dataVersion.counter == 2)
        #expect(table.find("G", autoCreate: true, now: 4).created == false)
    }

    @Test func javaFilesLoadAndWriteBack() throws {
        let offsets = try ConsumerOffsetSerializeWrapper(body: try Fixtures.buffer("store-4.9.8", "clean-shutdown", "config", "consumerOffset.json"))
        var table = ConsumerOffsetTable()
        table.load(offsets)
        #expect(table.offset(group: "StoreFixtureGroup", topic: "StoreFixtureTopic", queueId: 2) == 75)
        #expect(table.offset(group: "StoreFixtureGroup", topic: "StoreFixtureTopic", queueId: 9) == -1)
        #expect(table.wrapper == offsets)
        #expect(table.topics(of: "StoreFixtureGroup") == ["StoreFixtureTopic"])
        #expect(table.groups(of: "StoreFixtureTopic") == ["StoreFixtureGroup"])
        table.commit(group: "G", topic: "T@X", queueId: 0, offset: 5)
        #expect(table.offset(group: "G", topic: "T@X", queueId: 0) == 5)
        #expect(table.topics(of: "G") == ["T@X"])
        table.remove(group: "G")
        #expect(table.offset(group: "G", topic: "T@X", queueId: 0) == -1)
        #expect(table.wrapper == offsets)

        let groups = try SubscriptionGroupWrapper(body: try Fixtures.buffer("store-4.9.8", "clean-shutdown", "config", "subscriptionGroup.json"))
        var groupTable = SubscriptionGroupTable(now: 1)
        groupTable.load(groups)
        #expect(Set(groupTable.groupNames) == Set(groups.subscriptionGroupTable.map(\.groupName)))
        #expect(groupTable.dataVersion == groups.dataVersion)
    }
}
