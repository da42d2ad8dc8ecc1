#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RemotingCodec
import RocketMQClient
import RocketMQModel

/// A push subscription: the messages of `topic` that pass `filter` are POSTed to `backurl`, consumed as
/// consumer group `group` (one group per subscription, so offsets, %RETRY% and %DLQ% are its own).
public struct PushSubscription: Codable, Sendable, Equatable {
    public var group: String
    public var topic: String
    /// A tag expression (`*`, `TagA || TagB`) or an SQL92 expression, per `filterType`.
    public var filter: String
    public var filterType: FilterType
    public var backurl: String
    /// One message at a time per queue, in queue order (Java's orderly consumer).
    public var orderly: Bool
    /// Deliveries after the first before the message goes to `%DLQ%group`.
    public var maxReconsumeTimes: Int32
    /// How long a delivery may take before it counts as failed.
    public var timeoutMs: Int64
    /// Deliveries in flight at once (Java `consumeThreadMax`).
    public var concurrency: Int
    /// Deliveries per second at most; 0 for no limit.
    public var rateLimit: Double
    /// When set, each delivery carries an HMAC-SHA256 signature made with it.
    public var secret: String?
    /// Where a new group starts: `CONSUME_FROM_LAST_OFFSET` (Java's default) or `CONSUME_FROM_FIRST_OFFSET`.
    public var consumeFromWhere: String
    /// Deliver only once the backurl echoed the confirmation token.
    public var confirm: Bool

    public enum FilterType: String, Codable, Sendable {
        case tag = "TAG"
        case sql92 = "SQL92"
    }

    public init(group: String, topic: String, backurl: String, filter: String = "*", filterType: FilterType = .tag,
                orderly: Bool = false, maxReconsumeTimes: Int32 = 16, timeoutMs: Int64 = 5000, concurrency: Int = 20,
                rateLimit: Double = 0, secret: String? = nil, consumeFromWhere: String = "CONSUME_FROM_LAST_OFFSET",
                confirm: Bool = false) {
        self.group = group
        self.topic = topic
        self.backurl = backurl
        self.filter = filter
        self.filterType = filterType
        self.orderly = orderly
        self.maxReconsumeTimes = maxReconsumeTimes
        self.timeoutMs = timeoutMs
        self.concurrency = concurrency
        self.rateLimit = rateLimit
        self.secret = secret
        self.consumeFromWhere = consumeFromWhere
        self.confirm = confirm
    }

    private enum CodingKeys: String, CodingKey {
        case group, topic, filter, filterType, backurl, orderly, maxReconsumeTimes, timeoutMs, concurrency, rateLimit,
             secret, consumeFromWhere, confirm
    }

    /// Only group, topic and backurl are required; the rest has the defaults of ``init(group:topic:backurl:filter:filterType:orderly:maxReconsumeTimes:timeoutMs:concurrency:rateLimit:secret:consumeFromWhere:confirm:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PushSubscription(group: "", topic: "", backurl: "")
        group = try container.decode(String.self, forKey: .group)
        topic = try container.decode(String.self, forKey: .topic)
        backurl = try container.decode(String.self, forKey: .backurl)
        filter = try container.decodeIfPresent(String.self, forKey: .filter) ?? defaults.filter
        filterType = try container.decodeIfPresent(FilterType.self, forKey: .filterType) ?? defaults.filterType
        orderly = try container.decodeIfPresent(Bool.self, forKey: .orderly) ?? defaults.orderly
        maxReconsumeTimes = try container.decodeIfPresent(Int32.self, forKey: .maxReconsumeTimes) ?? defaults.maxReconsumeTimes
        timeoutMs = try container.decodeIfPresent(Int64.self, forKey: .timeoutMs) ?? defaults.timeoutMs
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? defaults.concurrency
        rateLimit = try container.decodeIfPresent(Double.self, forKey: .rateLimit) ?? defaults.rateLimit
        secret = try container.decodeIfPresent(String.self, forKey: .secret)
        consumeFromWhere = try container.decodeIfPresent(String.self, forKey: .consumeFromWhere) ?? defaults.consumeFromWhere
        confirm = try container.decodeIfPresent(Bool.self, forKey: .confirm) ?? defaults.confirm
    }

    /// The rules a request must meet (400 otherwise).
    func validate() throws(GatewayError) {
        if group.isEmpty || TopicValidator.isTopicOrGroupIllegal(group) {
            throw .badRequest("group \(group) is empty or has characters other than letters, digits, %, -, _ and |")
        }
        if MixAll.isSysConsumerGroup(group) { throw .badRequest("group \(group) is a system group") }
        if let violation = TopicValidator.validate(topic) { throw .badRequest(violation.remark) }
        if MixAll.isRetryTopic(topic) || topic.hasPrefix(MixAll.dlqGroupTopicPrefix) {
            throw .badRequest("subscribe to the topic itself, not to its %RETRY% or %DLQ% topic")
        }
        guard let url = URL(string: backurl), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw .badRequest("backurl must be an http:// or https:// URL, got \(backurl)")
        }
        if filter.allSatisfy(\.isWhitespace) && filterType == .sql92 {
            throw .badRequest("an SQL92 filter needs an expression")
        }
        guard maxReconsumeTimes >= 0 && maxReconsumeTimes <= 64 else { throw .badRequest("maxReconsumeTimes must be 0…64") }
        guard timeoutMs > 0 && timeoutMs <= 15 * 60 * 1000 else { throw .badRequest("timeoutMs must be 1…900000") }
        guard concurrency >= 1 && concurrency <= 256 else { throw .badRequest("concurrency must be 1…256") }
        guard rateLimit >= 0 && rateLimit.isFinite else { throw .badRequest("rateLimit must be ≥ 0 messages/s") }
        guard consumeFromWhere == ConsumeFromWhere.consumeFromLastOffset.rawValue
                || consumeFromWhere == ConsumeFromWhere.consumeFromFirstOffset.rawValue else {
            throw .badRequest("consumeFromWhere must be CONSUME_FROM_LAST_OFFSET or CONSUME_FROM_FIRST_OFFSET")
        }
    }
}

/// A subscription as the gateway keeps it: what was asked, and whether the backurl confirmed it.
struct SubscriptionRecord: Codable, Sendable, Equatable {
    var subscription: PushSubscription
    /// False while a confirmation token waits to be echoed.
    var confirmed: Bool
    var confirmationToken: String?
    var createdAt: Int64
}
