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


struct RocketMQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rocketmq",
        abstract: "An Apache RocketMQ 4.9.8-compatible name server and broker.",
        subcommands: [
            DevCommand.self, NamesrvCommand.self, BrokerCommand.self, HTTPCommand.self, FramesCommand.self, AdminCommand.self,
            BenchCommand.self, DashboardCommand.self,
        ]
    )
}

/// Log to standard error at `info`, or at `ROCKETMQ_LOG_LEVEL` (servers call it once at start).
func bootstrapLogging() {
    let level = ProcessInfo.processInfo.environment["ROCKETMQ_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
        handler.logLevel = level
        return handler
    }
}

/// Writes straight to file descriptor 1, bypassing stdio buffering.
func writeToStandardOutput(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { return }
            offset += written
        }
    }
}
