import HAReplication
import Logging
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle

/// A broker (Java `BrokerController`): the store, the shared tables and their files under
/// `<storePathRootDir>/config/`, the processors on the client port and the VIP port (listenPort − 2,
/// no pulls), replication (a master serves slaves on haListenPort = listenPort + 1; a slave follows its master
/// and copies its metadata every 10 s), registration with every name server, and the housekeeping timers. A
/// `Service`: on
/// graceful shutdown it stops accepting, unregisters, persists the offsets and closes the store.
public final class BrokerController: Service, Sendable {
    public let brokerConfig: BrokerConfig
    public let storeConfig: MessageStoreConfig
    public let store: LocalFileMessageStore
    public let metadata: BrokerMetadata
    /// GET_BROKER_RUNTIME_INFO's figures, which the metrics read too.
    public let stats: BrokerStats
    /// RocketMQ 5 metrics; `collectMetrics()` before a scrape.
    public let metrics: BrokerMetrics
    public let schedule: ScheduleMessageService
    public let timer: TimerMessageService
    public let transactions: TransactionalMessageService
    public let server: RemotingServer
    /// Java's `fastRemotingServer`; nil when listenPort − 2 is not a port.
    public let vipServer: RemotingServer?
    let holds: PullRequestHoldService
    /// A master's HA port; nil on a slave.
    public let haService: HAService?
    /// A slave's HA connection to its master; nil on a master.
    public let haClient: HAClient?
    let slaveSynchronize: SlaveSynchronize?
    /// The HA port once bound (listenPort + 1 unless that is not a port, then an ephemeral one).
    private let haPort: NIOLockedValueBox<Int?>
    private let outerAPI: BrokerOuterAPI
    private let files: BrokerConfigFiles
    private let registrationRequests: AsyncStream<Void>
    private let requestRegistration: AsyncStream<Void>.Continuation
    private let started: EventLoopPromise<SocketAddress>
    /// Holds `self` for the metadata's registration hook; emptied at stop to break the cycle.
    private let controllerBox: NIOLockedValueBox<BrokerController?>
    private let logger: Logger

    /// `configFilePath`: where UPDATE_BROKER_CONFIG writes every setting (Java's broker config path, the `-c`
    /// file); by default `<storePathRootDir>/config/broker.properties`.
    public init(
        startup: BrokerStartup, configFilePath: String? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) throws {
        brokerConfig = startup.brokerConfig
        storeConfig = startup.storeConfig
        self.logger = logger
        for key in startup.unknownKeys { logger.warning("unknown config key ignored", metadata: ["key": "\(key)"]) }
        if !startup.brokerConfig.checkTransactionMessageEnable {
            logger.notice("checkTransactionMessageEnable=false: no transaction check-backs (Java 4.9.8 ignores this key and checks anyway)")
        }
        for key in startup.legacyKeys {
            logger.notice("honouring the 3.x key as an alias of its mapped… spelling (Java 4.9.8 ignores it)", metadata: ["key": "\(key)"])
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        registrationRequests = stream
        requestRegistration = continuation
        started = group.next().makePromise()

        let files = BrokerConfigFiles(storePathRootDir: startup.storeConfig.storePathRootDir, logger: logger)
        self.files = files
        // Registration needs the controller, which needs the metadata: the hook reaches it through a box.
        let controller = NIOLockedValueBox<BrokerController?>(nil)
        let registerTopics: @Sendable () async -> Void = {
            guard let broker = controller.withLockedValue({ $0 }) else { return }
            // Retried in the background if a name server did not answer.
            if await !broker.registerBrokerAll() { broker.requestRegistration.yield() }
        }
        metadata = BrokerMetadata(config: startup.brokerConfig, hooks: .init(
            topicsChanged: { wrapper in files.topics.save(wrapper) },
            groupsChanged: { wrapper in files.groups.save(wrapper) },
            registerTopics: startup.brokerConfig.nameServerAddresses.isEmpty ? nil : registerTopics))
        files.load(into: metadata)

        let holds = PullRequestHoldService(timerLoop: group.next())
        self.holds = holds
        let stats = BrokerStats(clock: metadata.clock)
        self.stats = stats
        let metrics = BrokerMetrics()
        self.metrics = metrics
        store = try LocalFileMessageStore(config: startup.storeConfig, logger: logger) { arrival in
            stats.messagePut(topic: arrival.topic, size: arrival.msgSize)
            holds.messageArrived(topic: arrival.topic, queueId: arrival.queueId, maxOffset: arrival.logicOffset)
        }
        stats.storeOpened(maxPhysicalOffset: store.maxPhysicalOffset)
        schedule = ScheduleMessageService(
            store: store, delayLevels: startup.storeConfig.delayLevelTable, offsets: files.delayOffsets.load(), logger: logger)
        timer = TimerMessageService(store: store, progress: files.timerProgress.load(), logger: logger)

        transactions = TransactionalMessageService(store: store, metadata: metadata, storeConfig: startup.storeConfig, logger: logger)

        var vipProcessors = RequestProcessorTable()
        vipProcessors.rpcMetrics = metrics.rpc
        vipProcessors.register(SendMessageProcessor(metadata: metadata, store: store, logger: logger), for: SendMessageProcessor.codes)
        vipProcessors.register(ConsumerManageProcessor(metadata: metadata, store: store), for: ConsumerManageProcessor.codes)
        vipProcessors.register(ClientManageProcessor(metadata: metadata, logger: logger), for: ClientManageProcessor.codes)
        vipProcessors.register(QueryMessageProcessor(store: store), for: QueryMessageProcessor.codes)
        let configuration = BrokerConfiguration(
            metadata: metadata, storeConfig: startup.storeConfig,
            path: configFilePath ?? startup.storeConfig.storePathRootDir + "/config/broker.properties", logger: logger)
        vipProcessors.register(
            AdminBrokerProcessor(metadata: metadata, store: store, schedule: schedule, configuration: configuration, stats: stats, logger: logger),
            for: AdminBrokerProcessor.codes)
        vipProcessors.register(
            EndTransactionProcessor(transactions: transactions, store: store, storeConfig: startup.storeConfig, logger: logger),
            for: EndTransactionProcessor.codes)
        var processors = vipProcessors
        processors.register(PullMessageProcessor(metadata: metadata, store: store, holds: holds, stats: stats), for: PullMessageProcessor.codes)

        let idleTimeout = TimeAmount.seconds(Int64(brokerConfig.serverChannelMaxIdleTimeSeconds))
        server = RemotingServer(
            configuration: .init(port: brokerConfig.listenPort, idleTimeout: idleTimeout), processors: processors, group: group, logger: logger)
        let vipPort = brokerConfig.listenPort - 2
        vipServer = vipPort > 0
            ? RemotingServer(configuration: .init(port: vipPort, idleTimeout: idleTimeout), processors: vipProcessors, group: group, logger: logger)
            : nil
        // Role and master address are data, so that a later failover can change them.
        if startup.storeConfig.brokerRole == .slave {
            haService = nil
            haClient = HAClient(store: store, masterAddress: startup.storeConfig.haMasterAddress, group: group, logger: logger)
            slaveSynchronize = SlaveSynchronize(metadata: metadata, schedule: schedule, files: files, logger: logger)
        } else {
            haService = HAService(store: store, group: group, logger: logger)
            haClient = nil
            slaveSynchronize = nil
        }
        haPort = NIOLockedValueBox(nil)
        outerAPI = BrokerOuterAPI(
            nameServerAddresses: brokerConfig.nameServerAddresses, timeoutMillis: brokerConfig.registerBrokerTimeoutMills, logger: logger)
        controllerBox = controller
        controller.withLockedValue { $0 = self }
    }

    /// Brings the metrics up to date (before each `/metrics` scrape).
    public func collectMetrics() {
        metrics.collect(stats: stats, store: store, metadata: metadata, masterCommitLogMaxOffset: slaveSynchronize?.masterCommitLogMaxOffset)
    }

    /// `brokerIP2:haListenPort` (listenPort + 1, as Java overrides haListenPort).
    public var haServerAddr: String { "\(brokerConfig.brokerIP2):\(haPort.withLockedValue { $0 } ?? brokerConfig.listenPort + 1)" }

    /// The client port's address once the broker accepts requests (the store is started, the ports bound).
    public func ready() async throws -> SocketAddress {
        try await started.futureResult.get()
    }

    public func run() async throws {
        let address: SocketAddress
        do {
            try store.start()
            address = try await server.bind()
            try await vipServer?.bind()
            if let haService {
                // Port 0 (tests) binds an ephemeral HA port too.
                let port = brokerConfig.listenPort > 0 ? brokerConfig.listenPort + 1 : 0
                let bound = try await haService.bind(port: port)
                haPort.withLockedValue { $0 = bound.port }
            }
            // Java registers before printing its boot line, so that a client started on that line finds routes.
            let registered = await registerBrokerAll()
            started.succeed(address)
            if !registered { requestRegistration.yield() }
        } catch {
            started.fail(error)
            await stop()
            throw error
        }
        logger.info("broker started", metadata: [
            "brokerName": "\(brokerConfig.brokerName)", "brokerId": "\(brokerConfig.brokerId)", "address": "\(address)",
            "namesrvAddr": "\(brokerConfig.namesrvAddr)", "storePathRootDir": "\(storeConfig.storePathRootDir)"])
        // Then every registerNameServerPeriod, clamped to 10…60 s as Java does.
        let period = Int64(max(10_000, min(brokerConfig.registerNameServerPeriod, 60_000)))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in self.registrationRequests {
                    // A name server that did not answer (not up yet, restarting) is retried after
                    // 1, 2, 4… s rather than only at the next period.
                    var retryDelay: Int64 = 1000
                    while await !self.registerBrokerAll(), retryDelay < period, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(retryDelay))
                        retryDelay *= 2
                    }
                }
            }
            group.addTask { await Self.every(.milliseconds(period)) { self.requestRegistration.yield() } }
            group.addTask {
                await Self.every(.milliseconds(Int64(max(1000, self.brokerConfig.flushConsumerOffsetInterval)))) {
                    self.files.offsets.save(self.metadata.withState { $0.offsets.wrapper })
                }
            }
            // Delayed messages are delivered by the master only; a slave keeps the offsets it copies.
            if storeConfig.brokerRole != .slave {
                group.addTask { await self.schedule.run() }
                group.addTask { await self.timer.run() }
                group.addTask {
                    await Self.every(.milliseconds(Int64(max(1000, self.storeConfig.flushDelayOffsetInterval)))) {
                        self.files.delayOffsets.save(self.schedule.offsetTable)
                        self.files.timerProgress.save(self.timer.progress)
                    }
                }
            }
            if let haClient, let slaveSynchronize {
                group.addTask { await haClient.run() }
                // Java: first after 3 s, then every 10 s (capture 11).
                group.addTask {
                    do { try await Task.sleep(for: .seconds(3)) } catch { return }
                    await slaveSynchronize.syncAll()
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .seconds(10)) } catch { return }
                        await slaveSynchronize.syncAll()
                    }
                }
            }
            // Transaction check-backs: Java 4.9.8 ignores checkTransactionMessageEnable; we honour it.
            if storeConfig.brokerRole != .slave && brokerConfig.checkTransactionMessageEnable {
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .milliseconds(max(1000, self.brokerConfig.transactionCheckInterval))) } catch { return }
                        await self.transactions.check(
                            transactionTimeout: self.brokerConfig.transactionTimeOut, transactionCheckMax: self.brokerConfig.transactionCheckMax)
                    }
                }
            }
            // Java's ClientHousekeepingService: clients silent for 120 s are dropped every 10 s.
            group.addTask { await Self.every(.seconds(10)) { self.closeExpiredClients() } }
            try? await gracefulShutdown()
            requestRegistration.finish()
            group.cancelAll()
        }
        await stop()
    }

    /// Java's shutdown order: stop serving, unregister, persist, close the store.
    private func stop() async {
        try? await server.shutdown()
        try? await vipServer?.shutdown()
        await haService?.shutdown()
        slaveSynchronize?.close()
        if !brokerConfig.nameServerAddresses.isEmpty {
            await outerAPI.unregisterBrokerAll(header: UnregisterBrokerRequestHeader(
                brokerName: brokerConfig.brokerName, brokerAddr: brokerConfig.brokerAddr, clusterName: brokerConfig.brokerClusterName,
                brokerId: brokerConfig.brokerId))
        }
        files.persistAll(from: metadata, schedule: schedule, timer: timer)
        controllerBox.withLockedValue { $0 = nil }
        store.shutdown()
        logger.info("broker stopped", metadata: ["brokerName": "\(brokerConfig.brokerName)"])
    }

    /// Java `registerBrokerAll`: the topic table (with permissions narrowed to the broker's) to every name
    /// server. True when every one accepted.
    @discardableResult
    func registerBrokerAll() async -> Bool {
        let nameServers = brokerConfig.nameServerAddresses
        guard !nameServers.isEmpty else { return true }
        var wrapper = metadata.withState { $0.topics.wrapper }
        let permission = Int32(metadata.config.brokerPermission)
        if !PermName.isWriteable(permission) || !PermName.isReadable(permission) {
            for index in wrapper.topicConfigTable.indices { wrapper.topicConfigTable[index].perm &= permission }
        }
        let header = RegisterBrokerRequestHeader(
            brokerName: brokerConfig.brokerName, brokerAddr: brokerConfig.brokerAddr, clusterName: brokerConfig.brokerClusterName,
            haServerAddr: haServerAddr, brokerId: brokerConfig.brokerId)
        let answers = await outerAPI.registerBrokerAll(
            header: header, body: RegisterBrokerBody(topicConfigSerializeWrapper: wrapper), compressed: brokerConfig.compressedRegister)
        if let haClient, let slaveSynchronize, let answer = answers.first(where: { $0.masterAddr != nil }) ?? answers.first {
            // A slave learns its master from the name servers (unless haMasterAddress pins it), as Java does.
            if storeConfig.haMasterAddress == nil, let address = answer.haServerAddr, !address.isEmpty {
                haClient.updateMasterAddress(address)
            }
            slaveSynchronize.masterAddr = answer.masterAddr.flatMap { $0.isEmpty ? nil : $0 }
        }
        return answers.count == nameServers.count
    }

    private func closeExpiredClients() {
        let now = metadata.clock()
        for connection in metadata.withState({ $0.clients.expiredConnections(now: now) }) {
            logger.info("closing a client silent for 120 s", metadata: ["connection": "\(connection)"])
            connection.close()
        }
    }

    /// Runs `body` every `interval` until the task is cancelled.
    private static func every(_ interval: TimeAmount, _ body: () -> Void) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .nanoseconds(interval.nanoseconds)) } catch { return }
            body()
        }
    }
}
