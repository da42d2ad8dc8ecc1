import CoreMetrics
import MessageStore
import NIOConcurrencyHelpers
import RemotingNIO

/// The broker's RocketMQ 5 metrics (Java `BrokerMetricsManager`), fed from what the broker already counts:
/// `BrokerStats`' per-topic and per-group totals become `rocketmq_messages_in_total` /
/// `rocketmq_throughput_in_total` (by topic) and `rocketmq_messages_out_total` / `rocketmq_throughput_out_total`
/// (by topic and consumer group), consumer offsets become `rocketmq_consumer_lag_messages`, and the store's
/// positions become gauges. `collect()` runs when the metrics are scraped, so sends and pulls pay nothing
/// for them. `rocketmq_rpc_latency` is recorded per request by the remoting handler (`rpc`).
///
/// Replication (RocketMQ 5 has no HA metric; the names follow Java's `slaveFallBehindMuch` and HA
/// `connectionCount`): a master reports `rocketmq_ha_slave_connections` and, once a slave has connected,
/// `rocketmq_ha_slave_fall_behind_bytes` = its commit log's max offset − the highest offset a slave acknowledged
/// (Java `push2SlaveMaxOffset`; a master that never had a slave reports none, as it would be the whole log). A
/// slave reports the same gauge from its end: the master's `commitLogMaxOffset` as last read − its own. The
/// 4.9.8 HA protocol does not name a slave, so there is no per-slave label.
///
/// Labels are topics and groups only (bounded by the broker's tables), never client ids, addresses or message ids.
public final class BrokerMetrics: Sendable {
    public let rpc: RPCMetrics
    private let factory: any MetricsFactory
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// The totals already added to each counter, to add only what came since.
        var putSeen: [String: (messages: Int64, bytes: Int64)] = [:]
        var getSeen: [BrokerStats.TopicGroup: (messages: Int64, bytes: Int64)] = [:]
        var messagesIn: [String: Counter] = [:]
        var throughputIn: [String: Counter] = [:]
        var messagesOut: [BrokerStats.TopicGroup: Counter] = [:]
        var throughputOut: [BrokerStats.TopicGroup: Counter] = [:]
        var lag: [BrokerStats.TopicGroup: Gauge] = [:]
        var store: [String: Gauge] = [:]
    }

    static let slaveFallBehind = "rocketmq_ha_slave_fall_behind_bytes"
    static let slaveConnections = "rocketmq_ha_slave_connections"

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        self.rpc = RPCMetrics(factory: factory)
    }

    /// Brings every metric up to date (called before each scrape). `masterCommitLogMaxOffset`: on a slave, the
    /// master's max offset as last read (nil until then).
    public func collect(stats: BrokerStats, store: LocalFileMessageStore, metadata: BrokerMetadata, masterCommitLogMaxOffset: Int64? = nil) {
        let totals = stats.totals
        let offsets = metadata.withState { $0.offsets.wrapper }
        // Lag per group and topic (Java `ConsumerLagCalculator`): the queue's max offset minus the committed one.
        var lag: [BrokerStats.TopicGroup: Int64] = [:]
        for entry in offsets.offsetTable {
            guard let at = entry.key.firstIndex(of: "@") else { continue }
            let key = BrokerStats.TopicGroup(topic: String(entry.key[..<at]), group: String(entry.key[entry.key.index(after: at)...]))
            var behind: Int64 = 0
            for queue in entry.offsets {
                behind += max(0, store.getMaxOffsetInQueue(topic: key.topic, queueId: queue.queueId) - queue.offset)
            }
            lag[key] = behind
        }
        let config = store.config
        let storeFigures: [(String, Double)] = [
            ("rocketmq_storage_size", Double(store.maxPhysicalOffset - store.minPhysicalOffset)),
            ("rocketmq_commitlog_min_offset", Double(store.minPhysicalOffset)),
            ("rocketmq_commitlog_max_offset", Double(store.maxPhysicalOffset)),
            ("rocketmq_storage_flush_behind_bytes", Double(max(0, store.maxPhysicalOffset - store.flushedPhysicalOffset))),
            ("rocketmq_storage_dispatch_behind_bytes", Double(store.dispatchBehindBytes)),
            ("rocketmq_commitlog_disk_ratio", DiskUsage.usedRatio(config.storePathCommitLog)),
            ("rocketmq_consumequeue_disk_ratio", DiskUsage.usedRatio(config.storePathConsumeQueue)),
            ("rocketmq_storage_page_cache_busy", store.isOSPageCacheBusy ? 1 : 0),
            ("rocketmq_storage_disk_full", store.isDiskFull ? 1 : 0),
        ]
        // (value, whether to make the gauge if not made yet): a lag gauge appears once there is a slave.
        var replication: [(String, Double, Bool)] = []
        if config.brokerRole == .slave {
            if let master = masterCommitLogMaxOffset {
                replication.append((Self.slaveFallBehind, Double(max(0, master - store.maxPhysicalOffset)), true))
            }
        } else {
            let transfer = store.groupTransfer
            let connections = transfer.connectionCount
            let acknowledged = transfer.push2SlaveMaxOffset
            replication.append((Self.slaveConnections, Double(connections), true))
            replication.append((Self.slaveFallBehind, Double(max(0, store.maxPhysicalOffset - acknowledged)), connections > 0 || acknowledged > 0))
        }
        let factory = self.factory
        state.withLockedValue { state in
            for (topic, now) in totals.putByTopic {
                let seen = state.putSeen[topic] ?? (0, 0)
                let labels = [("topic", topic)]
                Self.counter(&state.messagesIn, topic, "rocketmq_messages_in_total", labels, factory).increment(by: max(0, now.messages - seen.messages))
                Self.counter(&state.throughputIn, topic, "rocketmq_throughput_in_total", labels, factory).increment(by: max(0, now.bytes - seen.bytes))
                state.putSeen[topic] = now
            }
            for (key, now) in totals.getByTopicAndGroup {
                let seen = state.getSeen[key] ?? (0, 0)
                let labels = [("topic", key.topic), ("consumer_group", key.group)]
                Self.counter(&state.messagesOut, key, "rocketmq_messages_out_total", labels, factory).increment(by: max(0, now.messages - seen.messages))
                Self.counter(&state.throughputOut, key, "rocketmq_throughput_out_total", labels, factory).increment(by: max(0, now.bytes - seen.bytes))
                state.getSeen[key] = now
            }
            for (key, value) in lag {
                if state.lag[key] == nil {
                    state.lag[key] = Gauge(
                        label: "rocketmq_consumer_lag_messages", dimensions: [("topic", key.topic), ("consumer_group", key.group)],
                        factory: factory)
                }
                state.lag[key]?.record(value)
            }
            for (name, value) in storeFigures {
                if state.store[name] == nil { state.store[name] = Gauge(label: name, dimensions: [], factory: factory) }
                state.store[name]?.record(value)
            }
            for (name, value, make) in replication {
                if state.store[name] == nil, make { state.store[name] = Gauge(label: name, dimensions: [], factory: factory) }
                state.store[name]?.record(value)
            }
        }
    }

    private static func counter<Key: Hashable>(
        _ table: inout [Key: Counter], _ key: Key, _ label: String, _ dimensions: [(String, String)], _ factory: any MetricsFactory
    ) -> Counter {
        if let counter = table[key] { return counter }
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        table[key] = counter
        return counter
    }
}
