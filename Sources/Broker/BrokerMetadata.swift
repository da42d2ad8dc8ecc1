import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// The broker's shared tables behind one lock (short, I/O-free critical sections): topics, consumer
/// groups, committed offsets and connected clients. Changes that must reach disk or the name servers
/// are reported through the hooks, which the composition root wires to persistence and registration.
public final class BrokerMetadata: Sendable {
    public struct State: Sendable {
        public var topics: TopicConfigTable
        public var groups: SubscriptionGroupTable
        public var offsets = ConsumerOffsetTable()
        public var clients = ClientRegistry()
        public var locks = RebalanceLockManager()
        public var filters = ConsumerFilterTable()

        /// After members left: SQL92 filters of groups with no member left go too.
        mutating func dropFiltersOfGoneGroups() {
            let groups = clients.consumerGroups
            filters.retainGroups { groups[$0] != nil }
        }
    }

    public struct Hooks: Sendable {
        /// A topic was created or changed: persist `topics.json`, register with the name servers.
        public var topicsChanged: @Sendable (TopicConfigSerializeWrapper) -> Void
        /// A subscription group was created or changed: persist `subscriptionGroup.json`.
        public var groupsChanged: @Sendable (SubscriptionGroupWrapper) -> Void
        /// Registers the current topics with the name servers and returns when they answered (Java's
        /// synchronous `registerBrokerAll` after creating a topic on send); nil without name servers.
        public var registerTopics: (@Sendable () async -> Void)?

        public init(
            topicsChanged: @escaping @Sendable (TopicConfigSerializeWrapper) -> Void = { _ in },
            groupsChanged: @escaping @Sendable (SubscriptionGroupWrapper) -> Void = { _ in },
            registerTopics: (@Sendable () async -> Void)? = nil
        ) {
            self.topicsChanged = topicsChanged
            self.groupsChanged = groupsChanged
            self.registerTopics = registerTopics
        }
    }

    /// The broker's settings as they are now (UPDATE_BROKER_CONFIG changes them at run time).
    public var config: BrokerConfig { configBox.withLockedValue { $0 } }

    /// Reads some settings without copying all of them (a copy retains and releases every string: the
    /// send path read the whole config twice per message).
    public func withConfig<T>(_ body: (borrowing BrokerConfig) -> T) -> T { configBox.withLockedValue { body($0) } }
    public let clock: @Sendable () -> Int64
    private let configBox: NIOLockedValueBox<BrokerConfig>
    private let state: NIOLockedValueBox<State>
    private let hooks: Hooks

    public init(config: BrokerConfig, clock: @escaping @Sendable () -> Int64 = SystemClock.currentTimeMillis, hooks: Hooks = Hooks()) {
        self.configBox = NIOLockedValueBox(config)
        self.clock = clock
        self.hooks = hooks
        let now = clock()
        self.state = NIOLockedValueBox(State(topics: TopicConfigTable(brokerConfig: config, now: now), groups: SubscriptionGroupTable(now: now)))
    }

    /// Runs `body` under the lock.
    public func withState<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try state.withLockedValue { try body(&$0) }
    }

    /// The topic table's data version: a processor that sees it change has created a topic.
    public var topicsVersion: DataVersion { state.withLockedValue { $0.topics.dataVersion } }

    /// Registers with the name servers now, so that a topic just created is routable when the request
    /// that created it is answered.
    public func registerTopics() async { await hooks.registerTopics?() }

    /// `result`, answered only after a registration when the topic table changed since `version`.
    public func answeringAfterRegistration(since version: DataVersion, on loop: any EventLoop, _ result: ProcessorResult) -> ProcessorResult {
        guard hooks.registerTopics != nil, topicsVersion != version else { return result }
        let promise = loop.makePromise(of: RemotingCommand?.self)
        promise.completeWithTask {
            await self.registerTopics()
            switch result {
            case .response(let response): return response
            case .future(let future): return try await future.get()
            case .none: return nil
            }
        }
        return .future(promise.futureResult)
    }

    /// Java `findSubscriptionGroupConfig`, reporting a creation.
    public func findSubscriptionGroup(_ group: String) -> SubscriptionGroupConfig? {
        let now = clock()
        let autoCreate = config.autoCreateSubscriptionGroup
        let (config, wrapper): (SubscriptionGroupConfig?, SubscriptionGroupWrapper?) = state.withLockedValue { state in
            let (config, created) = state.groups.find(group, autoCreate: autoCreate, now: now)
            return (config, created ? state.groups.wrapper : nil)
        }
        if let wrapper { hooks.groupsChanged(wrapper) }
        return config
    }

    /// Java `createTopicInSendMessageMethod` (auto-creation from `defaultTopic`), reporting a creation.
    public func createTopicForSend(
        _ topic: String, defaultTopic: String, clientDefaultTopicQueueNums: Int32, topicSysFlag: Int32
    ) -> TopicConfig? {
        let now = clock()
        let autoCreate = config.autoCreateTopicEnable
        let (created, wrapper): (TopicConfig?, TopicConfigSerializeWrapper?) = state.withLockedValue { state in
            let (config, created) = state.topics.createForSend(
                topic: topic, defaultTopic: defaultTopic, clientDefaultTopicQueueNums: clientDefaultTopicQueueNums,
                topicSysFlag: topicSysFlag, autoCreateTopicEnable: autoCreate, now: now)
            return (config, created ? state.topics.wrapper : nil)
        }
        if let wrapper { hooks.topicsChanged(wrapper) }
        return created
    }

    /// Java `createTopicInSendMessageBackMethod`, reporting a creation.
    @discardableResult
    public func createTopicIfAbsent(_ topic: String, queueNums: Int32, perm: Int32, topicSysFlag: Int32 = 0) -> TopicConfig {
        let now = clock()
        let (config, wrapper): (TopicConfig, TopicConfigSerializeWrapper?) = state.withLockedValue { state in
            let (config, created) = state.topics.createIfAbsent(topic: topic, queueNums: queueNums, perm: perm, topicSysFlag: topicSysFlag, now: now)
            return (config, created ? state.topics.wrapper : nil)
        }
        if let wrapper { hooks.topicsChanged(wrapper) }
        return config
    }

    // MARK: Admin changes (AdminBrokerProcessor)

    /// Applies an UPDATE_BROKER_CONFIG to the running settings.
    public func updateConfig(_ body: (inout BrokerConfig) -> Void) {
        configBox.withLockedValue { body(&$0) }
    }

    /// Java `TopicConfigManager.updateTopicConfig`: creates or replaces the topic, persisted.
    public func updateTopic(_ topic: TopicConfig) {
        let now = clock()
        let wrapper = state.withLockedValue { state in
            state.topics.update(topic, now: now)
            return state.topics.wrapper
        }
        hooks.topicsChanged(wrapper)
    }

    /// Java `deleteTopicConfig`: removes the topic (persisted); false when there was none.
    @discardableResult
    public func deleteTopic(_ topic: String) -> Bool {
        let now = clock()
        let wrapper: TopicConfigSerializeWrapper? = state.withLockedValue { state in
            state.topics.delete(topic, now: now) == nil ? nil : state.topics.wrapper
        }
        guard let wrapper else { return false }
        hooks.topicsChanged(wrapper)
        return true
    }

    /// A new topic data version with the same topics (Java's `nextVersion()` when brokerPermission changes), so
    /// that the name servers take the next registration as a change.
    public func nextTopicsVersion() {
        let now = clock()
        let wrapper = state.withLockedValue { state in
            state.topics.nextVersion(now: now)
            return state.topics.wrapper
        }
        hooks.topicsChanged(wrapper)
    }

    /// Java `SubscriptionGroupManager.updateSubscriptionGroupConfig`, persisted.
    public func updateSubscriptionGroup(_ group: SubscriptionGroupConfig) {
        let now = clock()
        let wrapper = state.withLockedValue { state in
            state.groups.update(group, now: now)
            return state.groups.wrapper
        }
        hooks.groupsChanged(wrapper)
    }

    /// Java `deleteSubscriptionGroupConfig`: false when there was no such group.
    @discardableResult
    public func deleteSubscriptionGroup(_ group: String) -> Bool {
        let now = clock()
        let wrapper: SubscriptionGroupWrapper? = state.withLockedValue { state in
            state.groups.delete(group, now: now) == nil ? nil : state.groups.wrapper
        }
        guard let wrapper else { return false }
        hooks.groupsChanged(wrapper)
        return true
    }

    /// A slave takes its master's topics when their data version differs (persisted). Returns whether it did.
    @discardableResult
    public func replaceTopics(with wrapper: TopicConfigSerializeWrapper) -> Bool {
        let replaced: TopicConfigSerializeWrapper? = state.withLockedValue { state in
            state.topics.replace(with: wrapper) ? state.topics.wrapper : nil
        }
        guard let replaced else { return false }
        hooks.topicsChanged(replaced)
        return true
    }

    /// A slave takes its master's subscription groups when their data version differs (persisted).
    @discardableResult
    public func replaceSubscriptionGroups(with wrapper: SubscriptionGroupWrapper) -> Bool {
        let replaced: SubscriptionGroupWrapper? = state.withLockedValue { state in
            state.groups.replace(with: wrapper) ? state.groups.wrapper : nil
        }
        guard let replaced else { return false }
        hooks.groupsChanged(replaced)
        return true
    }
}
