import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// Every request code the name server answers (Java `DefaultRequestProcessor`), over one
/// `RouteTable` and one `KVConfigTable` held under a lock. Persistence is handed to closures so that
/// no file I/O happens on an event loop.
public final class NameServerProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [
        .putKVConfig, .getKVConfig, .deleteKVConfig, .queryDataVersion, .registerBroker, .unregisterBroker,
        .getRouteInfoByTopic, .getBrokerClusterInfo, .wipeWritePermOfBroker, .addWritePermOfBroker,
        .getAllTopicListFromNameServer, .deleteTopicInNamesrv, .getKVListByNamespace, .getTopicsByCluster,
        .getSystemTopicListFromNS, .getUnitTopicList, .getHasUnitSubTopicList, .getHasUnitSubUnunitTopicList,
        .updateNamesrvConfig, .getNamesrvConfig,
    ]

    public struct State: Sendable {
        public var routes = RouteTable()
        public var kvConfig = KVConfigTable()
        public var config: NamesrvConfig
        /// Keys from the config file and UPDATE_NAMESRV_CONFIG that NamesrvConfig does not model.
        public var otherProperties = JavaProperties()
        /// Connections that brokers registered on, to close when the broker expires.
        var brokerConnections: [UInt64: RemotingConnection] = [:]
    }

    private let state: NIOLockedValueBox<State>
    private let clock: @Sendable () -> Int64
    private let persistKVConfig: @Sendable (KVConfigTable) -> Void
    private let persistConfig: @Sendable (JavaProperties) -> Void
    private let logger: Logger

    public init(
        config: NamesrvConfig, kvConfig: KVConfigTable = KVConfigTable(), otherProperties: JavaProperties = JavaProperties(),
        clock: @escaping @Sendable () -> Int64 = SystemClock.currentTimeMillis,
        persistKVConfig: @escaping @Sendable (KVConfigTable) -> Void = { _ in },
        persistConfig: @escaping @Sendable (JavaProperties) -> Void = { _ in },
        logger: Logger = Logger(label: "rocketmq.namesrv")
    ) {
        self.state = NIOLockedValueBox(State(kvConfig: kvConfig, config: config, otherProperties: otherProperties))
        self.clock = clock
        self.persistKVConfig = persistKVConfig
        self.persistConfig = persistConfig
        self.logger = logger
    }

    /// A copy of the tables, for tests and diagnostics.
    public var snapshot: State { state.withLockedValue { $0 } }

    public func connectionClosed(_ connection: RemotingConnection) {
        state.withLockedValue { state in
            guard state.brokerConnections.removeValue(forKey: connection.id) != nil else { return }
            state.routes.connectionClosed(connection.id)
        }
    }

    /// Drops brokers silent for 120 s and closes their connections (Java's 10-second scan).
    public func scanNotActiveBrokers() {
        let now = clock()
        let expired: [RemotingConnection] = state.withLockedValue { state in
            state.routes.scanNotActiveBrokers(now: now).compactMap { state.brokerConnections.removeValue(forKey: $0) }
        }
        for connection in expired {
            logger.warning("broker expired: no registration for 120 s", metadata: ["remote": "\(connection.remoteAddressText)"])
            connection.close()
        }
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .putKVConfig: return .response(try putKVConfig(request))
        case .getKVConfig: return .response(try getKVConfig(request))
        case .deleteKVConfig: return .response(try deleteKVConfig(request))
        case .queryDataVersion: return .response(try queryDataVersion(request))
        case .registerBroker: return .response(try registerBroker(request, context: context))
        case .unregisterBroker: return .response(try unregisterBroker(request))
        case .getRouteInfoByTopic: return .response(try getRouteInfoByTopic(request))
        case .getBrokerClusterInfo:
            let info = state.withLockedValue { $0.routes.clusterInfo }
            return .response(request.makeResponse(code: .success, body: info.encoded()))
        case .wipeWritePermOfBroker:
            let header = try request.decodeHeader(WipeWritePermOfBrokerRequestHeader.self)
            let count = state.withLockedValue { $0.routes.wipeWritePerm(brokerName: header.brokerName) }
            logger.info("wiped write perm of broker", metadata: ["brokerName": "\(header.brokerName)", "topics": "\(count)"])
            return .response(request.makeResponse(
                code: .success, extFields: WipeWritePermOfBrokerResponseHeader(wipeTopicCount: Int32(count)).extFields))
        case .addWritePermOfBroker:
            let header = try request.decodeHeader(AddWritePermOfBrokerRequestHeader.self)
            let count = state.withLockedValue { $0.routes.addWritePerm(brokerName: header.brokerName) }
            logger.info("added write perm of broker", metadata: ["brokerName": "\(header.brokerName)", "topics": "\(count)"])
            return .response(request.makeResponse(
                code: .success, extFields: AddWritePermOfBrokerResponseHeader(addTopicCount: Int32(count)).extFields))
        case .getAllTopicListFromNameServer:
            let topics = state.withLockedValue { $0.routes.allTopics }
            return .response(request.makeResponse(code: .success, body: TopicList(topicList: topics).encoded()))
        case .deleteTopicInNamesrv:
            let header = try request.decodeHeader(DeleteTopicFromNamesrvRequestHeader.self)
            state.withLockedValue { $0.routes.deleteTopic(header.topic, clusterName: header.clusterName) }
            return .response(request.makeResponse(code: .success))
        case .getKVListByNamespace:
            let header = try request.decodeHeader(GetKVListByNamespaceRequestHeader.self)
            guard let table = state.withLockedValue({ $0.kvConfig.table(namespace: header.namespace) }) else {
                return .response(request.makeResponse(code: .queryNotFound, remark: "No config item, Namespace: \(header.namespace)"))
            }
            return .response(request.makeResponse(code: .success, body: table.encoded()))
        case .getTopicsByCluster:
            let header = try request.decodeHeader(GetTopicsByClusterRequestHeader.self)
            let topics = state.withLockedValue { $0.routes.topics(inCluster: header.cluster) }
            return .response(request.makeResponse(code: .success, body: TopicList(topicList: topics).encoded()))
        case .getSystemTopicListFromNS:
            let list = state.withLockedValue { $0.routes.systemTopicList }
            return .response(request.makeResponse(code: .success, body: list.encoded()))
        case .getUnitTopicList:
            return .response(unitTopics(request) { TopicSysFlag.hasUnitFlag($0) })
        case .getHasUnitSubTopicList:
            return .response(unitTopics(request) { TopicSysFlag.hasUnitSubFlag($0) })
        case .getHasUnitSubUnunitTopicList:
            return .response(unitTopics(request) { !TopicSysFlag.hasUnitFlag($0) && TopicSysFlag.hasUnitSubFlag($0) })
        case .updateNamesrvConfig: return .response(updateConfig(request))
        case .getNamesrvConfig:
            let text = state.withLockedValue { state in
                var all = state.config.properties
                for (key, value) in state.otherProperties.entries { all[key] = value }
                return all.text
            }
            return .response(request.makeResponse(code: .success, body: ByteBuffer(string: text)))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }

    // MARK: Brokers

    private func registerBroker(_ request: RemotingCommand, context: RequestContext) throws -> RemotingCommand {
        let header = try request.decodeHeader(RegisterBrokerRequestHeader.self)
        if header.bodyCrc32 != 0 {
            let crc = request.body.map { CRC32.masked($0) } ?? 0
            guard crc == header.bodyCrc32 else {
                logger.warning("REGISTER_BROKER body crc32 does not match", metadata: ["remote": "\(context.connection.remoteAddressText)"])
                return request.makeResponse(code: .systemError, remark: "crc32 not match")
            }
        }
        let body: RegisterBrokerBody
        if request.version >= MQVersion.v3_0_11 {
            body = try RegisterBrokerBody(body: request.body, compressed: header.compressed)
        } else {
            // Brokers older than 3.0.11 send the bare topic wrapper.
            let wrapper = request.body == nil
                ? TopicConfigSerializeWrapper(topicConfigTable: [], dataVersion: DataVersion(timestamp: 0, counter: 0))
                : try TopicConfigSerializeWrapper(body: request.body)
            body = RegisterBrokerBody(topicConfigSerializeWrapper: wrapper, filterServerList: [])
        }
        let now = clock()
        let (result, orderTopics) = state.withLockedValue { state in
            state.brokerConnections[context.connection.id] = context.connection
            let result = state.routes.registerBroker(
                clusterName: header.clusterName, brokerAddr: header.brokerAddr, brokerName: header.brokerName,
                brokerId: header.brokerId, haServerAddr: header.haServerAddr,
                topicConfigWrapper: body.topicConfigSerializeWrapper,
                filterServerList: request.version >= MQVersion.v3_0_11 ? body.filterServerList : nil,
                connectionID: context.connection.id, now: now)
            return (result, state.kvConfig.table(namespace: KVConfigTable.orderTopicConfigNamespace))
        }
        let responseHeader = RegisterBrokerResponseHeader(haServerAddr: result.haServerAddr, masterAddr: result.masterAddr)
        return request.makeResponse(code: .success, extFields: responseHeader.extFields, body: orderTopics?.encoded())
    }

    private func unregisterBroker(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(UnregisterBrokerRequestHeader.self)
        state.withLockedValue { state in
            state.routes.unregisterBroker(
                clusterName: header.clusterName, brokerAddr: header.brokerAddr, brokerName: header.brokerName,
                brokerId: header.brokerId)
        }
        logger.info("broker unregistered", metadata: ["brokerAddr": "\(header.brokerAddr)", "brokerName": "\(header.brokerName)"])
        return request.makeResponse(code: .success)
    }

    private func queryDataVersion(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(QueryDataVersionRequestHeader.self)
        let dataVersion = try DataVersion(body: request.body)
        let now = clock()
        let (changed, stored) = state.withLockedValue { state in
            let changed = state.routes.isBrokerTopicConfigChanged(brokerAddr: header.brokerAddr, dataVersion: dataVersion)
            if !changed { state.routes.touch(brokerAddr: header.brokerAddr, now: now) }
            return (changed, state.routes.dataVersion(of: header.brokerAddr))
        }
        return request.makeResponse(
            code: .success, extFields: QueryDataVersionResponseHeader(changed: changed).extFields, body: stored?.encoded())
    }

    // MARK: Routes

    private func getRouteInfoByTopic(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetRouteInfoRequestHeader.self)
        let route: TopicRouteData? = state.withLockedValue { state in
            guard var route = state.routes.topicRouteData(topic: header.topic) else { return nil }
            if state.config.orderMessageEnable {
                route.orderTopicConf = state.kvConfig.value(namespace: KVConfigTable.orderTopicConfigNamespace, key: header.topic)
            }
            return route
        }
        guard let route else {
            return request.makeResponse(
                code: .topicNotExist,
                remark: "No topic route info in name server for the topic: \(header.topic)"
                    + "\nSee http://rocketmq.apache.org/docs/faq/ for further details.")
        }
        // Clients from V4_9_4 on (or asking for standard JSON) get quoted map keys (§3.2.3).
        let quoted = request.version >= MQVersion.v4_9_4 || header.acceptStandardJsonOnly == true
        return request.makeResponse(code: .success, body: route.encoded(browserCompatible: quoted))
    }

    private func unitTopics(_ request: RemotingCommand, _ condition: (Int32) -> Bool) -> RemotingCommand {
        let topics = state.withLockedValue { $0.routes.topics(whereSysFlag: condition) }
        return request.makeResponse(code: .success, body: TopicList(topicList: topics).encoded())
    }

    // MARK: KV config

    private func putKVConfig(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(PutKVConfigRequestHeader.self)
        let table = state.withLockedValue { state in
            state.kvConfig.put(namespace: header.namespace, key: header.key, value: header.value)
            return state.kvConfig
        }
        persistKVConfig(table)
        return request.makeResponse(code: .success)
    }

    private func getKVConfig(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(GetKVConfigRequestHeader.self)
        guard let value = state.withLockedValue({ $0.kvConfig.value(namespace: header.namespace, key: header.key) }) else {
            return request.makeResponse(
                code: .queryNotFound, remark: "No config item, Namespace: \(header.namespace) Key: \(header.key)")
        }
        return request.makeResponse(code: .success, extFields: GetKVConfigResponseHeader(value: value).extFields)
    }

    private func deleteKVConfig(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(DeleteKVConfigRequestHeader.self)
        let table = state.withLockedValue { state in
            state.kvConfig.delete(namespace: header.namespace, key: header.key)
            return state.kvConfig
        }
        persistKVConfig(table)
        return request.makeResponse(code: .success)
    }

    // MARK: Config

    private func updateConfig(_ request: RemotingCommand) -> RemotingCommand {
        guard let body = request.body else { return request.makeResponse(code: .success) }
        guard let text = body.getString(at: body.readerIndex, length: body.readableBytes), text.utf8.count == body.readableBytes
        else { return request.makeResponse(code: .systemError, remark: "string2Properties error") }
        let update = JavaProperties(parsing: text)
        let result: (refused: Bool, all: JavaProperties) = state.withLockedValue { state in
            let blackList = state.config.blackListedKeys
            guard !update.keys.contains(where: blackList.contains) else { return (true, JavaProperties()) }
            state.config.apply(update)
            let known = Set(state.config.properties.keys)
            for (key, value) in update.entries where !known.contains(key) { state.otherProperties[key] = value }
            var all = state.config.properties
            for (key, value) in state.otherProperties.entries { all[key] = value }
            return (false, all)
        }
        guard !result.refused else {
            return request.makeResponse(code: .noPermission, remark: "Can not update config in black list.")
        }
        persistConfig(result.all)
        return request.makeResponse(code: .success)
    }
}
