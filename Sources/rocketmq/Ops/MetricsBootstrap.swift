#if canImport(Glibc)
import Glibc
#endif
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import RemotingNIO

/// The process's Prometheus registry: `bootstrapMetrics()` makes it swift-metrics' backend once, before
/// the servers create their metrics (libraries only use swift-metrics; STYLE §4).
enum PrometheusExport {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests mostly answer within a millisecond; long polls and sync flushes take up to seconds.
        factory.durationHistogramBuckets[RPCMetrics.latencyLabel] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(3), .milliseconds(5),
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(3),
        ]
        factory.durationHistogramBuckets["rocketmq_storage_flush_latency"] = [
            .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(500), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    private static let process = ProcessFigures(registry: registry)

    /// HELP lines for the metrics the libraries make (swift-metrics has no help text; promtool asks for it).
    static let help: [String: String] = [
        "rocketmq_messages_in_total": "Messages stored, by topic.",
        "rocketmq_throughput_in_total": "Bytes of the stored records, by topic.",
        "rocketmq_messages_out_total": "Messages pulls returned, by topic and consumer group.",
        "rocketmq_throughput_out_total": "Bytes of the messages pulls returned, by topic and consumer group.",
        "rocketmq_consumer_lag_messages": "Messages stored but not yet consumed (max offset - committed offset), by topic and consumer group.",
        RPCMetrics.latencyLabel: "Seconds from a request's decode to its response, by request and response code.",
        "rocketmq_storage_size": "Bytes the commit log holds (max - min physical offset).",
        "rocketmq_commitlog_min_offset": "The commit log's min physical offset.",
        "rocketmq_commitlog_max_offset": "The commit log's max physical offset.",
        "rocketmq_storage_flush_behind_bytes": "Commit-log bytes written but not flushed.",
        "rocketmq_storage_dispatch_behind_bytes": "Commit-log bytes not yet dispatched to consume queues and the index.",
        "rocketmq_storage_flush_latency": "Seconds a commit-log flush that wrote pages took.",
        "rocketmq_commitlog_disk_ratio": "Used fraction of the commit log's disk partition.",
        "rocketmq_consumequeue_disk_ratio": "Used fraction of the consume queues' disk partition.",
        "rocketmq_storage_page_cache_busy": "1 while an append holds the commit log too long (puts answer OS page cache busy).",
        "rocketmq_storage_disk_full": "1 while the store is read-only for lack of disk space.",
        "rocketmq_ha_slave_connections": "Slaves connected to this master's HA port.",
        "rocketmq_ha_slave_fall_behind_bytes":
            "Commit-log bytes the slave lacks (Java slaveFallBehindMuch): on a master, max offset - the highest slave acknowledgement; on a slave, the master's max offset as last read (every 10 s) - its own.",
    ]

    /// The text exposition of every metric, after `collect` brought the pull-style ones up to date.
    static func scrape(collect: () -> Void) -> [UInt8] {
        collect()
        process.collect()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return withHelp(buffer)
    }

    private static let typePrefix = Array("# TYPE ".utf8)
    private static let helpPrefix = Array("# HELP ".utf8)

    /// Puts a `# HELP` line before each `# TYPE` line of a metric in `help` that has none.
    static func withHelp(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 2048)
        var previousWasHelp = false
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if !previousWasHelp, line.starts(with: typePrefix) {
                let name = String(decoding: line.dropFirst(7).prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
                if let text = help[name] { output += "# HELP \(name) \(text)\n".utf8 }
            }
            previousWasHelp = line.starts(with: helpPrefix)
            output += line
            output.append(UInt8(ascii: "\n"))
        }
        // split leaves one empty piece after the final newline.
        if output.count >= 2, output[output.count - 1] == UInt8(ascii: "\n"), output[output.count - 2] == UInt8(ascii: "\n") {
            output.removeLast()
        }
        return output
    }
}

/// Bootstraps swift-metrics with Prometheus (servers call it once at start, like `bootstrapLogging`).
func bootstrapMetrics() {
    _ = PrometheusExport.registry
}

/// Process RSS and CPU time from `/proc/self` (Prometheus' standard `process_*` names), read at each scrape.
final class ProcessFigures: Sendable {
    private let residentMemory: Prometheus.Gauge
    private let cpuSeconds: Prometheus.Counter
    private let openFDs: Prometheus.Gauge
    private let cpuSecondsSeen = NIOLockedValueBox<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        residentMemory = registry.makeGauge(name: "process_resident_memory_bytes", labels: [], help: "Resident set size in bytes.")
        cpuSeconds = registry.makeCounter(name: "process_cpu_seconds_total", labels: [], help: "User and system CPU time in seconds.")
        openFDs = registry.makeGauge(name: "process_open_fds", labels: [], help: "Open file descriptors.")
    }

    func collect() {
        #if os(Linux)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = Self.read("/proc/self/statm")?.split(separator: " "), statm.count > 1, let pages = Double(statm[1]) {
            residentMemory.set(pages * pageSize)
        }
        // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        if let stat = Self.read("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]), ticks > 0 {
                let total = (user + system) / ticks
                let delta = cpuSecondsSeen.withLockedValue { seen -> Double in
                    let delta = max(0, total - seen)
                    seen = max(seen, total)
                    return delta
                }
                cpuSeconds.increment(by: delta)
            }
        }
        openFDs.set(Double(Self.openFileDescriptors()))
        #endif
    }

    #if os(Linux)
    /// Linux ≥ 6.2 gives the count as the size of `/proc/self/fd`: listing a broker's thousand-odd descriptors
    /// (mapped files, connections) was half of a scrape's CPU. Older kernels report 0 there, so they list.
    private static func openFileDescriptors() -> Int {
        var info = stat()
        if stat("/proc/self/fd", &info) == 0, info.st_size > 0 { return Int(info.st_size) }
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        closedir(directory)
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }
    #endif

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = fread(&bytes, 1, bytes.count, file)
        return String(decoding: bytes[..<count], as: UTF8.self).split(separator: "\n").first.map(String.init)
    }
}
