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

    public static let keys: [ConfigKey<NamesrvConfig>] = [
        .string("rocketmqHome", \.rocketmqHome), .string("kvConfigPath", \.kvConfigPath),
        .string("configStorePath", \.configStorePath), .string("productEnvName", \.productEnvName),
        .bool("clusterTest", \.clusterTest), .bool("orderMessageEnable", \.orderMessageEnable),
        .string("configBlackList", \.configBlackList), .int("listenPort", \.listenPort),
        .int("serverChannelMaxIdleTimeSeconds", \.serverChannelMaxIdleTimeSeconds), .string("listenHost", \.listenHost),
    ]

    /// Applies the keys this config knows; unknown keys are kept by the caller for
    /// GET_NAMESRV_CONFIG. Returns the keys that had a bad value.
    @discardableResult
    public mutating func apply(_ properties: JavaProperties) -> [String] {
        Self.keys.apply(properties, to: &self).invalidKeys
    }

    /// Every key with its value, in Java's `printObjectProperties` form (`mqnamesrv -p`, GET_NAMESRV_CONFIG).
    public var properties: JavaProperties { Self.keys.properties(of: self) }

    /// Keys UPDATE_NAMESRV_CONFIG refuses (Java adds `rocketmqHome` and the three fixed names).
    public var blackListedKeys: Set<String> {
        var keys: Set<String> = ["configBlackList", "configStorePath", "kvConfigPath", "rocketmqHome"]
        for key in configBlackList.split(separator: ";") { keys.insert(String(key)) }
        return keys
    }
}
