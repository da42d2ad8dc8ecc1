import Broker
import Foundation
import Logging
import NameServer
import NIOCore
import NIOPosix
import RocketMQModel
import ServiceLifecycle

/// A name server and a broker in this process on free loopback ports, with a throw-away store
/// (for the client and HTTP gateway tests).
public enum TestCluster {
    public static let logger: Logger = {
        var logger = Logger(label: "cluster-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }()

    /// Runs `body` with the name server address (`127.0.0.1:port`) of a running cluster.
    public static func with<Result: Sendable>(
        properties extra: [(String, String)] = [], _ body: (String) async throws -> Result
    ) async throws -> Result {
        try await withAddresses(properties: extra) { try await body($0.namesrv) }
    }

    /// Runs `body` with the name server's and the broker's addresses (`127.0.0.1:port`) of a running cluster.
    public static func withAddresses<Result: Sendable>(
        properties extra: [(String, String)] = [], _ body: ((namesrv: String, broker: String)) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var namesrvConfig = NamesrvConfig()
        namesrvConfig.listenPort = 0
        namesrvConfig.kvConfigPath = directory + "/namesrv/kvConfig.json"
        namesrvConfig.configStorePath = directory + "/namesrv/namesrv.properties"
        let nameServer = NameServer(config: namesrvConfig, logger: logger)
        let namesrvPort = try await nameServer.server.bind().port ?? 0
        let brokerPort = try FreePort.broker()
        var properties: [(String, String)] = [
            ("brokerName", "broker-a"), ("brokerIP1", "127.0.0.1"), ("listenPort", String(brokerPort)),
            ("storePathRootDir", directory + "/store"), ("mappedFileSizeCommitLog", "67108864"),
            ("mappedFileSizeConsumeQueue", "600000"),
        ]
        properties.append(contentsOf: extra)
        let startup = try BrokerStartup(properties: JavaProperties(properties), namesrvAddr: "127.0.0.1:\(namesrvPort)")
        let broker = try BrokerController(startup: startup, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: nameServer), .init(service: broker)], logger: logger))
        return try await running(group) {
            _ = try await broker.ready()
            return try await body((namesrv: "127.0.0.1:\(namesrvPort)", broker: "127.0.0.1:\(brokerPort)"))
        }
    }

    /// Runs `group` until `body` returns or throws, then stops it gracefully.
    public static func running<Result: Sendable>(
        _ group: ServiceGroup, _ body: () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// Collects what a consumer handler sees, and lets a test await a count.
public final class Inbox<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []
    private var waiters: [(Int, CheckedContinuation<Void, Never>)] = []

    public init() {}

    public func append(_ element: Element) {
        lock.lock()
        items.append(element)
        let count = items.count
        var ready: [CheckedContinuation<Void, Never>] = []
        waiters.removeAll { waiter in
            if waiter.0 <= count { ready.append(waiter.1); return true }
            return false
        }
        lock.unlock()
        for continuation in ready { continuation.resume() }
    }

    private func takeWaiters() -> [(Int, CheckedContinuation<Void, Never>)] {
        lock.withLock {
            let left = waiters
            waiters = []
            return left
        }
    }

    public var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// Waits until `count` items arrived or `timeout` passed; returns what arrived.
    public func wait(for count: Int, timeout: Duration = .seconds(20)) async -> [Element] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready = self.lock.withLock { () -> Bool in
                        if self.items.count >= count { return true }
                        self.waiters.append((count, continuation))
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            // Release a waiter left behind by the timeout.
            for waiter in self.takeWaiters() { waiter.1.resume() }
        }
        return all
    }
}
