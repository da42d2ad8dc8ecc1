import ArgumentParser

struct RocketMQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rocketmq",
        abstract: "An Apache RocketMQ 4.9.8-compatible name server and broker.",
        subcommands: [BenchCommand.self]
    )
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        subcommands: []
    )
}
