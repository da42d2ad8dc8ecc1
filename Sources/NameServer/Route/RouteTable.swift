import RemotingCodec
import RocketMQModel

/// What the name server knows about brokers and topics (Java `RouteInfoManager`), as a value: the
/// processor owns one behind a lock and every method is a short, I/O-free step.
public struct RouteTable: Sendable {
    /// Java `BROKER_CHANNEL_EXPIRED_TIME`: a broker silent this long is dropped.
    public static let brokerChannelExpiredMillis: Int64 = 120_000

    public struct BrokerLiveInfo: Sendable, Equatable {
        public var lastUpdateTimestamp: Int64
        public var dataVersion: DataVersion
        /// The connection the broker registered on, so that its closing drops the broker.
        public var connectionID: UInt64?
        public var haServerAddr: String
    }

    public struct RegisterBrokerResult: Sendable, Equatable {
        public var haServerAddr: String?
        public var masterAddr: String?
    }

    /// topic → brokerName → queues.
    public private(set) var topicQueueTable: [String: [String: QueueData]] = [:]
    /// brokerName → addresses by brokerId.
    public private(set) var brokerAddrTable: [String: BrokerData] = [:]
    /// cluster → broker names.
    public private(set) var clusterAddrTable: [String: Set<String>] = [:]
    /// brokerAddr → liveness.
    public private(set) var brokerLiveTable: [String: BrokerLiveInfo] = [:]
    /// brokerAddr → filter servers.
    public private(set) var filterServerTable: [String: [String]] = [:]

    public init() {}

    // MARK: Registration

    /// Java `registerBroker`: a master's topics replace its queue data when its data version changed
    /// or on first registration; a slave only gets its master's addresses back.
    public mutating func registerBroker(
        clusterName: String, brokerAddr: String, brokerName: String, brokerId: Int64, haServerAddr: String,
        topicConfigWrapper: TopicConfigSerializeWrapper, filterServerList: [String]?, connectionID: UInt64?, now: Int64
    ) -> RegisterBrokerResult {
        clusterAddrTable[clusterName, default: []].insert(brokerName)
        var registerFirst = false
        var brokerData = brokerAddrTable[brokerName] ?? {
            registerFirst = true
            return BrokerData(cluster: clusterName, brokerName: brokerName, brokerAddrs: [:])
        }()
        // One address has one role: a slave switched to master loses its old id entry.
        for (id, addr) in brokerData.brokerAddrs where addr == brokerAddr && id != brokerId {
            brokerData.brokerAddrs[id] = nil
        }
        let oldAddr = brokerData.brokerAddrs.updateValue(brokerAddr, forKey: brokerId)
        brokerAddrTable[brokerName] = brokerData
        registerFirst = registerFirst || oldAddr == nil

        if brokerId == 0, isBrokerTopicConfigChanged(brokerAddr: brokerAddr, dataVersion: topicConfigWrapper.dataVersion) || registerFirst {
            for config in topicConfigWrapper.topicConfigTable {
                topicQueueTable[config.topicName, default: [:]][brokerName] = QueueData(
                    brokerName: brokerName, readQueueNums: config.readQueueNums, writeQueueNums: config.writeQueueNums,
                    perm: config.perm, topicSysFlag: config.topicSysFlag)
            }
        }
        brokerLiveTable[brokerAddr] = BrokerLiveInfo(
            lastUpdateTimestamp: now, dataVersion: topicConfigWrapper.dataVersion, connectionID: connectionID,
            haServerAddr: haServerAddr)
        if let filterServerList {
            filterServerTable[brokerAddr] = filterServerList.isEmpty ? nil : filterServerList
        }
        var result = RegisterBrokerResult()
        if brokerId != 0, let masterAddr = brokerData.brokerAddrs[0], let master = brokerLiveTable[masterAddr] {
            result.haServerAddr = master.haServerAddr
            result.masterAddr = masterAddr
        }
        return result
    }

    public func isBrokerTopicConfigChanged(brokerAddr: String, dataVersion: DataVersion) -> Bool {
        brokerLiveTable[brokerAddr]?.dataVersion != dataVersion
    }

    public func dataVersion(of brokerAddr: String) -> DataVersion? {
        brokerLiveTable[brokerAddr]?.dataVersion
    }

    public mutating func touch(brokerAddr: String, now: Int64) {
        brokerLiveTable[brokerAddr]?.lastUpdateTimestamp = now
    }

    /// Java `unregisterBroker`.
    public mutating func unregisterBroker(clusterName: String, brokerAddr: String, brokerName: String, brokerId: Int64) {
        brokerLiveTable[brokerAddr] = nil
        filterServerTable[brokerAddr] = nil
        guard var brokerData = brokerAddrTable[brokerName] else { return }
        brokerData.brokerAddrs[brokerId] = nil
        if brokerData.brokerAddrs.isEmpty {
            brokerAddrTable[brokerName] = nil
            if var names = clusterAddrTable[clusterName] {
                names.remove(brokerName)
                clusterAddrTable[clusterName] = names.isEmpty ? nil : names
            }
            removeTopics(of: brokerName)
        } else {
            brokerAddrTable[brokerName] = brokerData
        }
    }

    /// Java `onChannelDestroy`: forget the broker that registered on this connection.
    public mutating func connectionClosed(_ connectionID: UInt64) {
        guard let brokerAddr = brokerLiveTable.first(where: { $0.value.connectionID == connectionID })?.key else { return }
        removeBroker(at: brokerAddr)
    }

    /// Java `scanNotActiveBroker`: drops brokers silent for 120 s; returns their connections to close.
    public mutating func scanNotActiveBrokers(now: Int64) -> [UInt64] {
        var closed: [UInt64] = []
        for (brokerAddr, info) in brokerLiveTable where info.lastUpdateTimestamp + Self.brokerChannelExpiredMillis < now {
            if let id = info.connectionID { closed.append(id) }
            removeBroker(at: brokerAddr)
        }
        return closed
    }

    private mutating func removeBroker(at brokerAddr: String) {
        brokerLiveTable[brokerAddr] = nil
        filterServerTable[brokerAddr] = nil
        guard let (brokerName, found) = brokerAddrTable.first(where: { $0.value.brokerAddrs.values.contains(brokerAddr) })
        else { return }
        var brokerData = found
        for (id, addr) in brokerData.brokerAddrs where addr == brokerAddr { brokerData.brokerAddrs[id] = nil }
        guard brokerData.brokerAddrs.isEmpty else {
            brokerAddrTable[brokerName] = brokerData
            return
        }
        brokerAddrTable[brokerName] = nil
        for (cluster, var names) in clusterAddrTable where names.contains(brokerName) {
            names.remove(brokerName)
            clusterAddrTable[cluster] = names.isEmpty ? nil : names
            break
        }
        removeTopics(of: brokerName)
    }

    private mutating func removeTopics(of brokerName: String) {
        for (topic, var queues) in topicQueueTable where queues[brokerName] != nil {
            queues[brokerName] = nil
            topicQueueTable[topic] = queues.isEmpty ? nil : queues
        }
    }

    // MARK: Routes

    /// Java `pickupTopicRouteData`, with queue and broker data sorted by broker name (clients sort
    /// them anyway; a stable order makes answers comparable).
    public func topicRouteData(topic: String) -> TopicRouteData? {
        guard let queues = topicQueueTable[topic] else { return nil }
        let brokerNames = queues.keys.sorted()
        let brokerDatas = brokerNames.compactMap { brokerAddrTable[$0] }
        guard !brokerDatas.isEmpty else { return nil }
        var filters: [String: [String]] = [:]
        for brokerData in brokerDatas {
            for addr in brokerData.brokerAddrs.values {
                if let servers = filterServerTable[addr] { filters[addr] = servers }
            }
        }
        return TopicRouteData(
            queueDatas: brokerNames.compactMap { queues[$0] }, brokerDatas: brokerDatas, filterServerTable: filters)
    }

    public var clusterInfo: ClusterInfo {
        ClusterInfo(brokerAddrTable: brokerAddrTable, clusterAddrTable: clusterAddrTable.mapValues { $0.sorted() })
    }

    // MARK: Admin

    /// Java `wipeWritePermOfBroker`: clears the write bit of every queue data of the broker.
    public mutating func wipeWritePerm(brokerName: String) -> Int {
        updatePerm(brokerName: brokerName) { $0 & ~PermName.write.rawValue }
    }

    /// Java `addWritePermOfBroker`: sets every queue data of the broker to read + write.
    public mutating func addWritePerm(brokerName: String) -> Int {
        updatePerm(brokerName: brokerName) { _ in PermName.read.rawValue | PermName.write.rawValue }
    }

    private mutating func updatePerm(brokerName: String, _ change: (Int32) -> Int32) -> Int {
        var count = 0
        for (topic, var queues) in topicQueueTable {
            guard var queue = queues[brokerName] else { continue }
            queue.perm = change(queue.perm)
            queues[brokerName] = queue
            topicQueueTable[topic] = queues
            count += 1
        }
        return count
    }

    /// Java `deleteTopic`: everywhere, or only on the brokers of one cluster.
    public mutating func deleteTopic(_ topic: String, clusterName: String?) {
        guard let clusterName, !clusterName.isEmpty else {
            topicQueueTable[topic] = nil
            return
        }
        guard let brokerNames = clusterAddrTable[clusterName], var queues = topicQueueTable[topic] else { return }
        for brokerName in brokerNames { queues[brokerName] = nil }
        topicQueueTable[topic] = queues.isEmpty ? nil : queues
    }

    public var allTopics: [String] { topicQueueTable.keys.sorted() }

    public func topics(inCluster cluster: String) -> [String] {
        let brokerNames = clusterAddrTable[cluster] ?? []
        return topicQueueTable.filter { !brokerNames.isDisjoint(with: $0.value.keys) }.keys.sorted()
    }

    /// Java `getSystemTopicList`: cluster and broker names, plus some broker's address.
    public var systemTopicList: TopicList {
        var names: [String] = []
        for (cluster, brokers) in clusterAddrTable.sorted(by: { $0.key < $1.key }) {
            names.append(cluster)
            names.append(contentsOf: brokers.sorted())
        }
        let someAddress = brokerAddrTable.values.sorted { $0.brokerName < $1.brokerName }
            .first { !$0.brokerAddrs.isEmpty }
            .flatMap { data in data.brokerAddrs.keys.min().flatMap { data.brokerAddrs[$0] } }
        return TopicList(topicList: Array(Set(names)).sorted(), brokerAddr: someAddress)
    }

    /// Topics whose (first) queue data's `topicSysFlag` passes `condition` (unit topic lists).
    public func topics(whereSysFlag condition: (Int32) -> Bool) -> [String] {
        topicQueueTable.filter { entry in
            entry.value.values.first.map { condition($0.topicSysFlag) } ?? false
        }.keys.sorted()
    }
}

/// Java `TopicSysFlag`.
public enum TopicSysFlag {
    public static let unit: Int32 = 0x1
    public static let unitSub: Int32 = 0x2

    public static func hasUnitFlag(_ flag: Int32) -> Bool { flag & unit == unit }
    public static func hasUnitSubFlag(_ flag: Int32) -> Bool { flag & unitSub == unitSub }
}
