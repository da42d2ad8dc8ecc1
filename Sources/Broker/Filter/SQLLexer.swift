// The tokens of RocketMQ 4.9.8's SQL92 selector grammar (`SelectorParser.jj`, JavaCC, IGNORE_CASE), matched
// longest-first with JavaCC's tie rule (the earlier declared kind wins, so keywords beat identifiers), over the
// expression's UTF-16 code units as Java's `SimpleCharStream` reads them. Lexical errors carry `TokenMgrError`'s
// message, including its quirks (the offending character is reported as `<EOF>` when it is the last one).

/// Token kinds; raw values are JavaCC's kind numbers, which order the "Was expecting" lists.
enum SQLTokenKind: UInt8 {
    case eof = 0
    case not = 8, and, or, between, `in`, `true`, `false`, null, `is`
    case decimal = 17, float = 18
    case string = 20, identifier = 21
    case equal = 22, notEqual, greater, greaterOrEqual, less, lessOrEqual
    case leftParenthesis = 28, comma, rightParenthesis, plus, minus

    /// JavaCC's `tokenImage` entry.
    var image: String {
        switch self {
        case .eof: return "<EOF>"
        case .not: return "\"NOT\""
        case .and: return "\"AND\""
        case .or: return "\"OR\""
        case .between: return "\"BETWEEN\""
        case .in: return "\"IN\""
        case .true: return "\"TRUE\""
        case .false: return "\"FALSE\""
        case .null: return "\"NULL\""
        case .is: return "\"IS\""
        case .decimal: return "<DECIMAL_LITERAL>"
        case .float: return "<FLOATING_POINT_LITERAL>"
        case .string: return "<STRING_LITERAL>"
        case .identifier: return "<ID>"
        case .equal: return "\"=\""
        case .notEqual: return "\"<>\""
        case .greater: return "\">\""
        case .greaterOrEqual: return "\">=\""
        case .less: return "\"<\""
        case .lessOrEqual: return "\"<=\""
        case .leftParenthesis: return "\"(\""
        case .comma: return "\",\""
        case .rightParenthesis: return "\")\""
        case .plus: return "\"+\""
        case .minus: return "\"-\""
        }
    }

    var bit: UInt64 { 1 << UInt64(rawValue) }
}

/// A set of token kinds.
struct SQLTokenSet: OptionSet {
    var rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }

    init(_ kinds: SQLTokenKind...) {
        self.rawValue = kinds.reduce(0) { $0 | $1.bit }
    }

    func contains(_ kind: SQLTokenKind) -> Bool { rawValue & kind.bit != 0 }

    mutating func insert(_ kind: SQLTokenKind) { rawValue |= kind.bit }

    /// The kinds in JavaCC order.
    var kinds: [SQLTokenKind] {
        (0..<64).compactMap { rawValue & (1 << UInt64($0)) != 0 ? SQLTokenKind(rawValue: UInt8($0)) : nil }
    }
}

struct SQLToken {
    var kind: SQLTokenKind
    /// UTF-16 offsets of the image.
    var start: Int
    var end: Int
}

struct SQLLexer {
    let units: [UInt16]
    private var index = 0

    init(_ units: [UInt16]) {
        self.units = units
    }

    private static let keywords: [(String, SQLTokenKind)] = [
        ("NOT", .not), ("AND", .and), ("OR", .or), ("BETWEEN", .between), ("IN", .in),
        ("TRUE", .true), ("FALSE", .false), ("NULL", .null), ("IS", .is),
    ]

    @inline(__always) private static func isDigit(_ u: UInt16) -> Bool { u >= 0x30 && u <= 0x39 }

    @inline(__always) private static func isIdentifierStart(_ u: UInt16) -> Bool {
        (u >= 0x61 && u <= 0x7A) || (u >= 0x41 && u <= 0x5A) || u == 0x5F || u == 0x24
    }

    @inline(__always) private static func isIdentifierPart(_ u: UInt16) -> Bool {
        isIdentifierStart(u) || isDigit(u)
    }

    /// The next token; after the input, `<EOF>` again and again.
    mutating func next() throws(SQLFilterError) -> SQLToken {
        let count = units.count
        while index < count {
            let start = index
            let unit = units[start]
            switch unit {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:  // white space
                index += 1
                continue
            case 0x2D:  // "-", or a line comment when "--" runs into a line end
                if start + 1 < count && units[start + 1] == 0x2D {
                    var cursor = start + 2
                    while cursor < count && units[cursor] != 0x0A && units[cursor] != 0x0D { cursor += 1 }
                    if cursor < count {
                        cursor += units[cursor] == 0x0D && cursor + 1 < count && units[cursor + 1] == 0x0A ? 2 : 1
                        index = cursor
                        continue
                    }
                }
                return token(.minus, start, start + 1)
            case 0x2F:  // "/": only block comments start with it
                guard start + 1 < count, units[start + 1] == 0x2A else {
                    throw lexicalError(start: start, processed: start + 1 < count ? 2 : 1)
                }
                var cursor = start + 2
                var closed = false
                while cursor + 1 < count {
                    if units[cursor] == 0x2A && units[cursor + 1] == 0x2F {
                        closed = true
                        break
                    }
                    cursor += 1
                }
                guard closed else { throw lexicalError(start: start, processed: count - start) }
                index = cursor + 2
                continue
            case 0x27:  // string literal
                var cursor = start + 1
                var end: Int?
                while cursor < count {
                    if units[cursor] == 0x27 {
                        end = cursor + 1
                        guard cursor + 1 < count, units[cursor + 1] == 0x27 else { break }
                        cursor += 2
                    } else {
                        cursor += 1
                    }
                }
                guard let end else { throw lexicalError(start: start, processed: count - start) }
                return token(.string, start, end)
            case 0x2E:  // ".5"
                guard start + 1 < count, Self.isDigit(units[start + 1]) else {
                    throw lexicalError(start: start, processed: start + 1 < count ? 2 : 1)
                }
                var cursor = start + 1
                while cursor < count && Self.isDigit(units[cursor]) { cursor += 1 }
                return token(.float, start, exponentEnd(cursor) ?? cursor)
            case 0x30...0x39:
                var digitsEnd = start
                while digitsEnd < count && Self.isDigit(units[digitsEnd]) { digitsEnd += 1 }
                var decimalEnd = digitsEnd
                if unit == 0x30 {
                    decimalEnd = start + 1
                } else if digitsEnd < count && (units[digitsEnd] == 0x6C || units[digitsEnd] == 0x4C) {
                    decimalEnd = digitsEnd + 1  // "l" / "L" suffix
                }
                var floatEnd: Int?
                if digitsEnd < count && units[digitsEnd] == 0x2E {
                    var cursor = digitsEnd + 1
                    while cursor < count && Self.isDigit(units[cursor]) { cursor += 1 }
                    floatEnd = exponentEnd(cursor) ?? cursor
                } else {
                    floatEnd = exponentEnd(digitsEnd)
                }
                if let floatEnd, floatEnd > decimalEnd {
                    return token(.float, start, floatEnd)
                }
                return token(.decimal, start, decimalEnd)
            case 0x3D:
                return token(.equal, start, start + 1)
            case 0x3C:
                if start + 1 < count && units[start + 1] == 0x3E { return token(.notEqual, start, start + 2) }
                if start + 1 < count && units[start + 1] == 0x3D { return token(.lessOrEqual, start, start + 2) }
                return token(.less, start, start + 1)
            case 0x3E:
                if start + 1 < count && units[start + 1] == 0x3D { return token(.greaterOrEqual, start, start + 2) }
                return token(.greater, start, start + 1)
            case 0x28: return token(.leftParenthesis, start, start + 1)
            case 0x2C: return token(.comma, start, start + 1)
            case 0x29: return token(.rightParenthesis, start, start + 1)
            case 0x2B: return token(.plus, start, start + 1)
            default:
                guard Self.isIdentifierStart(unit) else { throw lexicalError(start: start, processed: 1) }
                var cursor = start + 1
                while cursor < count && Self.isIdentifierPart(units[cursor]) { cursor += 1 }
                return token(keyword(start, cursor) ?? .identifier, start, cursor)
            }
        }
        return SQLToken(kind: .eof, start: count, end: count)
    }

    private mutating func token(_ kind: SQLTokenKind, _ start: Int, _ end: Int) -> SQLToken {
        index = end
        return SQLToken(kind: kind, start: start, end: end)
    }

    /// The end of `[eE][+-]?[0-9]+` at `position`, if there is one.
    private func exponentEnd(_ position: Int) -> Int? {
        let count = units.count
        guard position < count, units[position] == 0x65 || units[position] == 0x45 else { return nil }
        var cursor = position + 1
        if cursor < count && (units[cursor] == 0x2B || units[cursor] == 0x2D) { cursor += 1 }
        guard cursor < count, Self.isDigit(units[cursor]) else { return nil }
        while cursor < count && Self.isDigit(units[cursor]) { cursor += 1 }
        return cursor
    }

    private func keyword(_ start: Int, _ end: Int) -> SQLTokenKind? {
        let length = end - start
        guard length >= 2 && length <= 7 else { return nil }
        outer: for (word, kind) in Self.keywords where word.utf16.count == length {
            for (offset, letter) in word.utf16.enumerated() where units[start + offset] | 0x20 != letter | 0x20 {
                continue outer
            }
            return kind
        }
        return nil
    }

    // MARK: Positions and errors

    /// JavaCC's line and column of the code unit at `offset` (tabs advance to the next multiple of 8).
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 0
        var afterCR = false
        var afterLF = false
        for unit in units[0...offset] {
            column += 1
            if afterLF {
                afterLF = false
                line += 1
                column = 1
            } else if afterCR {
                afterCR = false
                if unit == 0x0A {
                    afterLF = true
                } else {
                    line += 1
                    column = 1
                }
            }
            switch unit {
            case 0x0D: afterCR = true
            case 0x0A: afterLF = true
            case 0x09:
                column -= 1
                column += 8 - column % 8
            default: break
            }
        }
        return (line, column)
    }

    /// Where JavaCC says a token begins; `<EOF>` is placed on the last character (line 0, column 0 for no input).
    func beginPosition(of token: SQLToken) -> (line: Int, column: Int) {
        if token.kind == .eof {
            return units.isEmpty ? (0, 0) : position(of: units.count - 1)
        }
        return position(of: token.start)
    }

    /// `TokenMgrError` after the token automaton read `processed` code units from `start` without matching.
    private func lexicalError(start: Int, processed: Int) -> SQLFilterError {
        let last = start + processed - 1
        var (line, column) = position(of: last)
        let current = units[last]
        let message: String
        if start + processed >= units.count {
            if current == 0x0A || current == 0x0D {
                line += 1
                column = 0
            } else {
                column += 1
            }
            let after = processed <= 1 ? "" : JavaSemantics.escape(units[start..<(start + processed)])
            message = "Lexical error at line \(line), column \(column).  Encountered: <EOF> after : \"\(after)\""
        } else {
            let after = processed <= 1 ? "" : JavaSemantics.escape(units[start..<last])
            message = "Lexical error at line \(line), column \(column).  Encountered: \"\(JavaSemantics.escape(CollectionOfOne(current)))\" (\(current)), after : \"\(after)\""
        }
        return SQLFilterError(
            kind: .lexical, remark: "org.apache.rocketmq.filter.parser.TokenMgrError: " + message,
            line: line, column: column)
    }
}
