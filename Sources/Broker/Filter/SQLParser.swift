// The SQL92 selector parser of RocketMQ 4.9.8: the grammar of `SelectorParser.jj` (an LL(1) recursive descent
// with three two-token lookaheads and one unbounded syntactic lookahead for unary "+"), the checks of the Java
// expression factories (`ComparisonExpression.create*`, `UnaryExpression.create*`, `ConstantExpression.create*`,
// `asBooleanExpression`) in the order Java runs them, and JavaCC's error reporting ("Was expecting one of" lists
// every token kind that a choice point tested since the last consumed token).
//
// Java keeps parsing lazily: it lexes a token only when a decision needs it, and it never requires the end of
// input, so `a = 1 ) junk` compiles as `a = 1` (the token after the expression is lexed, the rest is not).

enum SQLCompareOperator: Sendable {
    case greater, greaterOrEqual, less, lessOrEqual

    var symbol: String {
        switch self {
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        case .less: return "<"
        case .lessOrEqual: return "<="
        }
    }

    @inline(__always)
    func holds(_ comparison: Int) -> Bool {
        switch self {
        case .greater: return comparison > 0
        case .greaterOrEqual: return comparison >= 0
        case .less: return comparison < 0
        case .lessOrEqual: return comparison <= 0
        }
    }
}

/// The Java expression tree, with chains of the same prefix operator folded into one node.
indirect enum SQLNode: Sendable {
    /// `ConstantExpression`; `booleanLiteral` marks `BooleanConstantExpression` (TRUE, FALSE, NULL).
    case constant(SQLValue, booleanLiteral: Bool)
    case property(String)
    /// `count` nested `UnaryExpression.createNegate`.
    case negate(SQLNode, count: Int)
    /// `ComparisonExpression` "==" (also IS NULL, which Java builds as `x == NULL`).
    case equal(SQLNode, SQLNode)
    case compare(SQLCompareOperator, SQLNode, SQLNode)
    /// A left-associated chain of `LogicExpression` AND (or OR): `((a && b) && c)`.
    case logic(isAnd: Bool, [SQLNode])
    /// `count` nested `UnaryExpression.createNOT`.
    case not(SQLNode, count: Int)
    /// `UnaryExpression.createBooleanCast` of a property.
    case booleanCast(String)
    case inList(String, [String], negated: Bool)

    /// Java's `instanceof BooleanExpression`.
    var isBoolean: Bool {
        switch self {
        case .constant(_, let booleanLiteral): return booleanLiteral
        case .property, .negate: return false
        case .equal, .compare, .logic, .not, .booleanCast, .inList: return true
        }
    }

    /// Java's `toString()` of the expression, as error messages show it.
    var javaDescription: String {
        switch self {
        case .constant(let value, _):
            switch value {
            case .null: return "NULL"
            case .bool(let b): return b ? "TRUE" : "FALSE"
            case .int(let v): return String(v)
            case .long(let v): return String(v)
            case .double(let v): return JavaSemantics.doubleString(v)
            case .string(let s): return JavaSemantics.encodeString(s)
            }
        case .property(let name), .booleanCast(let name):
            return name
        case .negate(let child, let count):
            return String(repeating: "(- ", count: count) + child.javaDescription + String(repeating: ")", count: count)
        case .not(let child, let count):
            return String(repeating: "(NOT ", count: count) + child.javaDescription + String(repeating: ")", count: count)
        case .equal(let left, let right):
            return "(" + left.javaDescription + " == " + right.javaDescription + ")"
        case .compare(let op, let left, let right):
            return "(" + left.javaDescription + " " + op.symbol + " " + right.javaDescription + ")"
        case .logic(let isAnd, let operands):
            var text = String(repeating: "(", count: operands.count - 1) + operands[0].javaDescription
            for operand in operands.dropFirst() {
                text += (isAnd ? " && " : " || ") + operand.javaDescription + ")"
            }
            return text
        case .inList(let name, let values, let negated):
            // Java keeps fewer than 5 values in a list and more in a HashSet.
            let shown = values.count < 5 ? values : JavaSemantics.hashSetOrder(values)
            return name + (negated ? " NOT IN" : " IN") + " ( " + shown.joined(separator: ", ") + " )"
        }
    }
}

/// A node and the height of its tree (leaves are 1).
struct SQLParsed {
    var node: SQLNode
    var height: Int
}

struct SQLParser {
    private var lexer: SQLLexer
    private var tokens: [SQLToken] = []
    /// Index in `tokens` of the next token to consume.
    private var next = 0
    /// Kinds tested by choice points since the last consumed token (JavaCC's `jj_la1` entries of this generation).
    private var expected = SQLTokenSet()
    private var nesting = 0
    /// The last unary "+" lookahead's primary scan: where it started and where it ended (nil: it failed).
    private var primaryScanCache: (start: Int, end: Int?)?
    /// The last run of prefix operators the lookahead skipped, so that a long run is walked once, not once per "+".
    private var prefixRun: Range<Int>?

    private init(_ units: [UInt16]) {
        self.lexer = SQLLexer(units)
    }

    /// Parses an expression as `SelectorParser.parse` does: `JmsSelector` = `orExpression`, made boolean.
    static func parse(_ units: [UInt16]) throws(SQLFilterError) -> SQLParsed {
        var parser = SQLParser(units)
        let expression = try parser.orExpression()
        return try parser.asBoolean(expression)
    }

    // MARK: Tokens

    private mutating func token(_ index: Int) throws(SQLFilterError) -> SQLToken {
        while tokens.count <= index {
            tokens.append(try lexer.next())
        }
        return tokens[index]
    }

    private mutating func peek(_ ahead: Int = 0) throws(SQLFilterError) -> SQLTokenKind {
        try token(next + ahead).kind
    }

    @discardableResult
    private mutating func consume(_ kind: SQLTokenKind) throws(SQLFilterError) -> SQLToken {
        let current = try token(next)
        guard current.kind == kind else {
            var wanted = expected
            wanted.insert(kind)
            throw syntaxError(wanted)
        }
        next += 1
        expected = []
        return current
    }

    private func image(_ token: SQLToken) -> String {
        String(decoding: lexer.units[token.start..<token.end], as: UTF16.self)
    }

    /// JavaCC's `ParseException` for the next token, listing `wanted`.
    private func syntaxError(_ wanted: SQLTokenSet) -> SQLFilterError {
        let offending = tokens[next]
        let kinds = wanted.kinds
        var message = "Encountered \""
        if !kinds.isEmpty {
            if offending.kind == .eof {
                message += SQLTokenKind.eof.image
            } else {
                message += " " + offending.kind.image + " \""
                    + JavaSemantics.escape(lexer.units[offending.start..<offending.end]) + " \""
            }
        }
        let (line, column) = lexer.beginPosition(of: offending)
        message += "\" at line \(line), column \(column).\n"
        message += kinds.count == 1 ? "Was expecting:\n    " : "Was expecting one of:\n    "
        for kind in kinds {
            message += kind.image + " ...\n    "
        }
        return .parse(message, line: line, column: column)
    }

    // MARK: Grammar

    private mutating func orExpression() throws(SQLFilterError) -> SQLParsed {
        let first = try andExpression()
        var operands: [SQLParsed] = []
        while try peek() == .or {
            consumeKnown()
            let right = try andExpression()
            if operands.isEmpty { operands.append(try asBoolean(first)) }
            operands.append(try asBoolean(right))
        }
        expected.insert(.or)
        return operands.isEmpty ? first : try logic(isAnd: false, operands)
    }

    private mutating func andExpression() throws(SQLFilterError) -> SQLParsed {
        let first = try equalityExpression()
        var operands: [SQLParsed] = []
        while try peek() == .and {
            consumeKnown()
            let right = try equalityExpression()
            if operands.isEmpty { operands.append(try asBoolean(first)) }
            operands.append(try asBoolean(right))
        }
        expected.insert(.and)
        return operands.isEmpty ? first : try logic(isAnd: true, operands)
    }

    private mutating func equalityExpression() throws(SQLFilterError) -> SQLParsed {
        var left = try comparisonExpression()
        while true {
            switch try peek() {
            case .equal:
                consumeKnown()
                let right = try comparisonExpression()
                left = try makeEqual(left, right)
            case .notEqual:
                consumeKnown()
                let right = try comparisonExpression()
                left = try makeNot(try makeEqual(left, right))
            case .is:
                expected.formUnion(SQLTokenSet(.equal, .notEqual))
                if try peek(1) == .null {
                    try consume(.is)
                    try consume(.null)
                    left = try isNull(left)
                } else {
                    try consume(.is)
                    try consume(.not)
                    try consume(.null)
                    left = try makeNot(try isNull(left))
                }
            default:
                expected.formUnion(SQLTokenSet(.is, .equal, .notEqual))
                return left
            }
        }
    }

    private mutating func comparisonExpression() throws(SQLFilterError) -> SQLParsed {
        var left = try unaryExpression()
        while true {
            let kind = try peek()
            switch kind {
            case .greater, .greaterOrEqual, .less, .lessOrEqual:
                consumeKnown()
                let right = try unaryExpression()
                let op: SQLCompareOperator =
                    kind == .greater ? .greater : kind == .greaterOrEqual ? .greaterOrEqual
                    : kind == .less ? .less : .lessOrEqual
                left = try makeCompare(op, left, right)
            case .between:
                consumeKnown()
                let low = try unaryExpression()
                try consume(.and)
                let high = try unaryExpression()
                left = try makeBetween(left, low, high)
            case .not, .in:
                expected.formUnion(SQLTokenSet(.between, .greater, .greaterOrEqual, .less, .lessOrEqual))
                if kind == .not, try peek(1) == .between {
                    try consume(.not)
                    try consume(.between)
                    let low = try unaryExpression()
                    try consume(.and)
                    let high = try unaryExpression()
                    left = try makeNotBetween(left, low, high)
                } else if kind == .in {
                    consumeKnown()
                    let values = try inValues()
                    left = try makeIn(left, values, negated: false)
                } else {
                    expected.insert(.in)
                    guard try peek(1) == .in else { throw syntaxError(expected) }
                    try consume(.not)
                    try consume(.in)
                    let values = try inValues()
                    left = try makeIn(left, values, negated: true)
                }
            default:
                expected.formUnion(
                    SQLTokenSet(.not, .between, .in, .greater, .greaterOrEqual, .less, .lessOrEqual))
                return left
            }
        }
    }

    private mutating func inValues() throws(SQLFilterError) -> [String] {
        try consume(.leftParenthesis)
        var values = [stringValue(try consume(.string))]
        while try peek() == .comma {
            consumeKnown()
            values.append(stringValue(try consume(.string)))
        }
        expected.insert(.comma)
        try consume(.rightParenthesis)
        return values
    }

    /// `unaryExpr`, with runs of prefix operators read in a loop rather than by recursion.
    private mutating func unaryExpression() throws(SQLFilterError) -> SQLParsed {
        var prefixes: [SQLTokenKind] = []
        while true {
            let kind = try peek()
            if kind == .plus {
                // LOOKAHEAD("+" unaryExpr()): take the "+" only if a whole unary expression follows it.
                var cursor = next + 1
                if try scanUnary(&cursor) {
                    consumeKnown()
                    continue
                }
            }
            switch kind {
            case .minus, .not:
                consumeKnown()
                prefixes.append(kind)
            case .true, .false, .null, .decimal, .float, .string, .identifier, .leftParenthesis:
                var result = try primaryExpression()
                for prefix in prefixes.reversed() {
                    result = prefix == .minus ? try makeNegate(result) : try makeNot(try asBoolean(result))
                }
                return result
            default:
                expected.formUnion(
                    SQLTokenSet(
                        .not, .true, .false, .null, .decimal, .float, .string, .identifier, .leftParenthesis, .minus))
                throw syntaxError(expected)
            }
        }
    }

    private mutating func primaryExpression() throws(SQLFilterError) -> SQLParsed {
        let current = try token(next)
        switch current.kind {
        case .string:
            consumeKnown()
            return SQLParsed(node: .constant(.string(stringValue(current)), booleanLiteral: false), height: 1)
        case .decimal:
            consumeKnown()
            return SQLParsed(node: .constant(try decimalLiteral(image(current)), booleanLiteral: false), height: 1)
        case .float:
            consumeKnown()
            return SQLParsed(node: .constant(try floatLiteral(image(current)), booleanLiteral: false), height: 1)
        case .true, .false, .null:
            consumeKnown()
            let value: SQLValue = current.kind == .null ? .null : .bool(current.kind == .true)
            return SQLParsed(node: .constant(value, booleanLiteral: true), height: 1)
        case .identifier:
            consumeKnown()
            return SQLParsed(node: .property(image(current)), height: 1)
        case .leftParenthesis:
            consumeKnown()
            nesting += 1
            guard nesting <= SQLExpression.maximumNesting else { throw SQLFilterError.tooDeep }
            let inner = try orExpression()
            try consume(.rightParenthesis)
            nesting -= 1
            return inner
        default:
            expected.formUnion(
                SQLTokenSet(.true, .false, .null, .decimal, .float, .string, .identifier, .leftParenthesis))
            throw syntaxError(expected)
        }
    }

    /// Consumes the next token, whose kind the caller has just checked.
    private mutating func consumeKnown() {
        next += 1
        expected = []
    }

    // MARK: Literals

    /// `stringLitteral`: drop the quotes, `''` stands for one quote.
    private func stringValue(_ token: SQLToken) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(token.end - token.start - 2)
        var index = token.start + 1
        while index < token.end - 1 {
            let unit = lexer.units[index]
            if unit == 0x27 { index += 1 }
            units.append(unit)
            index += 1
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// `ConstantExpression.createFromDecimal`: a Java long (an `l`/`L` suffix dropped), an Integer when it fits.
    private func decimalLiteral(_ text: String) throws(SQLFilterError) -> SQLValue {
        var digits = Substring(text)
        if digits.hasSuffix("l") || digits.hasSuffix("L") { digits = digits.dropLast() }
        guard let value = Int64(digits) else {
            throw SQLFilterError(
                kind: .numberFormat,
                remark: "java.lang.NumberFormatException: " + JavaSemantics.integerFormatMessage(String(digits)))
        }
        if let small = Int32(exactly: value) { return .int(small) }
        return .long(value)
    }

    /// `ConstantExpression.createFloat`: rejects infinity and anything below `Double.MIN_VALUE`, zero included.
    private func floatLiteral(_ text: String) throws(SQLFilterError) -> SQLValue {
        let value = Double(text) ?? .nan
        if value > Double.greatestFiniteMagnitude {
            throw .runtime(text + " is greater than 1.7976931348623157E308")
        }
        if value < Double.leastNonzeroMagnitude {
            throw .runtime(text + " is less than 4.9E-324")
        }
        return .double(value)
    }

    // MARK: Expression factories

    private func make(_ node: SQLNode, _ children: SQLParsed...) throws(SQLFilterError) -> SQLParsed {
        let height = 1 + children.reduce(0) { max($0, $1.height) }
        guard height <= SQLExpression.maximumHeight else { throw SQLFilterError.tooDeep }
        return SQLParsed(node: node, height: height)
    }

    private func logic(isAnd: Bool, _ operands: [SQLParsed]) throws(SQLFilterError) -> SQLParsed {
        let height = 1 + operands.reduce(0) { max($0, $1.height) }
        guard height <= SQLExpression.maximumHeight else { throw SQLFilterError.tooDeep }
        return SQLParsed(node: .logic(isAnd: isAnd, operands.map(\.node)), height: height)
    }

    /// `asBooleanExpression`: boolean expressions as they are, a property cast, anything else rejected.
    private func asBoolean(_ value: SQLParsed) throws(SQLFilterError) -> SQLParsed {
        if value.node.isBoolean { return value }
        if case .property(let name) = value.node {
            return SQLParsed(node: .booleanCast(name), height: value.height)
        }
        throw .parse(
            "Expression will not result in a boolean value: " + value.node.javaDescription, kind: .notBoolean)
    }

    private func makeNot(_ value: SQLParsed) throws(SQLFilterError) -> SQLParsed {
        if case .not(let inner, let count) = value.node {
            return SQLParsed(node: .not(inner, count: count + 1), height: value.height)
        }
        return try make(.not(value.node, count: 1), value)
    }

    private func makeNegate(_ value: SQLParsed) throws(SQLFilterError) -> SQLParsed {
        if case .negate(let inner, let count) = value.node {
            return SQLParsed(node: .negate(inner, count: count + 1), height: value.height)
        }
        return try make(.negate(value.node, count: 1), value)
    }

    /// `checkLessThanOperand`: only numeric constants and non-boolean expressions.
    private func checkOrderable(_ value: SQLParsed) throws(SQLFilterError) {
        if case .constant(let constant, _) = value.node {
            switch constant {
            case .int, .long, .double: return
            default: throw .runtime("Value '" + value.node.javaDescription + "' cannot be compared.")
            }
        }
        if value.node.isBoolean {
            throw .runtime("Value '" + value.node.javaDescription + "' cannot be compared.")
        }
    }

    private func makeEqual(_ left: SQLParsed, _ right: SQLParsed) throws(SQLFilterError) -> SQLParsed {
        // checkEqualOperand on both sides: no NULL literal.
        for side in [left, right] {
            if case .constant(.null, _) = side.node {
                throw .runtime("'" + side.node.javaDescription + "' cannot be compared.")
            }
        }
        // checkEqualOperandCompatability: a TRUE/FALSE literal only against another one (left side only).
        if case .constant(_, true) = left.node, case .constant(_, false) = right.node {
            throw .runtime(
                "'" + left.node.javaDescription + "' cannot be compared with '" + right.node.javaDescription + "'")
        }
        return try make(.equal(left.node, right.node), left, right)
    }

    private func isNull(_ value: SQLParsed) throws(SQLFilterError) -> SQLParsed {
        let null = SQLParsed(node: .constant(.null, booleanLiteral: true), height: 1)
        return try make(.equal(value.node, null.node), value, null)
    }

    private func makeCompare(
        _ op: SQLCompareOperator, _ left: SQLParsed, _ right: SQLParsed
    ) throws(SQLFilterError) -> SQLParsed {
        try checkOrderable(left)
        try checkOrderable(right)
        return try make(.compare(op, left.node, right.node), left, right)
    }

    private func makeBetween(
        _ value: SQLParsed, _ low: SQLParsed, _ high: SQLParsed
    ) throws(SQLFilterError) -> SQLParsed {
        if case .constant(let lv, _) = low.node, case .constant(let rv, _) = high.node {
            if case .null = lv { throw .runtime("Illegal values of between, values can not be null!") }
            if case .null = rv { throw .runtime("Illegal values of between, values can not be null!") }
            switch JavaSemantics.compare(rv, lv) {
            case .failure(let failure):
                throw .conversion(failure)
            case .success(let order) where order < 0:
                throw .runtime(
                    "Illegal values of between, left value(\(Self.formatted(lv))) must less than or equal to right value(\(Self.formatted(rv)))"
                )
            case .success:
                break
            }
        }
        let lower = try makeCompare(.greaterOrEqual, value, low)
        let upper = try makeCompare(.lessOrEqual, value, high)
        return try logic(isAnd: true, [lower, upper])
    }

    private func makeNotBetween(
        _ value: SQLParsed, _ low: SQLParsed, _ high: SQLParsed
    ) throws(SQLFilterError) -> SQLParsed {
        let below = try makeCompare(.less, value, low)
        let above = try makeCompare(.greater, value, high)
        return try logic(isAnd: false, [below, above])
    }

    private func makeIn(_ left: SQLParsed, _ values: [String], negated: Bool) throws(SQLFilterError) -> SQLParsed {
        guard case .property(let name) = left.node else {
            throw .runtime("Expected a property for In expression, got: " + left.node.javaDescription)
        }
        return try make(.inList(name, values, negated: negated), left)
    }

    /// `String.format("%s", value)`.
    private static func formatted(_ value: SQLValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .long(let v): return String(v)
        case .double(let v): return JavaSemantics.doubleString(v)
        case .string(let s): return s
        }
    }

    // MARK: Syntactic lookahead for unary "+"

    // A PEG recognizer of the grammar, as JavaCC's `jj_3R_*` scan routines are: ordered alternatives, loops that
    // stop where an iteration fails, no semantic checks. It lexes as far as it looks, so lexical errors surface.

    private mutating func scanUnary(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        if let run = prefixRun, run.contains(cursor) {
            cursor = run.upperBound
        } else {
            let start = cursor
            while true {
                let kind = try token(cursor).kind
                guard kind == .plus || kind == .minus || kind == .not else { break }
                cursor += 1
            }
            if cursor > start { prefixRun = start..<cursor }
        }
        if let cached = primaryScanCache, cached.start == cursor {
            guard let end = cached.end else { return false }
            cursor = end
            return true
        }
        let start = cursor
        let matched = try scanPrimary(&cursor)
        primaryScanCache = (start, matched ? cursor : nil)
        return matched
    }

    private mutating func scanPrimary(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        switch try token(cursor).kind {
        case .string, .decimal, .float, .true, .false, .null, .identifier:
            cursor += 1
            return true
        case .leftParenthesis:
            cursor += 1
            nesting += 1
            defer { nesting -= 1 }
            guard nesting <= SQLExpression.maximumNesting else { throw SQLFilterError.tooDeep }
            guard try scanOr(&cursor), try token(cursor).kind == .rightParenthesis else { return false }
            cursor += 1
            return true
        default:
            return false
        }
    }

    private mutating func scanOr(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try scanAnd(&cursor) else { return false }
        while true {
            let saved = cursor
            if try token(cursor).kind == .or {
                cursor += 1
                if try scanAnd(&cursor) { continue }
            }
            cursor = saved
            return true
        }
    }

    private mutating func scanAnd(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try scanEquality(&cursor) else { return false }
        while true {
            let saved = cursor
            if try token(cursor).kind == .and {
                cursor += 1
                if try scanEquality(&cursor) { continue }
            }
            cursor = saved
            return true
        }
    }

    private mutating func scanEquality(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try scanComparison(&cursor) else { return false }
        while true {
            let saved = cursor
            switch try token(cursor).kind {
            case .equal, .notEqual:
                cursor += 1
                if try scanComparison(&cursor) { continue }
            case .is:
                if try token(cursor + 1).kind == .null {
                    cursor += 2
                    continue
                }
                if try token(cursor + 1).kind == .not, try token(cursor + 2).kind == .null {
                    cursor += 3
                    continue
                }
            default:
                break
            }
            cursor = saved
            return true
        }
    }

    private mutating func scanComparison(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try scanUnary(&cursor) else { return false }
        while true {
            let saved = cursor
            switch try token(cursor).kind {
            case .greater, .greaterOrEqual, .less, .lessOrEqual:
                cursor += 1
                if try scanUnary(&cursor) { continue }
            case .between:
                cursor += 1
                if try scanBetweenBounds(&cursor) { continue }
            case .not:
                if try token(cursor + 1).kind == .between {
                    cursor += 2
                    if try scanBetweenBounds(&cursor) { continue }
                    cursor = saved
                }
                if try token(cursor + 1).kind == .in {
                    cursor += 2
                    if try scanInValues(&cursor) { continue }
                }
            case .in:
                cursor += 1
                if try scanInValues(&cursor) { continue }
            default:
                break
            }
            cursor = saved
            return true
        }
    }

    private mutating func scanBetweenBounds(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try scanUnary(&cursor), try token(cursor).kind == .and else { return false }
        cursor += 1
        return try scanUnary(&cursor)
    }

    private mutating func scanInValues(_ cursor: inout Int) throws(SQLFilterError) -> Bool {
        guard try token(cursor).kind == .leftParenthesis else { return false }
        cursor += 1
        guard try token(cursor).kind == .string else { return false }
        cursor += 1
        while true {
            let saved = cursor
            if try token(cursor).kind == .comma {
                cursor += 1
                if try token(cursor).kind == .string {
                    cursor += 1
                    continue
                }
            }
            cursor = saved
            break
        }
        guard try token(cursor).kind == .rightParenthesis else { return false }
        cursor += 1
        return true
    }
}
