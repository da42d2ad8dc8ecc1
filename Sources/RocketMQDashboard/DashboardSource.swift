/// Where the dashboard's figures come from: a client of a RocketMQ cluster (the `rocketmq` CLI answers
/// with its admin client and producer, so the dashboard works against Apache RocketMQ as well). Each call
/// is one page's worth of requests; nothing is cached between pages.
public protocol DashboardSource: Sendable {
    func cluster() async throws -> ClusterView
    func topics() async throws -> [TopicRow]
    func topic(_ name: String) async throws -> TopicView
    func groups() async throws -> [GroupRow]
    func group(_ name: String) async throws -> GroupView
    /// Messages of `topic` with the key `key`, or the message with the id `msgId` (offset or unique key).
    func messages(topic: String, key: String?, msgId: String?) async throws -> [MessageView]
    /// Sends a test message; returns the send result as the producer reports it.
    func sendTestMessage(topic: String, tags: String?, keys: String?, body: String) async throws -> String
    /// The cluster's messages in and out per second right now (the masters' `putTps` and `getTransferedTps`).
    func throughput() async throws -> Throughput
}

public struct Throughput: Sendable, Equatable {
    public var inTps: Double
    public var outTps: Double
    public init(inTps: Double, outTps: Double) {
        self.inTps = inTps
        self.outTps = outTps
    }
}

/// The cluster page: name servers and every broker the name servers know (Java dashboard's "Cluster").
public struct ClusterView: Sendable {
    public var nameServers: [String]
    public var brokers: [BrokerRow]
    public init(nameServers: [String], brokers: [BrokerRow]) {
        self.nameServers = nameServers
        self.brokers = brokers
    }
}

public struct BrokerRow: Sendable {
    public var cluster: String
    public var brokerName: String
    public var brokerId: Int64
    /// ASYNC_MASTER, SYNC_MASTER or SLAVE (the broker's `brokerRole`).
    public var role: String
    public var address: String
    public var version: String
    public var putTps: String
    public var getTps: String
    public var msgPutTotalTodayNow: String
    public var msgGetTotalTodayNow: String
    /// `commitLogDiskRatio` as a percentage.
    public var diskRatio: String
    /// On a slave: commit-log bytes it lacks (its master's `commitLogMaxOffset` − its own); empty on a master.
    public var behindMaster: String
    public var error: String?
    public init(cluster: String, brokerName: String, brokerId: Int64, role: String, address: String, version: String, putTps: String,
                getTps: String, msgPutTotalTodayNow: String, msgGetTotalTodayNow: String, diskRatio: String, behindMaster: String = "",
                error: String? = nil) {
        self.cluster = cluster
        self.brokerName = brokerName
        self.brokerId = brokerId
        self.role = role
        self.address = address
        self.version = version
        self.putTps = putTps
        self.getTps = getTps
        self.msgPutTotalTodayNow = msgPutTotalTodayNow
        self.msgGetTotalTodayNow = msgGetTotalTodayNow
        self.diskRatio = diskRatio
        self.behindMaster = behindMaster
        self.error = error
    }
}

public struct TopicRow: Sendable {
    public var topic: String
    public var brokers: String
    public var readQueueNums: Int32
    public var writeQueueNums: Int32
    /// Σ max offsets: messages ever stored, for a topic nothing was deleted from.
    public var messages: Int64
    public init(topic: String, brokers: String, readQueueNums: Int32, writeQueueNums: Int32, messages: Int64) {
        self.topic = topic
        self.brokers = brokers
        self.readQueueNums = readQueueNums
        self.writeQueueNums = writeQueueNums
        self.messages = messages
    }
}

/// A topic: its route, each message queue's offsets, its put TPS and the groups consuming it.
public struct TopicView: Sendable {
    public struct Route: Sendable {
        public var brokerName: String
        public var addresses: String
        public var readQueueNums: Int32
        public var writeQueueNums: Int32
        public var perm: String
        public init(brokerName: String, addresses: String, readQueueNums: Int32, writeQueueNums: Int32, perm: String) {
            self.brokerName = brokerName
            self.addresses = addresses
            self.readQueueNums = readQueueNums
            self.writeQueueNums = writeQueueNums
            self.perm = perm
        }
    }

    public struct Queue: Sendable {
        public var brokerName: String
        public var queueId: Int32
        public var minOffset: Int64
        public var maxOffset: Int64
        public var lastUpdate: String
        public init(brokerName: String, queueId: Int32, minOffset: Int64, maxOffset: Int64, lastUpdate: String) {
            self.brokerName = brokerName
            self.queueId = queueId
            self.minOffset = minOffset
            self.maxOffset = maxOffset
            self.lastUpdate = lastUpdate
        }
    }

    public var topic: String
    public var routes: [Route]
    public var queues: [Queue]
    /// TOPIC_PUT_NUMS over the last minute, summed over the masters.
    public var putTps: String
    public var consumerGroups: [String]
    public init(topic: String, routes: [Route], queues: [Queue], putTps: String, consumerGroups: [String]) {
        self.topic = topic
        self.routes = routes
        self.queues = queues
        self.putTps = putTps
        self.consumerGroups = consumerGroups
    }
}

public struct GroupRow: Sendable {
    public var group: String
    public var members: Int
    public var consumeType: String
    public var messageModel: String
    public var consumeTps: String
    /// Messages stored but not yet consumed, summed over the group's queues.
    public var lag: Int64
    public init(group: String, members: Int, consumeType: String, messageModel: String, consumeTps: String, lag: Int64) {
        self.group = group
        self.members = members
        self.consumeType = consumeType
        self.messageModel = messageModel
        self.consumeTps = consumeTps
        self.lag = lag
    }
}

/// A consumer group: its online members, subscriptions and, per message queue, the broker's and the
/// group's offsets and the lag between them (mqadmin consumerProgress).
public struct GroupView: Sendable {
    public struct Member: Sendable {
        public var clientId: String
        public var clientAddr: String
        public var language: String
        public var version: String
        public init(clientId: String, clientAddr: String, language: String, version: String) {
            self.clientId = clientId
            self.clientAddr = clientAddr
            self.language = language
            self.version = version
        }
    }

    public struct Subscription: Sendable {
        public var topic: String
        public var expression: String
        public init(topic: String, expression: String) {
            self.topic = topic
            self.expression = expression
        }
    }

    public struct Queue: Sendable {
        public var topic: String
        public var brokerName: String
        public var queueId: Int32
        public var brokerOffset: Int64
        public var consumerOffset: Int64
        public var lag: Int64
        public var lastTimestamp: String
        public init(topic: String, brokerName: String, queueId: Int32, brokerOffset: Int64, consumerOffset: Int64, lag: Int64, lastTimestamp: String) {
            self.topic = topic
            self.brokerName = brokerName
            self.queueId = queueId
            self.brokerOffset = brokerOffset
            self.consumerOffset = consumerOffset
            self.lag = lag
            self.lastTimestamp = lastTimestamp
        }
    }

    public var group: String
    public var consumeType: String
    public var messageModel: String
    public var members: [Member]
    public var subscriptions: [Subscription]
    public var queues: [Queue]
    public var consumeTps: String
    public var totalLag: Int64
    /// Why members or offsets are missing (e.g. CONSUMER_NOT_ONLINE), as the broker said.
    public var notes: [String]
    public init(group: String, consumeType: String, messageModel: String, members: [Member], subscriptions: [Subscription],
                queues: [Queue], consumeTps: String, totalLag: Int64, notes: [String]) {
        self.group = group
        self.consumeType = consumeType
        self.messageModel = messageModel
        self.members = members
        self.subscriptions = subscriptions
        self.queues = queues
        self.consumeTps = consumeTps
        self.totalLag = totalLag
        self.notes = notes
    }
}

/// A stored message and what each consumer group did with it (Java `MessageTrack`).
public struct MessageView: Sendable {
    public struct Track: Sendable {
        public var consumerGroup: String
        public var trackType: String
        public init(consumerGroup: String, trackType: String) {
            self.consumerGroup = consumerGroup
            self.trackType = trackType
        }
    }

    public var offsetMsgId: String
    public var uniqKey: String
    public var topic: String
    public var tags: String
    public var keys: String
    public var brokerName: String
    public var queueId: Int32
    public var queueOffset: Int64
    public var storeTime: String
    public var storeHost: String
    public var body: String
    public var tracks: [Track]
    public init(offsetMsgId: String, uniqKey: String, topic: String, tags: String, keys: String, brokerName: String, queueId: Int32,
                queueOffset: Int64, storeTime: String, storeHost: String, body: String, tracks: [Track]) {
        self.offsetMsgId = offsetMsgId
        self.uniqKey = uniqKey
        self.topic = topic
        self.tags = tags
        self.keys = keys
        self.brokerName = brokerName
        self.queueId = queueId
        self.queueOffset = queueOffset
        self.storeTime = storeTime
        self.storeHost = storeHost
        self.body = body
        self.tracks = tracks
    }
}
