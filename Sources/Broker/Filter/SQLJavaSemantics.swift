// Java library behaviour that the SQL92 filter of RocketMQ 4.9.8 depends on: number parsing (`Integer.parseInt`,
// `Long.parseLong`, `Double.valueOf`), `Comparable.compareTo` across boxed types, `Double.toString`, `String.hashCode`
// and `HashSet` iteration order (for messages), and the JavaCC escaping of error text.

/// A value as the Java filter sees it while evaluating: `null`, `Boolean`, `Integer`, `Long`, `Double` or `String`.
/// Message properties are always strings; numeric and boolean values come only from literals.
@usableFromInline
enum SQLValue: Sendable {
    case null
    case bool(Bool)
    case int(Int32)
    case long(Int64)
    case double(Double)
    case string(String)
}

/// Why a Java conversion inside `ComparisonExpression.__compare` threw.
enum JavaConversionFailure: Error, Equatable {
    /// `NumberFormatException` with this message (wrapped by `__compare` in a `RuntimeException`).
    case numberFormat(String)
    /// `ClassCastException`: `__compare` casts a `Boolean` to `String` when a boolean is compared with a string.
    case booleanCastToString

    /// `Throwable.toString()` of what `__compare` throws.
    var javaThrowableText: String {
        switch self {
        case .numberFormat(let message):
            return "java.lang.RuntimeException: java.lang.NumberFormatException: " + message
        case .booleanCastToString:
            return "java.lang.ClassCastException: class java.lang.Boolean cannot be cast to class java.lang.String "
                + "(java.lang.Boolean and java.lang.String are in module java.base of loader 'bootstrap')"
        }
    }
}

enum JavaSemantics {
    // MARK: Number parsing

    /// `Character.digit(ch, 10)` for one UTF-16 code unit: ASCII digits and every other BMP decimal digit (Nd).
    @inline(__always)
    static func decimalDigit(_ unit: UInt16) -> Int64? {
        if unit >= 0x30 && unit <= 0x39 { return Int64(unit - 0x30) }
        if unit < 0x80 || (unit >= 0xD800 && unit <= 0xDFFF) { return nil }
        guard let scalar = Unicode.Scalar(unit), scalar.properties.numericType == .decimal,
            let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return Int64(value)
    }

    /// `Long.parseLong(s)` / `Integer.parseInt(s)` over UTF-16 code units, bounded by `min...max`: an optional
    /// leading `+` or `-`, then at least one decimal digit (any Unicode Nd digit, as `Character.digit` accepts).
    static func parseJavaInteger(_ string: String, min: Int64, max: Int64) -> Int64? {
        // ASCII text is the same in UTF-8 and UTF-16.
        if let ascii = string.utf8.withContiguousStorageIfAvailable({ bytes -> Int64?? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var iterator = bytes.lazy.map { UInt16($0) }.makeIterator()
            return .some(parseJavaInteger(&iterator, min: min, max: max))
        }), let result = ascii {
            return result
        }
        var iterator = string.utf16.makeIterator()
        return parseJavaInteger(&iterator, min: min, max: max)
    }

    private static func parseJavaInteger<I: IteratorProtocol>(
        _ iterator: inout I, min: Int64, max: Int64
    ) -> Int64? where I.Element == UInt16 {
        guard var unit = iterator.next() else { return nil }
        var negative = false
        if unit < 0x30 {
            if unit == 0x2D {
                negative = true
            } else if unit != 0x2B {
                return nil
            }
            guard let next = iterator.next() else { return nil }
            unit = next
        }
        // Accumulate negatively, as Java does, so that `min` itself is reachable.
        let limit = negative ? min : -max
        var result: Int64 = 0
        while true {
            guard let digit = decimalDigit(unit) else { return nil }
            let (times, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow || times < limit + digit { return nil }
            result = times - digit
            guard let next = iterator.next() else { break }
            unit = next
        }
        return negative ? result : -result
    }

    static func parseJavaInt(_ string: String) -> Int32? {
        parseJavaInteger(string, min: Int64(Int32.min), max: Int64(Int32.max)).map { Int32(truncatingIfNeeded: $0) }
    }

    static func parseJavaLong(_ string: String) -> Int64? {
        parseJavaInteger(string, min: Int64.min, max: Int64.max)
    }

    /// `NumberFormatException.getMessage()` of a failed `Integer.parseInt` / `Long.parseLong`.
    static func integerFormatMessage(_ string: String) -> String {
        "For input string: \"" + string + "\""
    }

    /// `Double.valueOf(s)` (`FloatingDecimal.readJavaFormatString`): trims code units <= U+0020 at both ends, then
    /// accepts `NaN`, `Infinity`, hexadecimal (`0x1.8p1`) and decimal forms with an optional sign, an optional
    /// exponent and an optional trailing `f`, `F`, `d` or `D`. Digits are ASCII only. Nil where Java throws.
    static func javaDouble(_ string: String) -> Double? {
        let parsed = string.utf8.withContiguousStorageIfAvailable { parseDouble($0) }
            ?? Array(string.utf8).withUnsafeBufferPointer { parseDouble($0) }
        if case .value(let value) = parsed { return value }
        return nil
    }

    /// `Double.valueOf(s)` with the `NumberFormatException` message where Java throws one.
    static func parseJavaDouble(_ string: String) -> Result<Double, JavaConversionFailure> {
        let parsed = Array(string.utf8).withUnsafeBufferPointer { parseDouble($0) }
        switch parsed {
        case .value(let value):
            return .success(value)
        case .empty:
            return .failure(.numberFormat("empty String"))
        case .multiplePoints:
            return .failure(.numberFormat("multiple points"))
        case .invalid:
            let units = Array(string.utf16)
            var start = 0
            var end = units.count
            while start < end && units[start] <= 0x20 { start += 1 }
            while end > start && units[end - 1] <= 0x20 { end -= 1 }
            let trimmed = String(decoding: units[start..<end], as: UTF16.self)
            return .failure(.numberFormat("For input string: \"" + trimmed + "\""))
        }
    }

    private enum DoubleParse {
        case value(Double)
        case empty
        case multiplePoints
        case invalid
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private static func isTypeSuffix(_ byte: UInt8) -> Bool {
        byte == 0x66 || byte == 0x46 || byte == 0x64 || byte == 0x44  // f F d D
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses UTF-8 bytes; bytes <= 0x20 are exactly the UTF-16 units Java's `trim` removes.
    private static func parseDouble(_ all: UnsafeBufferPointer<UInt8>) -> DoubleParse {
        var start = 0
        var end = all.count
        while start < end && all[start] <= 0x20 { start += 1 }
        while end > start && all[end - 1] <= 0x20 { end -= 1 }
        guard start < end else { return .empty }
        let s = UnsafeBufferPointer(rebasing: all[start..<end])
        let count = s.count
        var i = 0
        var negative = false
        if s[0] == 0x2D || s[0] == 0x2B {
            negative = s[0] == 0x2D
            i = 1
        }
        guard i < count else { return .invalid }
        if s[i] == 0x4E {  // N
            return s[i...].elementsEqual("NaN".utf8) ? .value(.nan) : .invalid
        }
        if s[i] == 0x49 {  // I
            return s[i...].elementsEqual("Infinity".utf8) ? .value(negative ? -.infinity : .infinity) : .invalid
        }
        if s[i] == 0x30 && i + 1 < count && (s[i + 1] == 0x78 || s[i + 1] == 0x58) {
            guard let length = hexDoubleLength(s, from: i + 2),
                let value = Double(String(decoding: UnsafeBufferPointer(rebasing: s[0..<length]), as: UTF8.self))
            else { return .invalid }
            return .value(value)
        }
        // Mantissa: digits and at most one point, at least one digit. The first 19 significant digits are kept.
        var digits = 0
        var significant = 0
        var mantissa: UInt64 = 0
        var scale = 0
        var pointSeen = false
        while i < count {
            let byte = s[i]
            if isDigit(byte) {
                digits += 1
                if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(byte - 0x30)
                    if mantissa != 0 { significant += 1 }
                    if pointSeen { scale -= 1 }
                } else {
                    significant += 1
                    if !pointSeen { scale += 1 }
                }
            } else if byte == 0x2E {
                if pointSeen { return .multiplePoints }
                pointSeen = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return .invalid }
        if i < count && (s[i] == 0x65 || s[i] == 0x45) {
            i += 1
            var exponentNegative = false
            if i < count && (s[i] == 0x2D || s[i] == 0x2B) {
                exponentNegative = s[i] == 0x2D
                i += 1
            }
            let exponentStart = i
            var exponent = 0
            while i < count && isDigit(s[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(s[i] - 0x30) }
                i += 1
            }
            guard i > exponentStart else { return .invalid }
            scale += exponentNegative ? -exponent : exponent
        }
        let length: Int
        if i == count {
            length = count
        } else if i == count - 1 && isTypeSuffix(s[i]) {
            length = i
        } else {
            return .invalid
        }
        // Exact operands and one rounding (Clinger's fast path), else the correctly rounded library conversion.
        if significant <= 15 && scale >= -22 && scale <= 22 {
            var value = Double(mantissa)
            value = scale < 0 ? value / exactPowersOfTen[-scale] : value * exactPowersOfTen[scale]
            return .value(negative ? -value : value)
        }
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: s[0..<length]), as: UTF8.self))
        else { return .invalid }
        return .value(value)
    }

    /// After `0x`: `(hex+ .? | hex* . hex+)[pP][+-]?digit+[fFdD]?`; the length without a type suffix.
    private static func hexDoubleLength(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = s.count
        var i = start
        var before = 0
        while i < count && isHexDigit(s[i]) {
            i += 1
            before += 1
        }
        var after = 0
        if i < count && s[i] == 0x2E {
            i += 1
            while i < count && isHexDigit(s[i]) {
                i += 1
                after += 1
            }
        }
        guard before + after > 0 else { return nil }
        guard i < count && (s[i] == 0x70 || s[i] == 0x50) else { return nil }
        i += 1
        if i < count && (s[i] == 0x2D || s[i] == 0x2B) { i += 1 }
        let exponentStart = i
        while i < count && isDigit(s[i]) { i += 1 }
        guard i > exponentStart else { return nil }
        if i == count { return count }
        if i == count - 1 && isTypeSuffix(s[i]) { return i }
        return nil
    }

    /// `Boolean.valueOf(s)`: true exactly when `s` is "true" ignoring ASCII case.
    static func parseJavaBoolean(_ string: String) -> Bool {
        var iterator = string.utf8.makeIterator()
        for expected in "true".utf8 {
            guard let byte = iterator.next(), byte | 0x20 == expected else { return false }
        }
        return iterator.next() == nil
    }

    // MARK: Comparison

    /// `String.equals`: the same UTF-16 code units (Swift's `==` would also equate canonically equivalent text).
    @inline(__always)
    static func stringsEqual(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        if let same = a.utf8.withContiguousStorageIfAvailable({ x in
            b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }), let same {
            return same
        }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The sign of `String.compareTo`: UTF-16 code unit order.
    static func compareStrings(_ a: String, _ b: String) -> Int {
        var left = a.utf16.makeIterator()
        var right = b.utf16.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?):
                if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    /// `Double.compare`: numeric order, except that -0.0 < 0.0 and NaN equals itself and is above everything.
    @inline(__always)
    static func compareDoubles(_ a: Double, _ b: Double) -> Int {
        if a < b { return -1 }
        if a > b { return 1 }
        let x = a.isNaN ? Int64(0x7ff8_0000_0000_0000) : Int64(bitPattern: a.bitPattern)
        let y = b.isNaN ? Int64(0x7ff8_0000_0000_0000) : Int64(bitPattern: b.bitPattern)
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    @inline(__always)
    static func sign<T: Comparable>(_ a: T, _ b: T) -> Int {
        a < b ? -1 : (a == b ? 0 : 1)
    }

    /// `ComparisonExpression.__compare(lv, rv, true)`: converts the right (or left) operand to the other's type
    /// where Java does, answers -1 for pairs Java does not convert, and fails where Java throws.
    static func compare(_ lv: SQLValue, _ rv: SQLValue) -> Result<Int, JavaConversionFailure> {
        switch (lv, rv) {
        case (.string(let l), .string(let r)): return .success(compareStrings(l, r))
        case (.int(let l), .int(let r)): return .success(sign(l, r))
        case (.long(let l), .long(let r)): return .success(sign(l, r))
        case (.double(let l), .double(let r)): return .success(compareDoubles(l, r))
        case (.bool(let l), .bool(let r)): return .success(l == r ? 0 : (l ? 1 : -1))

        case (.bool, .string): return .failure(.booleanCastToString)
        case (.bool, _): return .success(-1)

        case (.int(let l), .long(let r)): return .success(sign(Int64(l), r))
        case (.int(let l), .double(let r)): return .success(compareDoubles(Double(l), r))
        case (.int(let l), .string(let r)):
            guard let value = parseJavaInt(r) else { return .failure(.numberFormat(integerFormatMessage(r))) }
            return .success(sign(l, value))

        case (.long(let l), .int(let r)): return .success(sign(l, Int64(r)))
        case (.long(let l), .double(let r)): return .success(compareDoubles(Double(l), r))
        case (.long(let l), .string(let r)):
            guard let value = parseJavaLong(r) else { return .failure(.numberFormat(integerFormatMessage(r))) }
            return .success(sign(l, value))

        case (.double(let l), .int(let r)): return .success(compareDoubles(l, Double(r)))
        case (.double(let l), .long(let r)): return .success(compareDoubles(l, Double(r)))
        case (.double(let l), .string(let r)):
            if let value = javaDouble(r) { return .success(compareDoubles(l, value)) }
            return parseJavaDouble(r).map { compareDoubles(l, $0) }

        case (.string(let l), .bool(let r)):
            let value = parseJavaBoolean(l)
            return .success(value == r ? 0 : (value ? 1 : -1))
        case (.string(let l), .int(let r)):
            guard let value = parseJavaInt(l) else { return .failure(.numberFormat(integerFormatMessage(l))) }
            return .success(sign(value, r))
        case (.string(let l), .long(let r)):
            guard let value = parseJavaLong(l) else { return .failure(.numberFormat(integerFormatMessage(l))) }
            return .success(sign(value, r))
        case (.string(let l), .double(let r)):
            if let value = javaDouble(l) { return .success(compareDoubles(value, r)) }
            return parseJavaDouble(l).map { compareDoubles($0, r) }

        case (.null, _), (_, .null), (.int, .bool), (.long, .bool), (.double, .bool):
            return .success(-1)
        }
    }

    /// `lv.equals(rv)` for the boxed types (same class and value; `Double.equals` compares bit patterns).
    static func javaEquals(_ lv: SQLValue, _ rv: SQLValue) -> Bool {
        switch (lv, rv) {
        case (.null, .null): return true
        case (.bool(let l), .bool(let r)): return l == r
        case (.int(let l), .int(let r)): return l == r
        case (.long(let l), .long(let r)): return l == r
        case (.double(let l), .double(let r)): return compareDoubles(l, r) == 0
        case (.string(let l), .string(let r)): return stringsEqual(l, r)
        default: return false
        }
    }

    // MARK: Text

    /// `Double.toString(d)`: plain notation for 1e-3 <= |d| < 1e7 (at least one fractional digit), otherwise
    /// `d.dddE±n`. Digits are the shortest that round-trip (JDK 19+; JDK 17 prints a longer form for a few values).
    static func doubleString(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        if value == Double.leastNonzeroMagnitude { return "4.9E-324" }
        if value == -Double.leastNonzeroMagnitude { return "-4.9E-324" }
        // Swift's description has the shortest round-trip digits; take them apart.
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var pointPosition = text.count
        for (offset, character) in text.enumerated() {
            if character == "." { pointPosition = offset } else { digits.append(character) }
        }
        // value = 0.digits × 10^(pointPosition + exponent)
        var decimalExponent = pointPosition + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            decimalExponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = value < 0 ? "-" : ""
        let digitArray = Array(digits)
        if decimalExponent > 0 && decimalExponent < 8 {
            var integerPart = ""
            var fraction = ""
            for index in 0..<max(decimalExponent, digitArray.count) {
                let digit = index < digitArray.count ? digitArray[index] : "0"
                if index < decimalExponent { integerPart.append(digit) } else { fraction.append(digit) }
            }
            return sign + integerPart + "." + (fraction.isEmpty ? "0" : fraction)
        }
        if decimalExponent <= 0 && decimalExponent > -3 {
            return sign + "0." + String(repeating: "0", count: -decimalExponent) + digits
        }
        let rest = digitArray.count > 1 ? String(digitArray[1...]) : "0"
        return sign + String(digitArray[0]) + "." + rest + "E" + String(decimalExponent - 1)
    }

    /// `ConstantExpression.encodeString`: single quotes around, inner single quotes doubled.
    static func encodeString(_ string: String) -> String {
        var result = "'"
        for scalar in string.unicodeScalars {
            if scalar == "'" { result.unicodeScalars.append("'") }
            result.unicodeScalars.append(scalar)
        }
        return result + "'"
    }

    /// JavaCC's `add_escapes` / `addEscapes` over UTF-16 code units.
    static func escape<C: Collection>(_ units: C) -> String where C.Element == UInt16 {
        var result = ""
        for unit in units {
            switch unit {
            case 0: continue
            case 0x08: result += "\\b"
            case 0x09: result += "\\t"
            case 0x0A: result += "\\n"
            case 0x0C: result += "\\f"
            case 0x0D: result += "\\r"
            case 0x22: result += "\\\""
            case 0x27: result += "\\'"
            case 0x5C: result += "\\\\"
            default:
                if unit < 0x20 || unit > 0x7E {
                    let hex = String(unit, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
                }
            }
        }
        return result
    }

    /// `String.hashCode()`.
    static func stringHash(_ string: String) -> Int32 {
        var hash: Int32 = 0
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }

    /// Iteration order of `new HashSet<>(list)`: buckets of a table sized for the list, insertion order within a
    /// bucket (tree bins, which need 8 colliding entries, are not modelled).
    static func hashSetOrder(_ list: [String]) -> [String] {
        var unique: [String] = []
        for element in list where !unique.contains(where: { stringsEqual($0, element) }) {
            unique.append(element)
        }
        let wanted = max(Int(Float(list.count) / 0.75) + 1, 16)
        var capacity = 1
        while capacity < wanted { capacity <<= 1 }
        func bucket(_ string: String) -> Int {
            let h = UInt32(bitPattern: stringHash(string))
            return Int((h ^ (h >> 16)) & UInt32(capacity - 1))
        }
        return unique.enumerated()
            .sorted { (bucket($0.element), $0.offset) < (bucket($1.element), $1.offset) }
            .map(\.element)
    }
}
