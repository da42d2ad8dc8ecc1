import RemotingCodec
import RemotingNIO

/// One client connection of a producer or consumer group (Java `ClientChannelInfo`).
public struct ClientChannelInfo: Sendable, Equatable {
    public let connection: RemotingConnection
    public var clientId: String
    public var language: LanguageCode
    public var version: Int32
    public var lastUpdateTimestamp: Int64
}

/// A consumer group's live members and subscriptions (Java `ConsumerGroupInfo`).
public struct ConsumerGroupInfo: Sendable, Equatable {
    public var groupName: String
    public var consumeType: ConsumeType
    public var messageModel: MessageModel
    public var consumeFromWhere: ConsumeFromWhere
    public var channels: [UInt64: ClientChannelInfo] = [:]
    /// topic → subscription, as the latest heartbeat stated it.
    public var subscriptionTable: [String: SubscriptionData] = [:]

    /// Client ids of the live members (GET_CONSUMER_LIST_BY_GROUP), in connection order.
    public var clientIds: [String] { channels.sorted { $0.key < $1.key }.map(\.value.clientId) }
}

/// Who is connected (Java `ConsumerManager` + `ProducerManager`), as a value. Registration reports
/// whether the group's membership or topics changed, which is when Java notifies the group.
public struct ClientRegistry: Sendable {
    /// Java's `CHANNEL_EXPIRED_TIMEOUT`: a client silent this long is dropped.
    public static let channelExpiredMillis: Int64 = 120_000

    public private(set) var consumerGroups: [String: ConsumerGroupInfo] = [:]
    /// producer group → connection id → channel.
    public private(set) var producerGroups: [String: [UInt64: ClientChannelInfo]] = [:]

    public init() {}

    /// Java `registerConsumer`: true when a new member joined or the set of subscribed topics changed.
    public mutating func registerConsumer(
        _ data: ConsumerData, channel: ClientChannelInfo, now: Int64
    ) -> Bool {
        var group = consumerGroups[data.groupName] ?? ConsumerGroupInfo(
            groupName: data.groupName, consumeType: data.consumeType, messageModel: data.messageModel,
            consumeFromWhere: data.consumeFromWhere)
        group.consumeType = data.consumeType
        group.messageModel = data.messageModel
        group.consumeFromWhere = data.consumeFromWhere
        var changed = group.channels[channel.connection.id] == nil
        var info = channel
        info.lastUpdateTimestamp = now
        group.channels[channel.connection.id] = info
        for subscription in data.subscriptionDataSet {
            if let old = group.subscriptionTable[subscription.topic] {
                if subscription.subVersion > old.subVersion { group.subscriptionTable[subscription.topic] = subscription }
            } else {
                group.subscriptionTable[subscription.topic] = subscription
                changed = true
            }
        }
        let topics = Set(data.subscriptionDataSet.map(\.topic))
        for topic in group.subscriptionTable.keys where !topics.contains(topic) {
            group.subscriptionTable[topic] = nil
            changed = true
        }
        consumerGroups[data.groupName] = group
        return changed
    }

    public mutating func registerProducer(group: String, channel: ClientChannelInfo, now: Int64) {
        var info = channel
        info.lastUpdateTimestamp = now
        producerGroups[group, default: [:]][channel.connection.id] = info
    }

    /// Java `ProducerManager.findChannel`: the connection of a producer client, by client id.
    public func findProducerConnection(clientId: String) -> RemotingConnection? {
        for channels in producerGroups.values {
            if let channel = channels.values.first(where: { $0.clientId == clientId }) { return channel.connection }
        }
        return nil
    }

    /// Java `ProducerManager.getAvailableChannel`: a live connection of the producer group (transaction checks).
    public func availableProducerConnection(group: String) -> RemotingConnection? {
        producerGroups[group]?.sorted { $0.key < $1.key }.map(\.value.connection).first { $0.isActive }
    }

    /// UNREGISTER_CLIENT for a consumer group: true when a member left (the rest are notified).
    public mutating func unregisterConsumer(group: String, connection: RemotingConnection) -> Bool {
        guard var info = consumerGroups[group], info.channels.removeValue(forKey: connection.id) != nil else { return false }
        consumerGroups[group] = info.channels.isEmpty ? nil : info
        return true
    }

    public mutating func unregisterProducer(group: String, connection: RemotingConnection) {
        producerGroups[group]?[connection.id] = nil
        if producerGroups[group]?.isEmpty == true { producerGroups[group] = nil }
    }

    /// A connection closed (or expired): removed everywhere; returns the consumer groups that lost a
    /// member and still have others to notify.
    public mutating func connectionClosed(_ connection: RemotingConnection) -> [String] {
        var shrunk: [String] = []
        for (name, var info) in consumerGroups where info.channels[connection.id] != nil {
            info.channels[connection.id] = nil
            consumerGroups[name] = info.channels.isEmpty ? nil : info
            if !info.channels.isEmpty { shrunk.append(name) }
        }
        for (name, var channels) in producerGroups where channels[connection.id] != nil {
            channels[connection.id] = nil
            producerGroups[name] = channels.isEmpty ? nil : channels
        }
        return shrunk.sorted()
    }

    /// Connections not refreshed for 120 s (Java's 10-second `scanNotActiveChannel`).
    public func expiredConnections(now: Int64) -> [RemotingConnection] {
        var expired: [UInt64: RemotingConnection] = [:]
        for group in consumerGroups.values {
            for channel in group.channels.values where channel.lastUpdateTimestamp + Self.channelExpiredMillis < now {
                expired[channel.connection.id] = channel.connection
            }
        }
        for channels in producerGroups.values {
            for channel in channels.values where channel.lastUpdateTimestamp + Self.channelExpiredMillis < now {
                expired[channel.connection.id] = channel.connection
            }
        }
        return expired.sorted { $0.key < $1.key }.map(\.value)
    }
}

extension ClientChannelInfo {
    public init(connection: RemotingConnection, clientId: String, language: LanguageCode, version: Int32) {
        self.init(connection: connection, clientId: clientId, language: language, version: version, lastUpdateTimestamp: 0)
    }
}
