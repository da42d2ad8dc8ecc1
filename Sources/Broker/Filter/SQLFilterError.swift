/// Why an SQL92 subscription expression did not compile.
///
/// ``remark`` is the exact text a Java 4.9.8 broker (on Java 17) answers a `CHECK_CLIENT_CONFIG` request with
/// when the expression does not compile: `ClientManageProcessor.checkClientConfig` replies
/// `SUBSCRIPTION_PARSE_FAILED` (23) with `remark = e.getMessage()`. For an SQL92 expression `e` is the parser's
/// `MQFilterException`, whose message is the `toString()` of what the parser threw, so the remark starts with that
/// Java class name:
///
/// | ``Kind`` | remark starts with | example tail |
/// |---|---|---|
/// | `.lexical` | `org.apache.rocketmq.filter.parser.TokenMgrError: ` | `Lexical error at line 1, column 5.  Encountered: "#" (35), after : ""` |
/// | `.syntax` | `org.apache.rocketmq.filter.parser.ParseException: ` | `Encountered " "BETWEEN" "between "" at line 1, column 7.\nWas expecting one of:\n    "NOT" ...\n    …` |
/// | `.notBoolean` | `org.apache.rocketmq.filter.parser.ParseException: ` | `Expression will not result in a boolean value: 5` |
/// | `.invalidOperand` | `java.lang.RuntimeException: ` | `Value ''x'' cannot be compared.`, `Illegal values of between, …`, `0.0 is less than 4.9E-324` |
/// | `.numberFormat` | `java.lang.NumberFormatException: ` | `For input string: "99999999999999999999"` (integer literal beyond a Java long) |
/// | `.classCast` | `java.lang.ClassCastException: ` | `BETWEEN 'x' AND TRUE`: the check casts a Boolean to String |
/// | `.tooDeeplyNested` | `java.lang.StackOverflowError` | (no message; Java overflows its stack at about 1,000–1,500 nested parentheses) |
/// | `.tooLong` | `java.lang.IllegalArgumentException: ` | our own limit, Java has none |
/// | `.unsupportedExpressionType` | `Cannot invoke "org.apache.rocketmq.filter.FilterSpi.compile(String)" …` | a type other than `SQL92`/`TAG` (Java's NullPointerException message, no class prefix) |
///
/// `.tooDeeplyNested` and `.tooLong` are this implementation's bounds (``SQLExpression/maximumNesting``,
/// ``SQLExpression/maximumHeight``, ``SQLExpression/maximumLength``); Java accepts somewhat deeper input.
public struct SQLFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A character no token starts with, or an unterminated string literal or block comment.
        case lexical
        /// The tokens do not fit the grammar.
        case syntax
        /// A part that must be boolean (an operand of AND, OR, NOT, or the whole expression) is a number, a string
        /// or an arithmetic negation.
        case notBoolean
        /// An operand the Java expression factories reject: a non-number compared with `>`…, `NULL` with `=`, an
        /// inverted or non-comparable `BETWEEN` range, `IN` on a non-property, a float literal that is 0 or too big.
        case invalidOperand
        /// An integer literal outside Java's `long`.
        case numberFormat
        /// `x BETWEEN <string> AND TRUE|FALSE`, where Java's range check throws a ClassCastException.
        case classCast
        /// Parentheses or chained operators nested beyond this implementation's bound.
        case tooDeeplyNested
        /// Longer than ``SQLExpression/maximumLength`` UTF-16 code units.
        case tooLong
        /// An expression type with no filter (`FilterFactory.get(type)` is null in Java).
        case unsupportedExpressionType
    }

    public let kind: Kind
    /// Java's `CHECK_CLIENT_CONFIG` remark for this failure.
    public let remark: String
    /// JavaCC's 1-based line of the offending token or character (lexical and syntax errors only).
    public let line: Int?
    /// JavaCC's 1-based column (tabs advance to multiples of 8) of the offending token or character.
    public let column: Int?

    public init(kind: Kind, remark: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.remark = remark
        self.line = line
        self.column = column
    }

    public var description: String { remark }

    /// The response code Java uses when this expression fails to compile in `CHECK_CLIENT_CONFIG`:
    /// `SUBSCRIPTION_PARSE_FAILED` (23).
    public static let checkClientConfigResponseCode: Int32 = 23

    static func runtime(_ message: String) -> SQLFilterError {
        SQLFilterError(kind: .invalidOperand, remark: "java.lang.RuntimeException: " + message)
    }

    static func parse(_ message: String, kind: Kind = .syntax, line: Int? = nil, column: Int? = nil) -> SQLFilterError {
        SQLFilterError(
            kind: kind, remark: "org.apache.rocketmq.filter.parser.ParseException: " + message, line: line, column: column)
    }

    static func conversion(_ failure: JavaConversionFailure) -> SQLFilterError {
        switch failure {
        case .numberFormat: return SQLFilterError(kind: .invalidOperand, remark: failure.javaThrowableText)
        case .booleanCastToString: return SQLFilterError(kind: .classCast, remark: failure.javaThrowableText)
        }
    }

    static let tooDeep = SQLFilterError(kind: .tooDeeplyNested, remark: "java.lang.StackOverflowError")
}
