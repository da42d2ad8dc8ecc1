import NIOCore
import RocketMQModel

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

extension RegisterBrokerBody {
    /// Inflated size beyond which a compressed registration is refused (a name server keeps the
    /// topic table in memory anyway; 64 MiB is far above any real broker's table).
    public static let maximumInflatedLength = 64 * 1024 * 1024

    /// Decodes either form, as the request header's `compressed` says (§3.2.1).
    public init(body: ByteBuffer?, compressed: Bool) throws(BodyError) {
        guard compressed else {
            guard let body, body.readableBytes > 0 else {
                // An empty body is an empty wrapper (Java's RegisterBrokerBody.decode of nothing).
                self.init(topicConfigSerializeWrapper: TopicConfigSerializeWrapper(
                    topicConfigTable: [], dataVersion: DataVersion(timestamp: 0, counter: 0)))
                return
            }
            try self.init(body: body)
            return
        }
        guard let body else { throw BodyError("the compressed register body is null") }
        var inflated: ByteBuffer
        do {
            inflated = try MessageCompression.inflate(body, maxSize: Self.maximumInflatedLength)
        } catch {
            throw BodyError("the compressed register body does not inflate: \(error)")
        }
        func readText(_ what: String) throws(BodyError) -> String {
            guard let length = inflated.readInteger(as: Int32.self), length >= 0,
                  let text = inflated.readString(length: Int(length)) else {
                throw BodyError("the compressed register body is truncated at the \(what)")
            }
            return text
        }
        let dataVersion = try DataVersion(json: Self.parse(try readText("data version")))
        guard let count = inflated.readInteger(as: Int32.self), count >= 0 else {
            throw BodyError("the compressed register body is truncated at the topic count")
        }
        var topics: [TopicConfig] = []
        for _ in 0..<count {
            let text = try readText("topic config")
            guard let config = TopicConfig(compactText: text) else { throw BodyError("bad topic config: \(text)") }
            topics.append(config)
        }
        let filters = try Self.parse(try readText("filter server list")).arrayValue?.compactMap(\.stringValue) ?? []
        self.init(
            topicConfigSerializeWrapper: TopicConfigSerializeWrapper(topicConfigTable: topics, dataVersion: dataVersion),
            filterServerList: filters)
    }

    /// Java `RegisterBrokerBody.encode(true)`: a zlib stream of length-prefixed parts.
    public func compressed() throws(BodyError) -> ByteBuffer {
        var plain = ByteBuffer()
        func writeText(_ text: String) {
            plain.writeInteger(Int32(text.utf8.count))
            plain.writeString(text)
        }
        writeText(JSONWriter().string(topicConfigSerializeWrapper.dataVersion.json))
        plain.writeInteger(Int32(topicConfigSerializeWrapper.topicConfigTable.count))
        for config in topicConfigSerializeWrapper.topicConfigTable { writeText(config.compactText) }
        writeText(JSONWriter().string(.array(filterServerList.map(JSONValue.string))))
        do {
            return try MessageCompression.deflate(plain, level: 9)
        } catch {
            throw BodyError("cannot compress the register body: \(error)")
        }
    }

    private static func parse(_ text: String) throws(BodyError) -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw BodyError("the compressed register body holds bad JSON: \(error)")
        }
    }
}
