import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import RemotingCodec
import RemotingNIO

/// Options every `rocketmq admin` command takes, as mqadmin's: `-n` (or `NAMESRV_ADDR`) and `--json`.
struct AdminCommonOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("namesrvAddr")], help: "Name server address list, eg: 192.168.0.1:9876;192.168.0.2:9876")
    var namesrvAddr: String?

    @Flag(name: .customLong("json"), help: "Print the decoded bodies/results as JSON instead of tables.")
    var json = false

    /// The name server addresses (`;`-separated), from `-n` or `NAMESRV_ADDR`.
    func nameServers() throws -> [String] {
        let text = namesrvAddr ?? ProcessInfo.processInfo.environment["NAMESRV_ADDR"] ?? ""
        let list = text.split(separator: ";").map { $0.trimmed }.filter { !$0.isEmpty }
        guard !list.isEmpty else {
            throw AdminError("No name server address: set -n or the NAMESRV_ADDR environment variable")
        }
        return list
    }
}

struct AdminError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A failed request: the response code and remark, as Java's MQBrokerException/MQClientException print them.
struct AdminResponseError: Error, CustomStringConvertible {
    var code: Int32
    var remark: String?
    var address: String
    var description: String { "CODE: \(code)  DESC: \(remark ?? "null")  BROKER/NAMESRV: \(address)" }
}

/// A small admin client (Java `DefaultMQAdminExt` for our purposes): one connection per address.
final class AdminClient {
    let nameServers: [String]
    private var connections: [String: RemotingConnection] = [:]
    private let logger: Logger
    let timeout: TimeAmount = .seconds(5)

    init(nameServers: [String]) {
        self.nameServers = nameServers
        var logger = Logger(label: "rocketmq.admin")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit { for connection in connections.values { connection.close() } }

    func close() {
        for connection in connections.values { connection.close() }
        connections = [:]
    }

    private func connection(_ address: String) async throws -> RemotingConnection {
        if let existing = connections[address], existing.isActive { return existing }
        let connection = try await RemotingClient.connect(address: address, logger: logger)
        connections[address] = connection
        return connection
    }

    /// Sends a request and returns the response, throwing unless it is SUCCESS (or one of `accept`).
    @discardableResult
    func invoke(
        _ address: String, _ code: RequestCode, header: (any CommandCustomHeader)? = nil, body: ByteBuffer? = nil,
        accept: [ResponseCode] = []
    ) async throws -> RemotingCommand {
        let request = RemotingCommand.request(code: code, extFields: header?.extFields ?? ExtFields(), body: body)
        let response = try await connection(address).send(request, timeout: timeout)
        guard response.code == ResponseCode.success.rawValue || accept.contains(where: { $0.rawValue == response.code }) else {
            throw AdminResponseError(code: response.code, remark: response.remark, address: address)
        }
        return response
    }

    /// Tries the name servers in turn (Java's client picks one and fails over).
    func invokeNameServer(
        _ code: RequestCode, header: (any CommandCustomHeader)? = nil, body: ByteBuffer? = nil
    ) async throws -> RemotingCommand {
        var lastError: (any Error)?
        for address in nameServers {
            do { return try await invoke(address, code, header: header, body: body) } catch let error as AdminResponseError {
                throw error
            } catch { lastError = error }
        }
        throw lastError ?? AdminError("no name server")
    }

    // MARK: typed requests

    func clusterInfo() async throws -> ClusterInfo {
        try ClusterInfo(body: try await invokeNameServer(.getBrokerClusterInfo).body)
    }

    func topicRoute(_ topic: String) async throws -> TopicRouteData {
        let response = try await invokeNameServer(.getRouteInfoByTopic, header: GetRouteInfoRequestHeader(topic: topic))
        return try TopicRouteData(body: response.body)
    }

    func topicList() async throws -> TopicList {
        try TopicList(body: try await invokeNameServer(.getAllTopicListFromNameServer).body)
    }

    func brokerRuntimeInfo(_ address: String) async throws -> KVTable {
        try KVTable(body: try await invoke(address, .getBrokerRuntimeInfo).body)
    }

    /// GET_BROKER_CONFIG: a properties text, in the order the broker wrote it.
    func brokerConfig(_ address: String) async throws -> [(key: String, value: String)] {
        let response = try await invoke(address, .getBrokerConfig)
        guard let body = response.body else { return [] }
        return parseProperties(String(buffer: body))
    }

    func topicStats(_ address: String, topic: String) async throws -> TopicStatsTable {
        let response = try await invoke(address, .getTopicStatsInfo, header: GetTopicStatsInfoRequestHeader(topic: topic))
        return try TopicStatsTable(body: response.body)
    }

    /// Master addresses of a cluster's brokers (Java `CommandUtil.fetchMasterAddrByClusterName`).
    func masterAddresses(cluster: String) async throws -> [String] {
        let info = try await clusterInfo()
        guard let brokerNames = info.clusterAddrTable[cluster] else {
            throw AdminError("Make sure the specified clusterName exists or the name server connected to is correct.")
        }
        return brokerNames.sorted().compactMap { info.brokerAddrTable[$0]?.brokerAddrs[0] }
    }

    /// Master and slave addresses by master (Java `CommandUtil.fetchMasterAndSlaveDistinguish`).
    func mastersAndSlaves(cluster: String) async throws -> [(master: String, slaves: [String])] {
        let info = try await clusterInfo()
        guard let brokerNames = info.clusterAddrTable[cluster] else {
            throw AdminError("Make sure the specified clusterName exists or the name server connected to is correct.")
        }
        var result: [(master: String, slaves: [String])] = []
        for name in brokerNames.sorted() {
            guard let data = info.brokerAddrTable[name], let master = data.brokerAddrs[0] else { continue }
            let slaves = data.brokerAddrs.filter { $0.key != 0 }.sorted { $0.key < $1.key }.map(\.value)
            result.append((master, slaves))
        }
        return result
    }

    /// Every address of a cluster's brokers, masters first.
    func allAddresses(cluster: String) async throws -> [String] {
        try await mastersAndSlaves(cluster: cluster).flatMap { [$0.master] + $0.slaves }
    }
}

func parseProperties(_ text: String) -> [(key: String, value: String)] {
    var result: [(key: String, value: String)] = []
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
        let trimmed = line.trimmed
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix("!") else { continue }
        guard let equals = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
            result.append((trimmed, ""))
            continue
        }
        result.append((String(trimmed[..<equals]).trimmed,
                       String(trimmed[trimmed.index(after: equals)...]).trimmed))
    }
    return result
}

// MARK: printf-style helpers

/// Java `%-Ns`.
func left(_ value: Any, _ width: Int) -> String {
    let text = "\(value)"
    return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// Java `%Ns`.
func right(_ value: Any, _ width: Int) -> String {
    let text = "\(value)"
    return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// Java `%.Nf` (half-up rounding as Java's Formatter).
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let negative = value < 0
    let scaled = (abs(value) * scale + 0.5).rounded(.down)
    var digitsText = String(Int64(scaled))
    if digits > 0 {
        if digitsText.count <= digits { digitsText = String(repeating: "0", count: digits - digitsText.count + 1) + digitsText }
        let split = digitsText.index(digitsText.endIndex, offsetBy: -digits)
        digitsText = digitsText[..<split] + "." + digitsText[split...]
    }
    return (negative && scaled != 0 ? "-" : "") + digitsText
}

/// Java `UtilAll.timeMillisToHumanString2`: `yyyy-MM-dd HH:mm:ss,SSS` in local time.
func humanTime(_ millis: Int64, withMillis: Bool = true) -> String {
    var seconds = time_t(millis / 1000)
    var parts = tm()
    localtime_r(&seconds, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    var text = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    if withMillis {
        let ms = Int(millis % 1000)
        text += "," + (ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)")
    }
    return text
}

/// Java `PermName.perm2String`.
func permString(_ perm: Int32) -> String {
    (perm & 4 != 0 ? "R" : "-") + (perm & 2 != 0 ? "W" : "-") + (perm & 1 != 0 ? "X" : "-")
}

/// Java `TopicConfig.toString()`.
func describe(_ config: TopicConfig) -> String {
    "TopicConfig [topicName=\(config.topicName), readQueueNums=\(config.readQueueNums), writeQueueNums=\(config.writeQueueNums), "
        + "perm=\(permString(config.perm)), topicFilterType=\(config.topicFilterType.rawValue), topicSysFlag=\(config.topicSysFlag), "
        + "order=\(config.order)]"
}

func printJSON(_ value: JSONValue) {
    writeToStandardOutput(JSONWriter(browserCompatible: true).prettyString(value) + "\n")
}

func out(_ text: String) { writeToStandardOutput(text) }

/// Runs a command body with an admin client; failures print as mqadmin's "<Name> command failed" and exit 1.
func withAdmin(
    _ name: String, _ options: AdminCommonOptions, _ body: (AdminClient) async throws -> Void
) async throws {
    let client = AdminClient(nameServers: try options.nameServers())
    defer { client.close() }
    do {
        try await body(client)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        var message = "org.apache.rocketmq.tools.command.SubCommandException: \(name) command failed\n\(error)\n"
        if let error = error as? BodyError { message = "\(name) command failed: \(error)\n" }
        FileHandleStandardError.write(message)
        throw ExitCode.failure
    }
}

enum FileHandleStandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Java `String.trim()` for what users type).
    var trimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

/// fastjson's `JSON.toJSONString(value, true)` layout, as mqadmin prints routes: beans and lists put
/// every member on a line of its own (tabs), maps (`mapKeys`) continue on the opening line.
func fastjsonPretty(_ value: JSONValue, mapKeys: Set<String> = ["brokerAddrs", "filterServerTable"]) -> String {
    var text = ""
    func indent(_ depth: Int) -> String { String(repeating: "\t", count: depth) }
    func write(_ value: JSONValue, depth: Int, isMap: Bool) {
        switch value {
        case .object(let object):
            if object.members.isEmpty { text += "{}"; return }
            text += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { text += "," }
                if !isMap || index > 0 { text += "\n" + indent(depth + 1) }
                let key: String = switch member.key {
                case .number(let number): number
                default: JSONWriter().string(member.key)
                }
                text += key + ":"
                write(member.value, depth: depth + 1, isMap: member.key.stringValue.map(mapKeys.contains) ?? false)
            }
            text += "\n" + indent(depth) + "}"
        case .array(let array):
            if array.isEmpty { text += "[]"; return }
            text += "["
            for (index, element) in array.enumerated() {
                if index > 0 { text += "," }
                text += "\n" + indent(depth + 1)
                write(element, depth: depth + 1, isMap: false)
            }
            text += "\n" + indent(depth) + "]"
        default:
            text += JSONWriter().string(value)
        }
    }
    write(value, depth: 0, isMap: false)
    return text
}
