/// Java `QueueData`: one broker's queues of a topic, in a route.
public struct QueueData: RemotingBody, Hashable {
    public var brokerName: String
    public var readQueueNums: Int32
    public var writeQueueNums: Int32
    public var perm: Int32
    public var topicSysFlag: Int32

    public init(brokerName: String, readQueueNums: Int32, writeQueueNums: Int32, perm: Int32, topicSysFlag: Int32 = 0) {
        self.brokerName = brokerName
        self.readQueueNums = readQueueNums
        self.writeQueueNums = writeQueueNums
        self.perm = perm
        self.topicSysFlag = topicSysFlag
    }

    public init(json: JSONValue) throws(BodyError) {
        brokerName = try json.requiredString("brokerName", in: "QueueData")
        readQueueNums = json["readQueueNums"]?.int32Value ?? 0
        writeQueueNums = json["writeQueueNums"]?.int32Value ?? 0
        perm = json["perm"]?.int32Value ?? 0
        topicSysFlag = json["topicSysFlag"]?.int32Value ?? 0
    }

    public var json: JSONValue {
        .object([
            "brokerName": .string(brokerName), "perm": .number(perm), "readQueueNums": .number(readQueueNums),
            "topicSysFlag": .number(topicSysFlag), "writeQueueNums": .number(writeQueueNums),
        ])
    }
}

/// Java `BrokerData`: a broker name, its cluster, and the address of each brokerId (0 = master).
public struct BrokerData: RemotingBody, Hashable {
    public var cluster: String
    public var brokerName: String
    /// brokerId → address, in ascending brokerId order (Java keeps a HashMap; ids are small).
    public var brokerAddrs: [Int64: String]

    public init(cluster: String, brokerName: String, brokerAddrs: [Int64: String]) {
        self.cluster = cluster
        self.brokerName = brokerName
        self.brokerAddrs = brokerAddrs
    }

    public init(json: JSONValue) throws(BodyError) {
        cluster = json["cluster"]?.stringValue ?? ""
        brokerName = try json.requiredString("brokerName", in: "BrokerData")
        var addrs: [Int64: String] = [:]
        for member in json.members("brokerAddrs") {
            guard let id = member.key.int64Value, let addr = member.value.stringValue else {
                throw BodyError("BrokerData: bad brokerAddrs entry")
            }
            addrs[id] = addr
        }
        brokerAddrs = addrs
    }

    /// `brokerAddrs` keys are bare numbers (`{0:"…"}`) unless the writer is browser-compatible.
    public var json: JSONValue {
        var addrs = JSONObject()
        for id in brokerAddrs.keys.sorted() { addrs.append(key: .number(id), .string(brokerAddrs[id]!)) }
        return .object(["brokerAddrs": .object(addrs), "brokerName": .string(brokerName), "cluster": .string(cluster)])
    }
}

/// Java `TopicRouteData`: the GET_ROUTEINFO_BY_TOPIC answer (§3.2.3).
public struct TopicRouteData: RemotingBody, Equatable {
    public var orderTopicConf: String?
    public var queueDatas: [QueueData]
    public var brokerDatas: [BrokerData]
    /// brokerAddr → filter server addresses; always empty in practice.
    public var filterServerTable: [String: [String]]

    public init(orderTopicConf: String? = nil, queueDatas: [QueueData], brokerDatas: [BrokerData],
                filterServerTable: [String: [String]] = [:]) {
        self.orderTopicConf = orderTopicConf
        self.queueDatas = queueDatas
        self.brokerDatas = brokerDatas
        self.filterServerTable = filterServerTable
    }

    public init(json: JSONValue) throws(BodyError) {
        orderTopicConf = json["orderTopicConf"]?.stringValue
        var queues: [QueueData] = []
        for value in json.elements("queueDatas") { queues.append(try QueueData(json: value)) }
        queueDatas = queues
        var brokers: [BrokerData] = []
        for value in json.elements("brokerDatas") { brokers.append(try BrokerData(json: value)) }
        brokerDatas = brokers
        var filters: [String: [String]] = [:]
        for member in json.members("filterServerTable") {
            if let addr = member.key.stringValue { filters[addr] = member.value.arrayValue?.compactMap(\.stringValue) ?? [] }
        }
        filterServerTable = filters
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("brokerDatas", .array(brokerDatas.map(\.json)))
        var filters = JSONObject()
        for addr in filterServerTable.keys.sorted() {
            filters.append(addr, .array(filterServerTable[addr]!.map(JSONValue.string)))
        }
        object.append("filterServerTable", .object(filters))
        if let orderTopicConf { object.append("orderTopicConf", .string(orderTopicConf)) }
        object.append("queueDatas", .array(queueDatas.map(\.json)))
        return .object(object)
    }
}

/// Java `ClusterInfo`: the GET_BROKER_CLUSTER_INFO answer (§3.2.4), always with bare numeric keys.
public struct ClusterInfo: RemotingBody, Equatable {
    public var brokerAddrTable: [String: BrokerData]
    public var clusterAddrTable: [String: [String]]

    public init(brokerAddrTable: [String: BrokerData], clusterAddrTable: [String: [String]]) {
        self.brokerAddrTable = brokerAddrTable
        self.clusterAddrTable = clusterAddrTable
    }

    public init(json: JSONValue) throws(BodyError) {
        var brokers: [String: BrokerData] = [:]
        for member in json.members("brokerAddrTable") {
            guard let name = member.key.stringValue else { throw BodyError("ClusterInfo: bad broker name") }
            brokers[name] = try BrokerData(json: member.value)
        }
        brokerAddrTable = brokers
        var clusters: [String: [String]] = [:]
        for member in json.members("clusterAddrTable") {
            guard let name = member.key.stringValue else { throw BodyError("ClusterInfo: bad cluster name") }
            clusters[name] = member.value.arrayValue?.compactMap(\.stringValue) ?? []
        }
        clusterAddrTable = clusters
    }

    public var json: JSONValue {
        var brokers = JSONObject()
        for name in brokerAddrTable.keys.sorted() { brokers.append(name, brokerAddrTable[name]!.json) }
        var clusters = JSONObject()
        for name in clusterAddrTable.keys.sorted() {
            clusters.append(name, .array(clusterAddrTable[name]!.map(JSONValue.string)))
        }
        return .object(["brokerAddrTable": .object(brokers), "clusterAddrTable": .object(clusters)])
    }
}
