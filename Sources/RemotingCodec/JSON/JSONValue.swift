/// A JSON value in fastjson's dialect (§1.9): object keys may be strings, bare numbers or whole
/// objects (`Map<MessageQueue, …>`), and numbers keep their literal text so longs stay exact.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func number(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }
    public static func number(_ value: Double) -> JSONValue { .number(JavaDouble.toString(value)) }
}

/// A JSON object's members in document order. Lookup is linear: bodies are small, and order matters
/// for writing what Java writes.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Equatable {
        public var key: JSONValue
        public var value: JSONValue
        public init(key: JSONValue, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init() { members = [] }
    public init(_ members: [Member]) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: .string($0.0), value: $0.1) }
    }

    /// The value of a string-keyed member; a bare numeric key `{0:…}` also matches `"0"`.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members.reversed() {
                switch member.key {
                case .string(let name) where name == key: return member.value
                case .number(let text) where text == key: return member.value
                default: continue
                }
            }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == .string(key) }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: .string(key), value: newValue))
            }
        }
    }

    /// Appends a string-keyed member (no duplicate check): for writers building Java's field order.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append(Member(key: .string(key), value: value))
    }

    /// Appends a member whose key is not a string (fastjson writes these unquoted).
    public mutating func append(key: JSONValue, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
    }
}

// MARK: Lenient accessors, as fastjson converts when it binds JSON to a Java bean.

extension JSONValue {
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// A string; numbers and booleans become their text (fastjson binds them to String fields).
    public var stringValue: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// An integral number, also from a numeric string (`"subVersion":"1795564448006"` from C++).
    public var int64Value: Int64? {
        switch self {
        case .number(let text), .string(let text):
            if let value = Int64(text) { return value }
            if let double = Double(text), double.rounded() == double, let value = Int64(exactly: double) {
                return value
            }
            return nil
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    public var int32Value: Int32? { int64Value.flatMap { Int32(exactly: $0) } }
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    public var doubleValue: Double? {
        switch self {
        case .number(let text), .string(let text): Double(text)
        default: nil
        }
    }

    /// A boolean; fastjson also reads `"true"`/`"false"` strings and 0/1.
    public var boolValue: Bool? {
        switch self {
        case .bool(let flag): flag
        case .string(let text): text.lowercased() == "true" ? true : (text.lowercased() == "false" ? false : nil)
        case .number(let text): text == "0" ? false : (Int64(text) != nil ? true : nil)
        default: nil
        }
    }

    /// A Java enum given by name (Java) or ordinal (C++ sends ordinals, §3.3.8).
    public func enumValue<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> E?
    where E.RawValue == String {
        switch self {
        case .string(let name):
            if let value = E(rawValue: name) { return value }
            if let ordinal = Int(name) { return Self.ordinal(ordinal, of: type) }
            return nil
        case .number(let text):
            guard let ordinal = Int(text) else { return nil }
            return Self.ordinal(ordinal, of: type)
        default:
            return nil
        }
    }

    private static func ordinal<E: CaseIterable>(_ ordinal: Int, of type: E.Type) -> E? {
        let all = Array(E.allCases)
        return all.indices.contains(ordinal) ? all[ordinal] : nil
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// Java's `Double.toString` for the values RocketMQ bodies carry (rates, ratios).
public enum JavaDouble {
    public static func toString(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(), abs(value) < 1e7 {
            return String(Int64(value)) + ".0"
        }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e7 {
            return "\(value)"
        }
        // Scientific notation as Java prints it: 1.0E7, 1.234E-5.
        let exponent = Int(magnitude.log10Floor)
        let mantissa = value / pow10(exponent)
        var text = "\(mantissa)"
        if !text.contains(".") { text += ".0" }
        return text + "E\(exponent)"
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<exponent { result *= 10 } } else { for _ in 0..<(-exponent) { result /= 10 } }
        return result
    }
}

extension Double {
    fileprivate var log10Floor: Double {
        var exponent = 0.0
        var value = self
        while value >= 10 { value /= 10; exponent += 1 }
        while value < 1 && value > 0 { value *= 10; exponent -= 1 }
        return exponent
    }
}
