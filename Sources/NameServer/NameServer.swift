#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Logging
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import RocketMQModel
import ServiceLifecycle

/// A name server (Java `NamesrvController`): the remoting server, its processor, the 10-second
/// broker expiry scan and the persisted KV config. Several run side by side, each independent.
public final class NameServer: Service, Sendable {
    public let processor: NameServerProcessor
    public let server: RemotingServer
    private let logger: Logger

    public init(config: NamesrvConfig, otherProperties: JavaProperties = JavaProperties(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.logger = logger
        let onError: @Sendable (String, any Error) -> Void = { path, error in
            logger.error("cannot persist a config file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
        let kvStore = ConfigFile(path: config.kvConfigPath, onError: onError)
        let configStore = ConfigFile(path: config.configStorePath, onError: onError)
        var kvConfig = KVConfigTable()
        if let data = kvStore.load() {
            do {
                kvConfig = try KVConfigTable(body: ByteBuffer(bytes: data))
                logger.info("loaded KV config", metadata: ["path": "\(config.kvConfigPath)"])
            } catch {
                logger.warning("ignoring an unreadable KV config file", metadata: ["path": "\(config.kvConfigPath)", "error": "\(error)"])
            }
        }
        processor = NameServerProcessor(
            config: config, kvConfig: kvConfig, otherProperties: otherProperties,
            persistKVConfig: { table in kvStore.save(Array(JSONWriter().encode(table.json).readableBytesView)) },
            persistConfig: { properties in configStore.save(Array(properties.text.utf8)) },
            logger: logger)
        var table = RequestProcessorTable()
        table.register(processor, for: NameServerProcessor.codes)
        table.rpcMetrics = RPCMetrics()
        server = RemotingServer(
            configuration: .init(host: config.listenHost, port: config.listenPort,
                                 idleTimeout: .seconds(Int64(config.serverChannelMaxIdleTimeSeconds))),
            processors: table, group: group, logger: logger)
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.server.run() }
            group.addTask {
                // Java scans every 10 s, the first time 5 s after start.
                try? await Task.sleep(for: .seconds(5))
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    self.processor.scanNotActiveBrokers()
                    try? await Task.sleep(for: .seconds(10))
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        logger.info("name server stopped")
    }
}
