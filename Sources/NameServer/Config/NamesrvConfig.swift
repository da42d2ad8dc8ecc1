#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RocketMQModel

/// The name server's settings: Java `NamesrvConfig` plus the `NettyServerConfig` keys it honours,
/// read from the same `.properties` keys `mqnamesrv -c` takes.
public struct NamesrvConfig: Sendable, Equatable {
    public var rocketmqHome: String = ProcessInfo.processInfo.environment["ROCKETMQ_HOME"] ?? ""
    public var kvConfigPath: String = NamesrvConfig.home + "/namesrv/kvConfig.json"
    public var configStorePath: String = NamesrvConfig.home + "/namesrv/namesrv.properties"
    public var productEnvName = "center"
    public var clusterTest = false
    public var orderMessageEnable = false
    public var configBlackList = "configBlackList;configStorePath;kvConfigPath"
    /// `mqnamesrv` sets 9876 before reading the file.
    public var listenPort = 9876
    public var serverChannelMaxIdleTimeSeconds = 120
    /// Not a Java key: the address to bind (Java binds every interface).
    public var listenHost = "0.0.0.0"

    public init() {}

    static var home: String { ProcessInfo.processInfo.environment["HOME"] ?? "." }

    /// Applies the keys this config knows; unknown keys are kept by the caller for GET_NAMESRV_CONFIG
    /// (Java's `properties2Object` ignores them too). Returns the keys that had a bad value.
    @discardableResult
    public mutating func apply(_ properties: JavaProperties) -> [String] {
        var invalid: [String] = []
        for (key, value) in properties.entries {
            // Java's properties2Object trims values.
            let trimmed = String(value.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            func int() -> Int? {
                guard let number = Int(trimmed) else { invalid.append(key); return nil }
                return number
            }
            func bool() -> Bool { trimmed.lowercased() == "true" }
            switch key {
            case "rocketmqHome": rocketmqHome = trimmed
            case "kvConfigPath": kvConfigPath = trimmed
            case "configStorePath": configStorePath = trimmed
            case "productEnvName": productEnvName = trimmed
            case "clusterTest": clusterTest = bool()
            case "orderMessageEnable": orderMessageEnable = bool()
            case "configBlackList": configBlackList = trimmed
            case "listenPort": if let port = int() { listenPort = port }
            case "serverChannelMaxIdleTimeSeconds": if let seconds = int() { serverChannelMaxIdleTimeSeconds = seconds }
            case "listenHost": listenHost = trimmed
            default: break
            }
        }
        return invalid
    }

    /// Every key with its value, in Java's `printObjectProperties` form (`mqnamesrv -p`, GET_NAMESRV_CONFIG).
    public var properties: JavaProperties {
        JavaProperties([
            ("rocketmqHome", rocketmqHome), ("kvConfigPath", kvConfigPath), ("configStorePath", configStorePath),
            ("productEnvName", productEnvName), ("clusterTest", String(clusterTest)),
            ("orderMessageEnable", String(orderMessageEnable)), ("configBlackList", configBlackList),
            ("listenPort", String(listenPort)), ("serverChannelMaxIdleTimeSeconds", String(serverChannelMaxIdleTimeSeconds)),
            ("listenHost", listenHost),
        ])
    }

    /// Keys UPDATE_NAMESRV_CONFIG refuses (Java adds `rocketmqHome` and the three fixed names).
    public var blackListedKeys: Set<String> {
        var keys: Set<String> = ["configBlackList", "configStorePath", "kvConfigPath", "rocketmqHome"]
        for key in configBlackList.split(separator: ";") { keys.insert(String(key)) }
        return keys
    }
}
