/// Java `TopicConfig` as it travels in JSON bodies and `topics.json`.
public struct TopicConfig: RemotingBody, Hashable {
    /// Java `TopicFilterType`.
    public enum FilterType: String, Sendable, CaseIterable {
        case singleTag = "SINGLE_TAG"
        case multiTag = "MULTI_TAG"
    }

    public var topicName: String
    public var readQueueNums: Int32
    public var writeQueueNums: Int32
    public var perm: Int32
    public var topicFilterType: FilterType
    public var topicSysFlag: Int32
    public var order: Bool

    public init(
        topicName: String, readQueueNums: Int32 = 16, writeQueueNums: Int32 = 16, perm: Int32 = 6,
        topicFilterType: FilterType = .singleTag, topicSysFlag: Int32 = 0, order: Bool = false
    ) {
        self.topicName = topicName
        self.readQueueNums = readQueueNums
        self.writeQueueNums = writeQueueNums
        self.perm = perm
        self.topicFilterType = topicFilterType
        self.topicSysFlag = topicSysFlag
        self.order = order
    }

    public init(json: JSONValue) throws(BodyError) {
        topicName = try json.requiredString("topicName", in: "TopicConfig")
        readQueueNums = json["readQueueNums"]?.int32Value ?? 16
        writeQueueNums = json["writeQueueNums"]?.int32Value ?? 16
        perm = json["perm"]?.int32Value ?? 6
        topicFilterType = json["topicFilterType"]?.enumValue(FilterType.self) ?? .singleTag
        topicSysFlag = json["topicSysFlag"]?.int32Value ?? 0
        order = json["order"]?.boolValue ?? false
    }

    public var json: JSONValue {
        .object([
            "order": .bool(order), "perm": .number(perm), "readQueueNums": .number(readQueueNums),
            "topicFilterType": .string(topicFilterType.rawValue), "topicName": .string(topicName),
            "topicSysFlag": .number(topicSysFlag), "writeQueueNums": .number(writeQueueNums),
        ])
    }

    /// Java `TopicConfig.encode`, the form inside a compressed REGISTER_BROKER body:
    /// `"<topic> <read> <write> <perm> <filterType>"`.
    public var compactText: String {
        "\(topicName) \(readQueueNums) \(writeQueueNums) \(perm) \(topicFilterType.rawValue)"
    }

    /// Java `TopicConfig.decode` of `compactText`.
    public init?(compactText: String) {
        let parts = compactText.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 5, let read = Int32(parts[1]), let write = Int32(parts[2]), let perm = Int32(parts[3]),
              let filter = FilterType(rawValue: String(parts[4])) else { return nil }
        self.init(topicName: String(parts[0]), readQueueNums: read, writeQueueNums: write, perm: perm, topicFilterType: filter)
    }
}

/// Java `TopicConfigSerializeWrapper`: a broker's topic table and its data version.
public struct TopicConfigSerializeWrapper: RemotingBody, Equatable {
    public var topicConfigTable: [TopicConfig]
    public var dataVersion: DataVersion

    public init(topicConfigTable: [TopicConfig], dataVersion: DataVersion) {
        self.topicConfigTable = topicConfigTable
        self.dataVersion = dataVersion
    }

    public init(json: JSONValue) throws(BodyError) {
        dataVersion = try json["dataVersion"].map { (v) throws(BodyError) in try DataVersion(json: v) } ?? DataVersion(timestamp: 0, counter: 0)
        var table: [TopicConfig] = []
        for member in json.members("topicConfigTable") {
            table.append(try TopicConfig(json: member.value))
        }
        topicConfigTable = table
    }

    public var json: JSONValue {
        var table = JSONObject()
        for config in topicConfigTable { table.append(config.topicName, config.json) }
        return .object(["dataVersion": dataVersion.json, "topicConfigTable": .object(table)])
    }
}

/// Java `RegisterBrokerBody` (uncompressed form): the topic table plus filter servers.
public struct RegisterBrokerBody: RemotingBody, Equatable {
    public var topicConfigSerializeWrapper: TopicConfigSerializeWrapper
    public var filterServerList: [String]

    public init(topicConfigSerializeWrapper: TopicConfigSerializeWrapper, filterServerList: [String] = []) {
        self.topicConfigSerializeWrapper = topicConfigSerializeWrapper
        self.filterServerList = filterServerList
    }

    public init(json: JSONValue) throws(BodyError) {
        filterServerList = json.elements("filterServerList").compactMap(\.stringValue)
        if let wrapper = json["topicConfigSerializeWrapper"], wrapper != .null {
            topicConfigSerializeWrapper = try TopicConfigSerializeWrapper(json: wrapper)
        } else {
            topicConfigSerializeWrapper = TopicConfigSerializeWrapper(
                topicConfigTable: [], dataVersion: DataVersion(timestamp: 0, counter: 0))
        }
    }

    public var json: JSONValue {
        .object([
            "filterServerList": .array(filterServerList.map(JSONValue.string)),
            "topicConfigSerializeWrapper": topicConfigSerializeWrapper.json,
        ])
    }
}
