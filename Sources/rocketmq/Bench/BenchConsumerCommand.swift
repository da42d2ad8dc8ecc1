import ArgumentParser
import Atomics
import Histogram
import NIOConcurrencyHelpers
import NIOPosix
import RemotingNIO
import RemotingCodec
import RocketMQClient
import RocketMQModel

/// `rocketmq bench consumer`: a push consumer that only counts; latency is born-to-consume in ms.
struct BenchConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consumer", abstract: "Consume as fast as the broker serves.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Consumer group.")
    var group = "benchmark_consumer"

    @Option(help: "Where a new group starts: first or last.")
    var from = "first"

    @Option(help: "Concurrent handler calls.")
    var threads = 20

    @Option(help: "Tag expression.")
    var expression = "*"

    func run() async throws {
        var client = ClientConfiguration(namesrvAddr: options.namesrv)
        client.serializeType = options.serialize == "rocketmq" ? .rocketmq : .json
        // Pulls, decoding and the handler on the loop of the connections (see EventLoopTaskExecutor).
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        client.eventLoopGroup = loop
        client.taskExecutor = EventLoopTaskExecutor(loop.next())
        var configuration = PushConsumerConfiguration(group: group)
        configuration.consumeFromWhere = from == "last" ? .consumeFromLastOffset : .consumeFromFirstOffset
        configuration.consumeThreadCount = threads
        let consumer = PushConsumer(configuration: configuration, client: client)
        try consumer.subscribe(topic: options.topic, expression: expression)

        let received = ManagedAtomic<Int>(0)
        let histograms = NIOLockedValueBox(Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .two))
        let clock = ContinuousClock()
        let firstAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let lastAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let limit = options.count
        let (done, doneContinuation) = AsyncStream<Void>.makeStream()
        try await consumer.start(concurrently: { messages in
            let now = SystemClock.currentTimeMillis()
            let latencies = messages.map { UInt64(max(0, now - $0.bornTimestamp)) }
            histograms.withLockedValue { histogram in
                for latency in latencies { _ = histogram.record(latency) }
            }
            let before = received.loadThenWrappingIncrement(by: messages.count, ordering: .relaxed)
            if before == 0 { firstAt.withLockedValue { $0 = $0 ?? clock.now } }
            if let limit, before < limit, before + messages.count >= limit {
                lastAt.withLockedValue { $0 = clock.now }
                doneContinuation.yield()
            }
            return .consumeSuccess
        })
        let start = clock.now
        let progress = Task {
            var last = 0
            var tick = start
            while !Task.isCancelled {
                tick = tick + .seconds(1)
                try? await Task.sleep(until: tick, clock: clock)
                if Task.isCancelled { break }
                let now = received.load(ordering: .relaxed)
                writeToStandardOutput("Consume TPS: \(now - last) total: \(now)\n")
                last = now
            }
        }
        if limit != nil {
            // The count, or --duration seconds at most when it never comes (a backlog short of it).
            let timeout = Task {
                try await Task.sleep(for: .seconds(options.duration))
                doneContinuation.finish()
            }
            var iterator = done.makeAsyncIterator()
            _ = await iterator.next()
            timeout.cancel()
            lastAt.withLockedValue { $0 = $0 ?? clock.now }
        } else {
            try? await Task.sleep(for: .seconds(options.duration))
            lastAt.withLockedValue { $0 = clock.now }
        }
        progress.cancel()
        await consumer.shutdown()
        let began = firstAt.withLockedValue { $0 } ?? start
        let ended = lastAt.withLockedValue { $0 } ?? clock.now
        let report = BenchReport(
            name: "consumer threads=\(threads)", messages: received.load(ordering: .relaxed), errors: 0,
            seconds: (ended - began).seconds, histogram: histograms.withLockedValue { $0 }, unit: "ms born-to-consume")
        writeToStandardOutput(options.json ? report.jsonText() : report.text())
    }
}
