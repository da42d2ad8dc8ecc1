import ArgumentParser

struct RocketMQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rocketmq",
        abstract: "An Apache RocketMQ 4.9.8-compatible name server and broker.",
        subcommands: [FramesCommand.self]
    )
}
