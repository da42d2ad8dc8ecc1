import RemotingCodec
import RocketMQModel

/// The writable queues of a topic as a producer sees them (Java `TopicPublishInfo`), built from a route
/// as Java's `topicRouteData2TopicPublishInfo` does: ordered topics from `orderTopicConf`, otherwise the
/// writable queues of every broker that has a master.
struct TopicPublishInfo: Sendable {
    var queues: [MessageQueue]
    var orderTopic: Bool
    var route: TopicRouteData

    init(topic: String, route: TopicRouteData) {
        self.route = route
        var queues: [MessageQueue] = []
        if let conf = route.orderTopicConf, !conf.isEmpty {
            orderTopic = true
            for entry in conf.split(separator: ";") {
                let parts = entry.split(separator: ":")
                guard parts.count == 2, let count = Int32(parts[1]) else { continue }
                for queueId in 0..<count {
                    queues.append(MessageQueue(topic: topic, brokerName: String(parts[0]), queueId: queueId))
                }
            }
        } else {
            orderTopic = false
            for queueData in route.queueDatas.sorted(by: { $0.brokerName < $1.brokerName })
            where PermName.isWriteable(queueData.perm) {
                guard let broker = route.brokerDatas.first(where: { $0.brokerName == queueData.brokerName }),
                      broker.brokerAddrs[MixAll.masterId] != nil else { continue }
                for queueId in 0..<queueData.writeQueueNums {
                    queues.append(MessageQueue(topic: topic, brokerName: queueData.brokerName, queueId: queueId))
                }
            }
        }
        self.queues = queues
    }

    /// The readable queues (Java `topicRouteData2TopicSubscribeInfo`).
    static func subscribeQueues(topic: String, route: TopicRouteData) -> [MessageQueue] {
        var queues: [MessageQueue] = []
        for queueData in route.queueDatas where PermName.isReadable(queueData.perm) {
            for queueId in 0..<queueData.readQueueNums {
                queues.append(MessageQueue(topic: topic, brokerName: queueData.brokerName, queueId: queueId))
            }
        }
        return queues.sorted()
    }

    /// A producer's route for a topic the name servers do not know yet: the default topic's brokers with
    /// `min(defaultTopicQueueNums, readQueueNums)` queues each, so that the broker creates the topic on
    /// the first send (Java `updateTopicRouteInfoFromNameServer(topic, true, producer)`).
    static func fromDefaultTopic(_ route: TopicRouteData, queueNums: Int32) -> TopicRouteData {
        var route = route
        for index in route.queueDatas.indices {
            let nums = min(queueNums, route.queueDatas[index].readQueueNums)
            route.queueDatas[index].readQueueNums = nums
            route.queueDatas[index].writeQueueNums = nums
        }
        return route
    }
}

/// Brokers to avoid after slow or failed sends (Java `MQFaultStrategy` + `LatencyFaultToleranceImpl`):
/// a send that took at least `latencyMax[i]` ms makes its broker unavailable for
/// `notAvailableDuration[i]` ms; a failed send counts as 30 s.
struct LatencyFaultTolerance: Sendable {
    static let latencyMax: [Int64] = [50, 100, 550, 1000, 2000, 3000, 15000]
    static let notAvailableDuration: [Int64] = [0, 0, 30000, 60000, 120000, 180000, 600000]

    private var availableAt: [String: Int64] = [:]

    mutating func update(brokerName: String, latencyMillis: Int64, isolation: Bool, now: Int64) {
        let latency = isolation ? 30000 : latencyMillis
        var duration: Int64 = 0
        for index in Self.latencyMax.indices.reversed() where latency >= Self.latencyMax[index] {
            duration = Self.notAvailableDuration[index]
            break
        }
        availableAt[brokerName] = now + duration
    }

    func isAvailable(_ brokerName: String, now: Int64) -> Bool {
        guard let at = availableAt[brokerName] else { return true }
        return now >= at
    }
}
