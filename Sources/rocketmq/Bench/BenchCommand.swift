import ArgumentParser
import Histogram

/// `rocketmq bench`: load generators in the style of RocketMQ's benchmark programs, with latency
/// percentiles from an HDR histogram.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure send and consume throughput and latency (and the null-broker ceiling).",
        subcommands: [BenchProducerCommand.self, BenchConsumerCommand.self, NullBrokerCommand.self]
    )
}

/// Options both load generators take.
struct BenchOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("namesrv")], help: "Name server address list, eg: 127.0.0.1:9876;127.0.0.1:9877")
    var namesrv = "127.0.0.1:9876"

    @Option(name: [.customShort("t"), .customLong("topic")], help: "Topic.")
    var topic = "BenchmarkTest"

    @Option(help: "Seconds to run (with --count: the longest to wait for it).")
    var duration: Int = 10

    @Option(help: "Stop after this many messages.")
    var count: Int?

    @Flag(help: "Print the final figures as one JSON object.")
    var json = false

    @Option(help: "Header encoding of the client's requests: json or rocketmq.")
    var serialize = "json"
}

/// Final figures of a run; latencies in microseconds unless `unit` says otherwise.
struct BenchReport {
    var name: String
    var messages: Int
    var errors: Int
    var seconds: Double
    var histogram: Histogram<UInt64>
    var unit: String
    var extra: [(String, String)] = []

    var rate: Double { seconds > 0 ? Double(messages) / seconds : 0 }

    func text() -> String {
        var lines = ["\(name): \(messages) messages, \(errors) errors in \(format(seconds)) s = \(Int(rate)) msg/s"]
        if histogram.totalCount > 0 {
            lines.append("latency (\(unit)): avg \(format(histogram.mean)) p50 \(histogram.valueAtPercentile(50)) "
                + "p90 \(histogram.valueAtPercentile(90)) p99 \(histogram.valueAtPercentile(99)) "
                + "p99.9 \(histogram.valueAtPercentile(99.9)) max \(histogram.max)")
        }
        for (key, value) in extra { lines.append("\(key): \(value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    func jsonText() -> String {
        var fields = [
            "\"name\":\"\(name)\"", "\"messages\":\(messages)", "\"errors\":\(errors)", "\"seconds\":\(format(seconds))",
            "\"rate\":\(Int(rate))", "\"unit\":\"\(unit)\"",
        ]
        if histogram.totalCount > 0 {
            fields.append("\"latency\":{\"mean\":\(format(histogram.mean)),\"p50\":\(histogram.valueAtPercentile(50)),"
                + "\"p90\":\(histogram.valueAtPercentile(90)),\"p99\":\(histogram.valueAtPercentile(99)),"
                + "\"p999\":\(histogram.valueAtPercentile(99.9)),\"max\":\(histogram.max)}")
        }
        for (key, value) in extra { fields.append("\"\(key)\":\"\(value)\"") }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}
