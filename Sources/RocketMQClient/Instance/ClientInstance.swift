import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// What a consumer gives the instance it runs on: its heartbeat entry, its rebalance and its offsets.
protocol ConsumerInner: AnyObject, Sendable {
    var group: String { get }
    var consumerData: ConsumerData { get }
    func rebalance() async
    func persistOffsets() async
    func resetOffsets(topic: String, to offsets: [MessageQueue: Int64]) async
}

/// Answers a broker's CHECK_TRANSACTION_STATE for a producer group.
typealias TransactionCheckHandler = @Sendable (ReceivedMessage, CheckTransactionStateRequestHeader) async -> LocalTransactionState

/// One client process's connections, routes and background work (Java `MQClientInstance`): several
/// producers and consumers share it. Route polling and heartbeats run every 30 s; requests the
/// brokers send (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, RESET_CONSUMER_CLIENT_OFFSET)
/// reach the producer or consumer they are for.
public final class ClientInstance: Sendable {
    public let configuration: ClientConfiguration
    let logger: Logger

    private enum ConnectionEntry {
        case connecting(Task<RemotingConnection, any Error>)
        case connected(RemotingConnection)
    }

    private struct State {
        var connections: [String: ConnectionEntry] = [:]
        var routes: [String: TopicRouteData] = [:]
        var publishInfo: [String: TopicPublishInfo] = [:]
        /// brokerName → brokerId → address, from every route seen.
        var brokerAddresses: [String: [Int64: String]] = [:]
        var producerGroups: Set<String> = []
        var checkers: [String: TransactionCheckHandler] = [:]
        var consumers: [String: any ConsumerInner] = [:]
        var nameServerIndex = 0
        var users = 0
        var background: Task<Void, Never>?
        /// Work the instance started on its own (a heartbeat, a rebalance, an offset reset): the last release
        /// waits for it.
        var spawned: [Int: Task<Void, Never>] = [:]
        var nextSpawned = 0
        /// From the last release to the next retain: no new connection, since the caller may shut down the
        /// event loop group next (a connect in flight on a shut-down group crashes NIO).
        var closed = false
        var faults = LatencyFaultTolerance()
    }

    private let state = NIOLockedValueBox(State())

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "rocketmq.client")) {
        self.configuration = configuration
        self.logger = logger
    }

    public var clientID: String { configuration.clientID }

    // MARK: lifecycle (reference-counted by the producers and consumers using the instance)

    func retain() {
        let start = state.withLockedValue { state -> Bool in
            state.users += 1
            state.closed = false
            return state.background == nil
        }
        guard start else { return }
        let task = Task { [weak self] in
            guard let self else { return }
            await self.runBackground()
        }
        state.withLockedValue { $0.background = task }
    }

    /// The last user's release stops the background work and waits for it, for the instance's own tasks and
    /// for connects in flight, then closes every connection: afterwards nothing uses the event loop group.
    func release() async {
        typealias Work = (tasks: [Task<Void, Never>], connecting: [Task<RemotingConnection, any Error>], open: [RemotingConnection])
        let last = state.withLockedValue { state -> Work? in
            state.users -= 1
            guard state.users <= 0 else { return nil }
            state.closed = true
            var work: Work = (Array(state.spawned.values), [], [])
            if let background = state.background { work.tasks.append(background) }
            state.background = nil
            state.spawned = [:]
            for entry in state.connections.values {
                switch entry {
                case .connected(let connection): work.open.append(connection)
                case .connecting(let task): work.connecting.append(task)
                }
            }
            state.connections = [:]
            return work
        }
        guard let last else { return }
        for task in last.tasks { task.cancel() }
        for task in last.tasks { await task.value }
        for task in last.connecting { (try? await task.value)?.close() }
        for connection in last.open { connection.close() }
    }

    /// Runs `body` in a task of the instance's own, which the last release waits for; nothing after it.
    func spawn(_ body: @escaping @Sendable () async -> Void) {
        state.withLockedValue { state in
            guard !state.closed else { return }
            let id = state.nextSpawned
            state.nextSpawned += 1
            // Registered under the lock the task's own removal takes, so it cannot be removed first.
            state.spawned[id] = Task { [weak self] in
                await body()
                _ = self?.state.withLockedValue { $0.spawned.removeValue(forKey: id) }
            }
        }
    }

    private func runBackground() async {
        let clock = ContinuousClock()
        var nextRoutes = clock.now + configuration.pollNameServerInterval
        var nextHeartbeat = clock.now + configuration.heartbeatBrokerInterval
        var nextPersist = clock.now + configuration.persistConsumerOffsetInterval
        var nextRebalance = clock.now + .seconds(20)
        while !Task.isCancelled {
            let wake = min(nextRoutes, nextHeartbeat, nextPersist, nextRebalance)
            do { try await Task.sleep(until: wake, clock: clock) } catch { return }
            let now = clock.now
            if now >= nextRoutes {
                nextRoutes = now + configuration.pollNameServerInterval
                await updateAllRoutes()
            }
            if now >= nextHeartbeat {
                nextHeartbeat = now + configuration.heartbeatBrokerInterval
                await sendHeartbeatToAllBrokers()
            }
            if now >= nextPersist {
                nextPersist = now + configuration.persistConsumerOffsetInterval
                for consumer in consumers { await consumer.persistOffsets() }
            }
            if now >= nextRebalance {
                nextRebalance = now + .seconds(20)
                for consumer in consumers { await consumer.rebalance() }
            }
        }
    }

    private var consumers: [any ConsumerInner] { state.withLockedValue { Array($0.consumers.values) } }

    // MARK: registration

    func registerProducer(group: String, checker: TransactionCheckHandler?) throws {
        try state.withLockedValue { state in
            guard !state.producerGroups.contains(group) else {
                throw MQClientError.messageIllegal("The producer group[\(group)] has been created before, specify another name please.")
            }
            state.producerGroups.insert(group)
            state.checkers[group] = checker
        }
    }

    func unregisterProducer(group: String) async {
        state.withLockedValue { state in
            state.producerGroups.remove(group)
            state.checkers[group] = nil
        }
        await unregisterClient(producerGroup: group, consumerGroup: nil)
    }

    func registerConsumer(_ consumer: any ConsumerInner) throws {
        try state.withLockedValue { state in
            guard state.consumers[consumer.group] == nil else {
                throw MQClientError.messageIllegal("The consumer group[\(consumer.group)] has been created before, specify another name please.")
            }
            state.consumers[consumer.group] = consumer
        }
    }

    func unregisterConsumer(group: String) async {
        _ = state.withLockedValue { $0.consumers.removeValue(forKey: group) }
        await unregisterClient(producerGroup: nil, consumerGroup: group)
    }

    private func unregisterClient(producerGroup: String?, consumerGroup: String?) async {
        let header = UnregisterClientRequestHeader(clientID: clientID, producerGroup: producerGroup, consumerGroup: consumerGroup)
        for address in allBrokerAddresses() {
            _ = try? await invoke(address, request(.unregisterClient, header: header), timeout: .seconds(3))
        }
    }

    // MARK: requests

    func request(_ code: RequestCode, header: (any CommandCustomHeader)? = nil, body: ByteBuffer? = nil) -> RemotingCommand {
        RemotingCommand.request(code: code, extFields: header?.extFields ?? ExtFields(), body: body,
                                serializeType: configuration.serializeType)
    }

    /// The open connection to `address`, connecting once for all concurrent callers.
    func connection(to address: String) async throws -> RemotingConnection {
        enum Next { case ready(RemotingConnection), wait(Task<RemotingConnection, any Error>), closed }
        let next = state.withLockedValue { state -> Next in
            guard !state.closed else { return .closed }
            switch state.connections[address] {
            case .connected(let connection) where connection.isActive: return .ready(connection)
            case .connecting(let task): return .wait(task)
            default:
                let processors = self.processors()
                let logger = self.logger
                let group = self.configuration.eventLoopGroup
                let task = Task {
                    try await RemotingClient.connect(address: address, processors: processors, group: group, logger: logger)
                }
                state.connections[address] = .connecting(task)
                return .wait(task)
            }
        }
        switch next {
        case .closed: throw MQClientError.notRunning
        case .ready(let connection): return connection
        case .wait(let task):
            do {
                let connection = try await task.value
                state.withLockedValue { state in
                    if case .connecting = state.connections[address] { state.connections[address] = .connected(connection) }
                }
                return connection
            } catch {
                state.withLockedValue { state in
                    if case .connecting = state.connections[address] { state.connections[address] = nil }
                }
                throw MQClientError.connectionFailed(address: address, reason: "\(error)")
            }
        }
    }

    /// Sends a request and waits for the answer; transport failures become ``MQClientError``.
    func invoke(_ address: String, _ request: RemotingCommand, timeout: Duration) async throws -> RemotingCommand {
        let connection = try await connection(to: address)
        do {
            return try await connection.send(request, timeout: timeout.timeAmount)
        } catch let error as RemotingError {
            throw MQClientError(error, address: address)
        }
    }

    /// The open connection to `address`, if there is one: the send path's way around an async call.
    func cachedConnection(to address: String) -> RemotingConnection? {
        state.withLockedValue { state in
            guard case .connected(let connection) = state.connections[address], connection.isActive else { return nil }
            return connection
        }
    }

    /// Sends a request whose answer must be SUCCESS (or one of `accept`).
    func invokeExpecting(_ address: String, _ request: RemotingCommand, accept: [ResponseCode] = [],
                         timeout: Duration? = nil) async throws -> RemotingCommand {
        let response = try await invoke(address, request, timeout: timeout ?? configuration.requestTimeout)
        guard response.code == ResponseCode.success.rawValue || accept.contains(response.responseCode) else {
            throw MQBrokerError(code: response.responseCode, remark: response.remark, address: address)
        }
        return response
    }

    func invokeOneway(_ address: String, _ request: RemotingCommand) async throws {
        try await connection(to: address).sendOneway(request)
    }

    /// Asks the name servers in turn, starting with the one that answered last (Java keeps one and
    /// moves on when it fails).
    func invokeNameServer(_ request: RemotingCommand) async throws -> RemotingCommand {
        let servers = configuration.nameServers
        guard !servers.isEmpty else { throw MQClientError.nameServerUnavailable }
        let start = state.withLockedValue { $0.nameServerIndex }
        for step in 0..<servers.count {
            let index = (start + step) % servers.count
            do {
                let response = try await invoke(servers[index], request, timeout: configuration.requestTimeout)
                if step > 0 { state.withLockedValue { $0.nameServerIndex = index } }
                return response
            } catch {
                logger.debug("name server did not answer", metadata: ["address": "\(servers[index])", "error": "\(error)"])
            }
        }
        throw MQClientError.nameServerUnavailable
    }

    // MARK: routes

    /// The route of `topic` from the name servers; nil when it does not exist (TOPIC_NOT_EXIST).
    func fetchRoute(_ topic: String) async throws -> TopicRouteData? {
        let response = try await invokeNameServer(request(.getRouteInfoByTopic, header: GetRouteInfoRequestHeader(topic: topic)))
        switch response.responseCode {
        case .success:
            do { return try TopicRouteData(body: response.body) } catch { throw MQClientError.badResponse("\(error)") }
        case .topicNotExist: return nil
        default: throw MQBrokerError(code: response.responseCode, remark: response.remark, address: "namesrv")
        }
    }

    /// Fetches and caches the route of `topic`; returns whether one exists.
    @discardableResult
    func updateRoute(_ topic: String) async throws -> TopicRouteData? {
        guard let route = try await fetchRoute(topic) else { return nil }
        store(route: route, for: topic)
        return route
    }

    private func store(route: TopicRouteData, for topic: String) {
        let newBrokers = state.withLockedValue { state -> Bool in
            state.routes[topic] = route
            state.publishInfo[topic] = TopicPublishInfo(topic: topic, route: route)
            return Self.learn(route.brokerDatas, into: &state)
        }
        if newBrokers { heartbeatSoon() }
    }

    /// Records broker addresses; true when one was new.
    private static func learn(_ brokers: [BrokerData], into state: inout State) -> Bool {
        var changed = false
        for broker in brokers where state.brokerAddresses[broker.brokerName] != broker.brokerAddrs {
            state.brokerAddresses[broker.brokerName] = broker.brokerAddrs
            changed = true
        }
        return changed
    }

    /// A broker we have not greeted yet must learn our producer and consumer groups before it needs
    /// them (a transaction check, a rebalance): heartbeat now rather than at the next 30 s tick.
    private func heartbeatSoon() {
        spawn { [weak self] in await self?.sendHeartbeatToAllBrokers() }
    }

    /// The producer's view of `topic`, fetched on first use; a topic unknown to the name servers is
    /// routed like the default topic so that the broker creates it (Java's autoCreateTopicEnable path).
    /// The writable queues of `topic` when its route is known.
    func cachedPublishQueues(_ topic: String) -> [MessageQueue]? {
        guard let queues = state.withLockedValue({ $0.publishInfo[topic]?.queues }), !queues.isEmpty else { return nil }
        return queues
    }

    func publishInfo(_ topic: String, defaultTopicQueueNums: Int32) async throws -> TopicPublishInfo {
        if let info = state.withLockedValue({ $0.publishInfo[topic] }), !info.queues.isEmpty { return info }
        if try await updateRoute(topic) == nil,
           let defaultRoute = try await fetchRoute(MixAll.defaultTopic) {
            let route = TopicPublishInfo.fromDefaultTopic(defaultRoute, queueNums: defaultTopicQueueNums)
            let info = TopicPublishInfo(topic: topic, route: route)
            if state.withLockedValue({ Self.learn(route.brokerDatas, into: &$0) }) { heartbeatSoon() }
            guard !info.queues.isEmpty else { throw MQClientError.noRoute(topic: topic) }
            return info
        }
        guard let info = state.withLockedValue({ $0.publishInfo[topic] }), !info.queues.isEmpty else {
            throw MQClientError.noRoute(topic: topic)
        }
        return info
    }

    /// The readable queues of `topic` (fetched when not cached).
    func subscribeQueues(_ topic: String) async throws -> [MessageQueue] {
        if let route = state.withLockedValue({ $0.routes[topic] }) {
            return TopicPublishInfo.subscribeQueues(topic: topic, route: route)
        }
        guard let route = try await updateRoute(topic) else { throw MQClientError.noRoute(topic: topic) }
        return TopicPublishInfo.subscribeQueues(topic: topic, route: route)
    }

    func cachedSubscribeQueues(_ topic: String) -> [MessageQueue]? {
        state.withLockedValue { $0.routes[topic] }.map { TopicPublishInfo.subscribeQueues(topic: topic, route: $0) }
    }

    private func updateAllRoutes() async {
        var topics = Set(state.withLockedValue { Array($0.routes.keys) })
        for consumer in consumers {
            for subscription in consumer.consumerData.subscriptionDataSet { topics.insert(subscription.topic) }
        }
        for topic in topics {
            do { try await updateRoute(topic) } catch {
                logger.debug("route update failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
            }
        }
    }

    /// The master's address of `brokerName`.
    func masterAddress(_ brokerName: String) -> String? {
        state.withLockedValue { $0.brokerAddresses[brokerName]?[MixAll.masterId] }
    }

    /// The address to use for `brokerName`, preferring `brokerId`, else the master, else any (Java
    /// `findBrokerAddressInSubscribe`).
    func brokerAddress(_ brokerName: String, preferring brokerId: Int64 = MixAll.masterId) -> String? {
        findBroker(brokerName, preferring: brokerId)?.address
    }

    /// ``brokerAddress(_:preferring:)`` with the id of the broker found (Java `FindBrokerResult`).
    func findBroker(_ brokerName: String, preferring brokerId: Int64) -> (address: String, brokerId: Int64)? {
        state.withLockedValue { state in
            guard let addresses = state.brokerAddresses[brokerName] else { return nil }
            if let address = addresses[brokerId] { return (address, brokerId) }
            if let address = addresses[MixAll.masterId] { return (address, MixAll.masterId) }
            return addresses.min(by: { $0.key < $1.key }).map { ($0.value, $0.key) }
        }
    }

    func allBrokerAddresses(mastersOnly: Bool = false) -> [String] {
        state.withLockedValue { state in
            var result: [String] = []
            for (_, addresses) in state.brokerAddresses.sorted(by: { $0.key < $1.key }) {
                for (id, address) in addresses.sorted(by: { $0.key < $1.key }) where !mastersOnly || id == MixAll.masterId {
                    result.append(address)
                }
            }
            return result
        }
    }

    // MARK: fault tolerance

    func updateFaultItem(brokerName: String, latencyMillis: Int64, isolation: Bool) {
        let now = SystemClock.currentTimeMillis()
        state.withLockedValue { $0.faults.update(brokerName: brokerName, latencyMillis: latencyMillis, isolation: isolation, now: now) }
    }

    func isBrokerAvailable(_ brokerName: String) -> Bool {
        let now = SystemClock.currentTimeMillis()
        return state.withLockedValue { $0.faults.isAvailable(brokerName, now: now) }
    }

    // MARK: heartbeats

    var heartbeatData: HeartbeatData {
        let (groups, consumers) = state.withLockedValue { ($0.producerGroups.sorted(), Array($0.consumers.values)) }
        return HeartbeatData(clientID: clientID, producerDataSet: groups,
                             consumerDataSet: consumers.map(\.consumerData).sorted { $0.groupName < $1.groupName })
    }

    /// HEART_BEAT to every broker (masters only when there is no consumer, as Java).
    func sendHeartbeatToAllBrokers() async {
        let data = heartbeatData
        guard !data.producerDataSet.isEmpty || !data.consumerDataSet.isEmpty else { return }
        let body = data.encoded()
        for address in allBrokerAddresses(mastersOnly: data.consumerDataSet.isEmpty) {
            do { _ = try await invokeExpecting(address, request(.heartBeat, body: body)) } catch {
                logger.debug("heartbeat failed", metadata: ["broker": "\(address)", "error": "\(error)"])
            }
        }
    }

    // MARK: requests from brokers

    private func processors() -> RequestProcessorTable {
        var table = RequestProcessorTable()
        table.register(ClientRemotingProcessor(instance: self),
                       for: [.notifyConsumerIdsChanged, .checkTransactionState, .resetConsumerClientOffset])
        return table
    }

    fileprivate func consumer(_ group: String) -> (any ConsumerInner)? {
        state.withLockedValue { $0.consumers[group] }
    }

    fileprivate func checker(_ group: String) -> TransactionCheckHandler? {
        state.withLockedValue { $0.checkers[group] }
    }
}

/// Java `ClientRemotingProcessor`, for the requests our client handles.
private struct ClientRemotingProcessor: RequestProcessor {
    weak var instance: ClientInstance?

    init(instance: ClientInstance) { self.instance = instance }

    func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        guard let instance else { return .none }
        switch request.requestCode {
        case .notifyConsumerIdsChanged:
            let header = try request.decodeHeader(NotifyConsumerIdsChangedRequestHeader.self)
            if let consumer = instance.consumer(header.consumerGroup) {
                instance.spawn { await consumer.rebalance() }
            }
            return .none
        case .checkTransactionState:
            let header = try request.decodeHeader(CheckTransactionStateRequestHeader.self)
            var body = request.body ?? ByteBuffer()
            guard let stored = try? StoredMessage.decode(from: &body),
                  let message = try? ReceivedMessage(stored: stored, brokerName: "", maxBodySize: 4 * 1024 * 1024),
                  let group = message.properties[MessageConst.producerGroup],
                  let checker = instance.checker(group) else {
                instance.logger.warning("CHECK_TRANSACTION_STATE for no local producer")
                return .none
            }
            let connection = context.connection
            let serializeType = instance.configuration.serializeType
            Task {
                let state = await checker(message, header)
                let end = EndTransactionRequestHeader(
                    producerGroup: group, tranStateTableOffset: header.tranStateTableOffset,
                    commitLogOffset: header.commitLogOffset, commitOrRollback: state.transactionType.rawValue,
                    fromTransactionCheck: true, msgId: message.msgId,
                    transactionId: header.transactionId ?? message.properties[MessageConst.uniqueClientMessageIdKeyIndex])
                connection.sendOneway(RemotingCommand.request(
                    code: .endTransaction, oneway: true, extFields: end.extFields, serializeType: serializeType))
            }
            return .none
        case .resetConsumerClientOffset:
            let header = try request.decodeHeader(ResetOffsetRequestHeader.self)
            let body = try ResetOffsetBody(body: request.body)
            if let consumer = instance.consumer(header.group) {
                let offsets = Dictionary(body.offsetTable.map { ($0.queue, $0.offset) }, uniquingKeysWith: { $1 })
                instance.spawn { await consumer.resetOffsets(topic: header.topic, to: offsets) }
            }
            return .response(request.makeResponse(code: .success))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }
}

extension LocalTransactionState {
    var transactionType: MessageSysFlag.TransactionType {
        switch self {
        case .commitMessage: .commit
        case .rollbackMessage: .rollback
        case .unknown: .notType
        }
    }
}
