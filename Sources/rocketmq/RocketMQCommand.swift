import ArgumentParser
import Foundation
import Logging

@main
struct RocketMQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rocketmq",
        abstract: "An Apache RocketMQ 4.9.8-compatible name server and broker.",
        subcommands: [NamesrvCommand.self, FramesCommand.self]
    )
}

/// Log to standard error at `info`, or at `ROCKETMQ_LOG_LEVEL` (servers call it once at start).
func bootstrapLogging() {
    let level = ProcessInfo.processInfo.environment["ROCKETMQ_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
