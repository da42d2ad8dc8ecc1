import RemotingCodec
import RocketMQModel

/// The broker's consumer groups (Java `SubscriptionGroupManager`) as a value: built-in groups,
/// `subscriptionGroup.json`, auto-creation when a heartbeat, pull or send-back names a new group.
public struct SubscriptionGroupTable: Sendable, Equatable {
    private var groups: VersionedTable<SubscriptionGroupConfig>

    public var dataVersion: DataVersion { groups.dataVersion }

    public init(now: Int64) {
        groups = VersionedTable(dataVersion: DataVersion(timestamp: now, counter: 0))
        for name in [MixAll.toolsConsumerGroup, MixAll.filterServerConsumerGroup, MixAll.selfTestConsumerGroup,
                     MixAll.onsHttpProxyGroup, MixAll.cidOnsapiPullGroup, MixAll.cidOnsapiPermissionGroup,
                     MixAll.cidOnsapiOwnerGroup] {
            groups.put(SubscriptionGroupConfig(groupName: name))
        }
    }

    public subscript(group: String) -> SubscriptionGroupConfig? { groups[group] }
    public var groupNames: [String] { groups.names }

    /// Java `findSubscriptionGroupConfig`: an unknown group is created with defaults when
    /// auto-creation is on or it is a system group (`CID_RMQ_SYS_…`). Returns nil otherwise.
    public mutating func find(_ group: String, autoCreate: Bool, now: Int64) -> (config: SubscriptionGroupConfig?, created: Bool) {
        if let existing = groups[group] { return (existing, false) }
        guard autoCreate || MixAll.isSysConsumerGroup(group) else { return (nil, false) }
        let config = SubscriptionGroupConfig(groupName: group)
        groups.upsert(config, now: now)
        return (config, true)
    }

    /// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP.
    public mutating func update(_ config: SubscriptionGroupConfig, now: Int64) {
        groups.upsert(config, now: now)
    }

    /// DELETE_SUBSCRIPTIONGROUP.
    @discardableResult
    public mutating func delete(_ group: String, now: Int64) -> SubscriptionGroupConfig? {
        groups.remove(group, now: now)
    }

    public mutating func load(_ wrapper: SubscriptionGroupWrapper) {
        groups.load(wrapper.subscriptionGroupTable, dataVersion: wrapper.dataVersion)
    }

    /// Java `SlaveSynchronize.syncSubscriptionGroupConfig`: the master's groups replace ours when its data version
    /// differs. Returns whether they did.
    public mutating func replace(with wrapper: SubscriptionGroupWrapper) -> Bool {
        guard wrapper.dataVersion != dataVersion else { return false }
        groups.replaceAll(wrapper.subscriptionGroupTable, dataVersion: wrapper.dataVersion)
        return true
    }

    public var wrapper: SubscriptionGroupWrapper {
        SubscriptionGroupWrapper(subscriptionGroupTable: groups.all, dataVersion: dataVersion)
    }
}
