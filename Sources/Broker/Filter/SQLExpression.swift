import RocketMQModel

/// A compiled SQL92 message selector (`MessageSelector.bySql(...)`), matching Apache RocketMQ 4.9.8's
/// `SelectorParser` and expression classes exactly: what compiles, what each message evaluates to, and the error
/// remark Java answers for expressions that do not compile (see ``SQLFilterError``).
///
/// Parse once per subscription, then evaluate per candidate message. Evaluation walks a flat table, does no
/// reference counting on the program and, for ordinary values, no allocation; it never throws (errors are a
/// ``SQLEvaluationResult/failure`` result, as Java's broker swallows them).
///
/// ```swift
/// let selector = try SQLExpression.parse("a > 5 AND color = 'red'")
/// selector.matches(["a": "7", "color": "red"])            // true
/// selector.matches(storedMessage.properties)               // MessageProperties
/// selector.matches { name in lookUp(name) }                 // any lookup, no dictionary needed
/// ```
///
/// ## Language (4.9.8)
/// - Keywords, case-insensitive: `NOT AND OR BETWEEN IN TRUE FALSE NULL IS`. No `LIKE`, no arithmetic, no
///   `CONTAINS`/`STARTSWITH`/`ENDSWITH` (added in later 5.x releases).
/// - `=` `<>` `>` `>=` `<` `<=`, `x [NOT] BETWEEN a AND b`, `p [NOT] IN ('s', ...)` (string literals only, left side a
///   property), `x IS [NOT] NULL`, parentheses, unary `-`, `+` and `NOT`. Precedence from loosest: OR, AND,
///   `= <> IS`, `> >= < <= BETWEEN IN`, unary. `NOT a = 'x'` is `(NOT a) = 'x'`.
/// - Identifiers `[A-Za-z_$][A-Za-z0-9_$]*` (ASCII; no dots or dashes), keywords excluded. Strings in single
///   quotes, `''` for a quote. Integers `0` or `[1-9][0-9]*` with an optional `L` (a Java long; an Integer when it
///   fits; beyond a long is an error); `007` is the integer `0` followed by other tokens. Decimals and exponents
///   (`1.5`, `5.`, `.5`, `1E3`) are doubles and must be at least `Double.MIN_VALUE`, so `0.0` does not compile. No
///   hex or octal. `--` line comments (only with a line end after them) and `/* */` comments.
/// - Java never requires the end of input: `a = 1 ) anything` compiles as `a = 1` (only the first token after a
///   complete expression is lexed, so `a = 1 #` fails, `a = 1 ) #` does not).
///
/// ## Evaluation (`ExpressionMessageFilter.isMatchedByCommitLog`)
/// - A message matches only when the expression evaluates to TRUE; FALSE, NULL (unknown) and evaluation errors
///   (Java exceptions, which the broker logs and swallows) do not match.
/// - Properties are the message's whole stored property map (`MessageDecoder.decodeProperties` of the commit log
///   record): user properties and the system ones the record carries, so `TAGS`, `KEYS`, `UNIQ_KEY`, `WAIT`,
///   `CLUSTER` (added by the broker on send), `DELAY`, `TRAN_MSG`, `RETRY_TOPIC`, … are all visible by name. All
///   values are strings; a missing property is NULL. (Java reads the record's properties length as a signed short,
///   so a message whose properties take more than 32,767 bytes shows no properties at all: every name is NULL.)
/// - `p = 5`: the string is converted to the constant's type (`Integer.parseInt` for small integer constants,
///   `Long.parseLong`, `Double.valueOf`, `Boolean.valueOf` for TRUE/FALSE); an unconvertible string is an error
///   (no match), so `a = 5` with a = `5.0` or `abc` fails while `a = 5.0` with a = `5` matches. `p = 'x'` compares
///   strings exactly. `p > q` with two strings compares them as doubles. `>`… on a non-numeric string is an error.
/// - NULL: comparisons with a missing property are NULL, except `=`/`IS NULL` where two missing sides are equal
///   (TRUE) and a present left side against a missing right side is FALSE. AND/OR are three-valued and short-circuit
///   left to right; NOT NULL is NULL; `IN`/`NOT IN` on a missing property is NULL. A bare property `p` (or `NOT p`)
///   is a boolean cast: FALSE (TRUE) when present, since a string is never a Boolean.
public struct SQLExpression: Sendable, Hashable, CustomStringConvertible {
    /// The source text, as the consumer sent it.
    public let text: String
    private let program: SQLProgram
    private let tree: SQLNode

    /// Longest accepted expression, in UTF-16 code units (Java has no limit).
    public static let maximumLength = 65_536
    /// Deepest accepted parenthesis nesting (Java overflows its stack somewhere past 1,000).
    public static let maximumNesting = 128
    /// Highest accepted operator tree (chains like `a = 1 = 2 = ...`; AND/OR chains and runs of NOT or `-` count
    /// once).
    public static let maximumHeight = 256

    /// Compiles `text` as `SelectorParser.parse(text)` does.
    public static func parse(_ text: String) throws(SQLFilterError) -> SQLExpression {
        let units = Array(text.utf16)
        guard units.count <= maximumLength else {
            throw SQLFilterError(
                kind: .tooLong,
                remark: "java.lang.IllegalArgumentException: expression too long: \(units.count) characters, at most \(maximumLength)")
        }
        let parsed = try SQLParser.parse(units)
        return SQLExpression(text: text, tree: parsed.node, program: SQLProgram(parsed.node))
    }

    private init(text: String, tree: SQLNode, program: SQLProgram) {
        self.text = text
        self.tree = tree
        self.program = program
    }

    /// Java's `toString()` of the compiled expression, e.g. `((a > 5) && (color == 'red'))`.
    public var javaDescription: String { tree.javaDescription }

    public var description: String { text }

    /// The property names the expression reads, in order of first use.
    public var propertyNames: [String] { program.names }

    public static func == (lhs: SQLExpression, rhs: SQLExpression) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    // MARK: Evaluation

    /// Evaluates against properties provided by `lookup` (nil: the message has no such property).
    public func evaluate(_ lookup: (String) -> String?) -> SQLEvaluationResult {
        do {
            switch try program.evaluate(program.root, lookup) {
            case .bool(let value): return value ? .true : .false
            case .null: return .null
            default: return .failure
            }
        } catch {
            return .failure
        }
    }

    /// Whether a message with these properties is delivered: the expression is TRUE.
    public func matches(_ lookup: (String) -> String?) -> Bool {
        evaluate(lookup) == .true
    }

    public func matches(_ properties: [String: String]) -> Bool {
        matches { properties[$0] }
    }

    public func matches(_ properties: MessageProperties) -> Bool {
        matches { properties[$0] }
    }

    public func evaluate(_ properties: [String: String]) -> SQLEvaluationResult {
        evaluate { properties[$0] }
    }

    public func evaluate(_ properties: MessageProperties) -> SQLEvaluationResult {
        evaluate { properties[$0] }
    }
}

/// What an expression evaluates to for one message. Only ``true`` delivers the message.
public enum SQLEvaluationResult: Sendable, Hashable {
    case `true`
    case `false`
    /// Unknown: the result depends on a missing property.
    case null
    /// Java throws (a string that does not convert to the compared number, a boolean compared with a string, …);
    /// the broker logs it and does not deliver the message.
    case failure
}

// MARK: - Program

/// The expression flattened into tables and evaluated by index. Operations hold only indices, and the tables are
/// plain buffers owned by the program, so evaluating costs no reference counting beyond the values themselves.
/// Immutable after `init`, hence `@unchecked Sendable`.
private final class SQLProgram: @unchecked Sendable {
    enum Op {
        case constant(Int)
        case property(Int)
        /// Runs of `-`: odd counts negate, even counts keep numbers; anything else is NULL.
        case negate(Int, odd: Bool)
        case not(Int)
        case booleanCast(Int)
        case equal(Int, Int)
        case compare(SQLCompareOperator, Int, Int)
        /// Operands are `operands[start..<start + count]`.
        case and(start: Int, count: Int)
        case or(start: Int, count: Int)
        case inList(name: Int, set: Int, negated: Bool)
    }

    private let ops: UnsafeMutableBufferPointer<Op>
    private let operands: UnsafeMutableBufferPointer<Int>
    private let constants: UnsafeMutableBufferPointer<SQLValue>
    private let nameTable: UnsafeMutableBufferPointer<String>
    private let sets: UnsafeMutableBufferPointer<SQLStringSet>
    let root: Int
    /// Property names, each once, in order of first use.
    let names: [String]

    init(_ tree: SQLNode) {
        var builder = Builder()
        root = builder.add(tree)
        ops = Self.copy(builder.ops)
        operands = Self.copy(builder.operands)
        constants = Self.copy(builder.constants)
        nameTable = Self.copy(builder.names)
        sets = Self.copy(builder.sets)
        names = builder.names
    }

    deinit {
        for buffer in [ops.deinitialize(), operands.deinitialize(), constants.deinitialize(),
                       nameTable.deinitialize(), sets.deinitialize()] {
            buffer.deallocate()
        }
    }

    private static func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
    }

    private struct Builder {
        var ops: [Op] = []
        var operands: [Int] = []
        var constants: [SQLValue] = []
        var names: [String] = []
        var sets: [SQLStringSet] = []

        mutating func name(_ name: String) -> Int {
            if let index = names.firstIndex(of: name) { return index }
            names.append(name)
            return names.count - 1
        }

        mutating func append(_ op: Op) -> Int {
            ops.append(op)
            return ops.count - 1
        }

        mutating func add(_ node: SQLNode) -> Int {
            switch node {
            case .constant(let value, _):
                constants.append(value)
                return append(.constant(constants.count - 1))
            case .property(let property):
                return append(.property(name(property)))
            case .negate(let inner, let count):
                let child = add(inner)
                return append(.negate(child, odd: count % 2 == 1))
            case .not(let inner, let count):
                // The operand is boolean-valued (TRUE, FALSE or NULL), so NOT NOT x is x.
                let child = add(inner)
                return count % 2 == 1 ? append(.not(child)) : child
            case .booleanCast(let property):
                return append(.booleanCast(name(property)))
            case .equal(let left, let right):
                let l = add(left)
                let r = add(right)
                return append(.equal(l, r))
            case .compare(let op, let left, let right):
                let l = add(left)
                let r = add(right)
                return append(.compare(op, l, r))
            case .logic(let isAnd, let children):
                let indices = children.map { add($0) }
                let start = operands.count
                operands.append(contentsOf: indices)
                return append(isAnd ? .and(start: start, count: indices.count) : .or(start: start, count: indices.count))
            case .inList(let property, let values, let negated):
                sets.append(SQLStringSet(values))
                return append(.inList(name: name(property), set: sets.count - 1, negated: negated))
            }
        }
    }

    struct Failure: Error {}

    /// Java's `evaluate`: a Boolean, NULL, or (for operands) a number or string; throws where Java throws.
    func evaluate(_ index: Int, _ lookup: (String) -> String?) throws(Failure) -> SQLValue {
        switch ops[index] {
        case .constant(let constant):
            return constants[constant]
        case .property(let name):
            guard let value = lookup(nameTable[name]) else { return .null }
            return .string(value)
        case .negate(let child, let odd):
            switch try evaluate(child, lookup) {
            case .int(let v): return .int(odd ? 0 &- v : v)
            case .long(let v): return .long(odd ? 0 &- v : v)
            case .double(let v): return .double(odd ? -v : v)
            default: return .null
            }
        case .not(let child):
            guard case .bool(let value) = try evaluate(child, lookup) else { return .null }
            return .bool(!value)
        case .booleanCast(let name):
            // A property value is a String, never a Boolean.
            return lookup(nameTable[name]) == nil ? .null : .bool(false)
        case .equal(let l, let r):
            let lv = try evaluate(l, lookup)
            let rv = try evaluate(r, lookup)
            switch (lv, rv) {
            case (.null, .null): return .bool(true)
            case (.null, _): return .null
            case (_, .null): return .bool(false)
            case (.string(let ls), .string(let rs)): return .bool(JavaSemantics.stringsEqual(ls, rs))
            default: break
            }
            if JavaSemantics.javaEquals(lv, rv) { return .bool(true) }
            switch JavaSemantics.compare(lv, rv) {
            case .success(let order): return .bool(order == 0)
            case .failure: throw Failure()
            }
        case .compare(let op, let l, let r):
            let lv = try evaluate(l, lookup)
            if case .null = lv { return .null }
            let rv = try evaluate(r, lookup)
            if case .null = rv { return .null }
            if case .string(let ls) = lv, case .string(let rs) = rv {
                // Two strings are compared as doubles.
                guard let x = JavaSemantics.javaDouble(ls), let y = JavaSemantics.javaDouble(rs) else { throw Failure() }
                return .bool(op.holds(JavaSemantics.compareDoubles(x, y)))
            }
            switch JavaSemantics.compare(lv, rv) {
            case .success(let order): return .bool(op.holds(order))
            case .failure: throw Failure()
            }
        case .and(let start, let count):
            var unknown = false
            for position in start..<(start + count) {
                switch try evaluate(operands[position], lookup) {
                case .bool(false): return .bool(false)
                case .bool(true): break
                default: unknown = true
                }
            }
            return unknown ? .null : .bool(true)
        case .or(let start, let count):
            var unknown = false
            for position in start..<(start + count) {
                switch try evaluate(operands[position], lookup) {
                case .bool(true): return .bool(true)
                case .bool(false): break
                default: unknown = true
                }
            }
            return unknown ? .null : .bool(false)
        case .inList(let name, let set, let negated):
            guard let value = lookup(nameTable[name]) else { return .null }
            return .bool(sets[set].contains(value) != negated)
        }
    }
}

/// The values of an IN list, compared as Java's `String.equals` does (code units, no Unicode normalization).
private struct SQLStringSet: Sendable {
    private struct Key: Hashable, Sendable {
        let string: String
        static func == (a: Key, b: Key) -> Bool { JavaSemantics.stringsEqual(a.string, b.string) }
        func hash(into hasher: inout Hasher) {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }

    private let list: [String]
    private let set: Set<Key>?

    init(_ values: [String]) {
        if values.count <= 8 {
            list = values
            set = nil
        } else {
            list = []
            set = Set(values.map(Key.init))
        }
    }

    func contains(_ value: String) -> Bool {
        if let set { return set.contains(Key(string: value)) }
        return list.contains { JavaSemantics.stringsEqual($0, value) }
    }
}
