/// How a Java RocketMQ 4.9.8 broker handles SQL92 subscriptions around the expression itself (facts from
/// `ClientManageProcessor`, `PullMessageProcessor`, `ConsumerFilterManager`, `ExpressionMessageFilter`,
/// `FilterAPI`, `FilterFactory`, `ExpressionType`, `BrokerConfig` at tag `rocketmq-all-4.9.8`).
///
/// **Expression types.** `SubscriptionData.expressionType` is `TAG` or `SQL92` (exact, case-sensitive). A null or
/// empty type counts as `TAG` (``isTagType(_:)``). Any other type has no filter: `FilterFactory.get` is null.
///
/// **CHECK_CLIENT_CONFIG (46)**, sent by push and lite-pull consumers at `start()`; the client turns a failure into
/// an `MQClientException` with the response code and remark:
/// 1. no body or no subscription, or a tag type: `SUCCESS`, remark null;
/// 2. `enablePropertyFilter` false (the default): `SYSTEM_ERROR` (1), ``notSupportedRemark(expressionType:)``;
/// 3. the expression does not compile: `SUBSCRIPTION_PARSE_FAILED` (23), remark ``SQLFilterError/remark`` (for an
///    unknown type, the NullPointerException message of ``compile(expressionType:expression:)``);
/// 4. otherwise `SUCCESS`, remark null.
///
/// **HEART_BEAT.** Every heartbeat re-registers each non-tag subscription with `ConsumerFilterManager.register`
/// (whatever `enablePropertyFilter` says; an empty expression is skipped). It compiles the expression; on failure
/// it logs, stores nothing (an existing entry for the group is removed when the expression changed) and the
/// heartbeat still succeeds. An entry is kept per topic and group with the subscription's `subVersion`; a
/// heartbeat whose version is not newer than the stored one leaves the stored expression in place.
///
/// **PULL_MESSAGE (11)**, non-tag subscriptions, in this order:
/// - With the subscription flag (`PullSysFlag` 0x4, the subscription in the header): an empty expression gives
///   `SUBSCRIPTION_PARSE_FAILED` (23) with ``pullSubscriptionParseFailedRemark``. An expression that does not
///   compile does **not** fail the pull: Java's `ConsumerFilterManager.build` returns null (the following `assert` is
///   off in production), so the pull proceeds with no filter data and every message matches.
/// - Without the flag (push consumers): no stored filter data for the topic and group gives `FILTER_DATA_NOT_EXIST`
///   (27) ``filterDataNotExistRemark`` (this is what a bad expression ends in); stored data with a `clientVersion`
///   below the request's `subVersion` gives `FILTER_DATA_NOT_LATEST` (28) ``filterDataNotLatestRemark``.
/// - Then, if `enablePropertyFilter` is false: `SYSTEM_ERROR` (1) with ``notSupportedRemark(expressionType:)``.
/// - Then each candidate message is kept when `SQLExpression.matches` is true for its stored properties (all of
///   them, `TAGS` included; see ``SQLExpression``); retry topics (`%RETRY%group`) are subscribed with `*` and are not SQL-filtered unless
///   `filterSupportRetry` (default false) is on, in which case the filter registered for the message's
///   `RETRY_TOPIC` and the group applies. Non-matching messages are skipped like tag misses
///   (`NO_MATCHED_MESSAGE` → `PULL_RETRY_IMMEDIATELY` when nothing matched).
public enum SQLFilter {
    /// `ExpressionType.SQL92`.
    public static let sql92 = "SQL92"
    /// `ExpressionType.TAG`.
    public static let tag = "TAG"

    /// `ExpressionType.isTagType`: null, empty or `TAG`.
    public static func isTagType(_ expressionType: String?) -> Bool {
        guard let expressionType else { return true }
        return expressionType.isEmpty || expressionType == tag
    }

    /// `FilterFactory.INSTANCE.get(type).compile(expression)`: SQL92 compiles; any other type has no filter and
    /// Java throws a NullPointerException whose message (Java 17's helpful message) is the remark.
    public static func compile(expressionType: String, expression: String) throws(SQLFilterError) -> SQLExpression {
        guard expressionType == sql92 else {
            throw SQLFilterError(
                kind: .unsupportedExpressionType,
                remark: "Cannot invoke \"org.apache.rocketmq.filter.FilterSpi.compile(String)\" because the return "
                    + "value of \"org.apache.rocketmq.filter.FilterFactory.get(String)\" is null")
        }
        return try SQLExpression.parse(expression)
    }

    /// Remark of `SYSTEM_ERROR` in CHECK_CLIENT_CONFIG and PULL_MESSAGE when `enablePropertyFilter` is false.
    public static func notSupportedRemark(expressionType: String) -> String {
        "The broker does not support consumer to filter message by " + expressionType
    }

    /// PULL_MESSAGE `SUBSCRIPTION_PARSE_FAILED` remark (subscription flag set, `FilterAPI.build` threw).
    public static let pullSubscriptionParseFailedRemark = "parse the consumer's subscription failed"

    /// PULL_MESSAGE `FILTER_DATA_NOT_EXIST` remark.
    public static let filterDataNotExistRemark =
        "The broker's consumer filter data is not exist!Your expression may be wrong!"

    /// PULL_MESSAGE `FILTER_DATA_NOT_LATEST` remark.
    public static let filterDataNotLatestRemark = "the consumer's consumer filter data not latest"
}
