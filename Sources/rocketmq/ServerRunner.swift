import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import RocketMQModel
import ServiceLifecycle

/// Runs server services until SIGTERM/SIGINT, and calls `whenReady` once they accept requests
/// (it prints the boot line scripts wait for).
func runServers(
    _ services: [any Service], logger: Logger, whenReady: @escaping @Sendable () async throws -> Void
) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask { try await whenReady() }
        try await tasks.waitForAll()
    }
}

/// A `.properties` file as `-c` names it, or a validation error naming it.
func readPropertiesFile(_ path: String) throws -> JavaProperties {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw ValidationError("cannot read the config file \(path)")
    }
    return JavaProperties(parsing: text)
}
