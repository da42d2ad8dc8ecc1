import MessageStore
import NIOCore
import RocketMQModel

/// The compiled SQL92 subscriptions of consumer groups (Java `ConsumerFilterManager`), registered by
/// heartbeats and used by pulls that do not carry their subscription.
public struct ConsumerFilterTable: Sendable {
    public struct FilterData: Sendable {
        public var expression: String
        public var compiled: SQLExpression
        /// The subscription's version when it was registered.
        public var clientVersion: Int64
    }

    /// group → topic → filter.
    private var table: [String: [String: FilterData]] = [:]

    public init() {}

    /// Java `register`: compiles a newer expression; one that does not compile leaves no filter, so pulls
    /// answer FILTER_DATA_NOT_EXIST.
    public mutating func register(group: String, topic: String, expressionType: String, expression: String, clientVersion: Int64) {
        if let old = table[group]?[topic], old.expression == expression, old.clientVersion >= clientVersion { return }
        do {
            let compiled = try SQLFilter.compile(expressionType: expressionType, expression: expression)
            table[group, default: [:]][topic] = FilterData(expression: expression, compiled: compiled, clientVersion: clientVersion)
        } catch {
            table[group]?[topic] = nil
        }
    }

    public func filter(group: String, topic: String) -> FilterData? { table[group]?[topic] }

    /// Java `unRegister` when a group's last member left: only the groups still present keep filters.
    public mutating func retainGroups(_ isPresent: (String) -> Bool) {
        table = table.filter { isPresent($0.key) }
    }
}

/// The store-side filter of a pull: tag hash codes from the consume queue, or an SQL92 expression evaluated
/// on each candidate's stored properties (Java `ExpressionMessageFilter`).
public enum PullMessageFilter: MessageFilter {
    case tags(TagsCodeFilter)
    case sql(SQLExpression)

    public func isMatchedByConsumeQueue(tagsCode: Int64) -> Bool {
        switch self {
        case .tags(let filter): filter.isMatchedByConsumeQueue(tagsCode: tagsCode)
        case .sql: true
        }
    }

    public func isMatchedByCommitLog(_ entry: UnsafeRawBufferPointer) -> Bool {
        guard case .sql(let expression) = self else { return true }
        var buffer = ByteBuffer(bytes: entry)
        guard let message = try? StoredMessage.decode(from: &buffer) else { return false }
        return expression.matches(message.properties)
    }
}
