import RemotingCodec
import RocketMQModel

/// How a subscription filters (Java `ExpressionType`).
public enum ExpressionType: String, Sendable {
    /// Tags joined by `||`, or `*` for all.
    case tag = "TAG"
    /// An SQL92 expression over the message's properties (the broker needs `enablePropertyFilter`).
    case sql92 = "SQL92"
}

extension SubscriptionData {
    /// Java `FilterAPI.buildSubscriptionData`: `*` or empty subscribes to all; tags are split on `||`,
    /// trimmed, and their Java hash codes kept beside them.
    static func build(topic: String, expression: String, type: ExpressionType,
                      subVersion: Int64 = SystemClock.currentTimeMillis()) -> SubscriptionData {
        let trimmed = expression.trimmingWhitespace
        guard type == .tag else {
            return SubscriptionData(topic: topic, subString: trimmed, subVersion: subVersion, expressionType: type.rawValue,
                                    tagsSet: [], codeSet: [])
        }
        guard !trimmed.isEmpty, trimmed != SubscriptionData.subAll else {
            return SubscriptionData(topic: topic, subString: SubscriptionData.subAll, subVersion: subVersion, tagsSet: [], codeSet: [])
        }
        var tags: [String] = []
        for piece in trimmed.split(separator: "||", omittingEmptySubsequences: true) {
            let tag = String(piece).trimmingWhitespace
            if !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        return SubscriptionData(topic: topic, subString: trimmed, subVersion: subVersion, tagsSet: tags,
                                codeSet: tags.map { JavaHash.hashCode($0) })
    }

    /// Whether a pulled message passes the client-side tag check (the broker compared hash codes only).
    func accepts(_ message: ReceivedMessage) -> Bool {
        guard expressionType == ExpressionType.tag.rawValue, !classFilterMode, !tagsSet.isEmpty else { return true }
        guard let tags = message.tags else { return false }
        return tagsSet.contains(tags)
    }
}

extension String {
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}

/// Java `AllocateMessageQueueAveragely`: consecutive blocks of queues, the first `mod` consumers one more.
enum AllocateMessageQueueAveragely {
    static func allocate(_ queues: [MessageQueue], consumers: [String], me: String) -> [MessageQueue] {
        guard !queues.isEmpty, let index = consumers.firstIndex(of: me) else { return [] }
        let count = queues.count, members = consumers.count
        let mod = count % members
        let averageSize = count <= members ? 1 : (mod > 0 && index < mod ? count / members + 1 : count / members)
        let startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod
        let range = min(averageSize, count - startIndex)
        guard range > 0 else { return [] }
        return (0..<range).map { queues[(startIndex + $0) % count] }
    }
}
