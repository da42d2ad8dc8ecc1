import ArgumentParser
import Atomics
import Histogram
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RemotingNIO
import RemotingCodec
import RocketMQClient

/// `rocketmq bench producer`: `--threads` senders, each sending `--size`-byte messages one after the
/// other (sync), with a window of sends in flight (async), or without answers (oneway).
struct BenchProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "producer", abstract: "Send as fast as the broker answers.")

    @OptionGroup var options: BenchOptions

    @Option(name: [.customShort("w"), .customLong("threads")], help: "Concurrent senders.")
    var threads = 64

    @Option(name: [.customShort("s"), .customLong("size")], help: "Body size in bytes.")
    var size = 128

    @Option(help: "sync, async or oneway.")
    var mode = "sync"

    @Option(help: "Sends in flight per sender in async mode.")
    var window = 8

    @Option(help: "Producer group.")
    var group = "benchmark_producer"

    @Option(help: "Give every message a tag.")
    var tag: String?

    func validate() throws {
        guard ["sync", "async", "oneway"].contains(mode) else { throw ValidationError("--mode is sync, async or oneway") }
        guard threads > 0, size > 0, window > 0 else { throw ValidationError("--threads, --size and --window must be positive") }
    }

    func run() async throws {
        var client = ClientConfiguration(namesrvAddr: options.namesrv)
        client.serializeType = options.serialize == "rocketmq" ? .rocketmq : .json
        // The senders run on the loop of their connections (see EventLoopTaskExecutor).
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        client.eventLoopGroup = loop
        let executor = EventLoopTaskExecutor(loop.next())
        client.taskExecutor = executor
        let producer = Producer(configuration: ProducerConfiguration(group: group), client: client)
        try await producer.start()
        let body = ByteBuffer(bytes: (0..<size).map { UInt8(97 + $0 % 26) })
        // Warm-up: the route, the topic and the connection exist before the clock starts.
        _ = try await producer.send(Message(topic: options.topic, body: body, tags: tag))

        let sent = ManagedAtomic<Int>(0), errors = ManagedAtomic<Int>(0), inFlight = ManagedAtomic<Int>(0)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(options.duration)
        let limit = options.count
        let claimed = ManagedAtomic<Int>(0)
        /// Whether another message may be sent (the count budget, else the clock).
        @Sendable func mayContinue(now: ContinuousClock.Instant? = nil) -> Bool {
            if let limit { return claimed.loadThenWrappingIncrement(ordering: .relaxed) < limit }
            return (now ?? clock.now) < deadline
        }
        let mode = self.mode, topic = options.topic, tag = self.tag, window = self.window

        let progress = Task {
            var last = 0
            var tick = start
            while !Task.isCancelled {
                tick = tick + .seconds(1)
                try? await Task.sleep(until: tick, clock: clock)
                if Task.isCancelled { break }
                let now = sent.load(ordering: .relaxed)
                writeToStandardOutput("Send TPS: \(now - last) in-flight: \(inFlight.load(ordering: .relaxed)) "
                    + "errors: \(errors.load(ordering: .relaxed)) total: \(now)\n")
                last = now
            }
        }
        // One histogram for all senders: they share one thread, and 64 histograms' counts missed the cache
        // on every record (5 % of the bench's CPU).
        let latencies = NIOLockedValueBox(Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three))
        @Sendable func record(_ took: Duration) {
            latencies.withLockedValue { _ = $0.record(UInt64(took.microseconds)) }
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<threads {
                group.addTask(executorPreference: executor) {
                    switch mode {
                    case "oneway":
                        while mayContinue() {
                            do {
                                try await producer.sendOneway(Message(topic: topic, body: body, tags: tag))
                                sent.wrappingIncrement(ordering: .relaxed)
                            } catch { errors.wrappingIncrement(ordering: .relaxed) }
                        }
                    case "async":
                        await withTaskGroup(of: Bool.self) { window_ in
                            var running = 0
                            func launch() {
                                window_.addTask {
                                    let began = clock.now
                                    inFlight.wrappingIncrement(ordering: .relaxed)
                                    defer { inFlight.wrappingDecrement(ordering: .relaxed) }
                                    do {
                                        _ = try await producer.send(Message(topic: topic, body: body, tags: tag))
                                        record(clock.now - began)
                                        return true
                                    } catch { return false }
                                }
                                running += 1
                            }
                            while running < window && mayContinue() { launch() }
                            while let succeeded = await window_.next() {
                                running -= 1
                                if succeeded {
                                    sent.wrappingIncrement(ordering: .relaxed)
                                } else {
                                    errors.wrappingIncrement(ordering: .relaxed)
                                }
                                if mayContinue() { launch() }
                            }
                        }
                    default:
                        // The clock read that ends a send starts the next one.
                        var now = clock.now
                        while mayContinue(now: now) {
                            let began = now
                            inFlight.wrappingIncrement(ordering: .relaxed)
                            do {
                                _ = try await producer.send(Message(topic: topic, body: body, tags: tag))
                                now = clock.now
                                record(now - began)
                                sent.wrappingIncrement(ordering: .relaxed)
                            } catch {
                                now = clock.now
                                errors.wrappingIncrement(ordering: .relaxed)
                            }
                            inFlight.wrappingDecrement(ordering: .relaxed)
                        }
                    }
                }
            }
        }
        let histogram = latencies.withLockedValue { $0 }
        let elapsed = clock.now - start
        progress.cancel()
        await producer.shutdown()
        let report = BenchReport(
            name: "producer \(mode) threads=\(threads) size=\(size)", messages: sent.load(ordering: .relaxed),
            errors: errors.load(ordering: .relaxed), seconds: elapsed.seconds, histogram: histogram, unit: "us")
        writeToStandardOutput(options.json ? report.jsonText() : report.text())
    }
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
