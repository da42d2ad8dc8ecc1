#if canImport(Glibc)
import Glibc
#endif

/// A typed view of a command's extFields (Java `CommandCustomHeader`). Decoding checks required
/// (`@CFNotNull`) fields the way Java does; encoding writes every non-nil field as a string.
public protocol CommandCustomHeader: Sendable {
    init(extFields: ExtFields) throws(HeaderError)
    /// Writes every non-nil field; runs twice per ``extFields`` (measure, then write).
    func encode(into fields: inout ExtFields.Layout)
}

extension CommandCustomHeader {
    /// The fields in one allocation.
    public var extFields: ExtFields {
        ExtFields(layout: { encode(into: &$0) })
    }
}

/// A header that cannot be decoded: answered with SYSTEM_ERROR and Java's remark.
public enum HeaderError: Error, Equatable, Sendable {
    /// A required field is absent: `the custom field <name> is null`.
    case missingField(String)
    /// A field's text does not parse as its type (Java's `Integer.parseInt` & co. throw).
    case invalidField(String, value: String)
    /// A body the command needs is absent or unreadable.
    case invalidBody(String)

    public var responseCode: ResponseCode { .systemError }

    public var remark: String {
        switch self {
        case .missingField(let name): "the custom field <\(name)> is null"
        case .invalidField(let name, let value): "the custom field <\(name)> has an invalid value: \(value)"
        case .invalidBody(let reason): reason
        }
    }
}

extension ExtFields {
    public func requiredString(_ name: String) throws(HeaderError) -> String {
        try withRawValue(name) { (value) throws(HeaderError) in
            guard let value else { throw .missingField(name) }
            return FieldText.string(value)
        }
    }

    public func requiredInt32(_ name: String) throws(HeaderError) -> Int32 {
        try withRawValue(name) { (value) throws(HeaderError) in try Self.int32(value, name) }
    }

    public func requiredInt64(_ name: String) throws(HeaderError) -> Int64 {
        try withRawValue(name) { (value) throws(HeaderError) in try Self.int64(value, name) }
    }

    /// Java `Boolean.parseBoolean`: only a case-insensitive "true" is true (C++ sends "0"/"1").
    public func requiredBool(_ name: String) throws(HeaderError) -> Bool {
        try withRawValue(name) { (value) throws(HeaderError) in
            guard let value else { throw .missingField(name) }
            return FieldText.bool(value)
        }
    }

    public func optionalString(_ name: String) -> String? { self[name] }

    /// An optional number; unparsable text counts as absent (Java logs and skips the field).
    public func optionalInt32(_ name: String) -> Int32? {
        withRawValue(name) { $0.flatMap(FieldText.int32) }
    }

    public func optionalInt64(_ name: String) -> Int64? {
        withRawValue(name) { $0.flatMap(FieldText.int64) }
    }

    public func optionalBool(_ name: String) -> Bool? {
        withRawValue(name) { $0.map(FieldText.bool) }
    }

    /// A required Int32 from a field's bytes, with Java's errors.
    static func int32(_ value: UnsafeRawBufferPointer?, _ name: String) throws(HeaderError) -> Int32 {
        guard let value else { throw .missingField(name) }
        guard let number = FieldText.int32(value) else { throw .invalidField(name, value: FieldText.string(value)) }
        return number
    }

    static func int64(_ value: UnsafeRawBufferPointer?, _ name: String) throws(HeaderError) -> Int64 {
        guard let value else { throw .missingField(name) }
        guard let number = FieldText.int64(value) else { throw .invalidField(name, value: FieldText.string(value)) }
        return number
    }

    static func string(_ value: UnsafeRawBufferPointer?, _ name: String) throws(HeaderError) -> String {
        guard let value else { throw .missingField(name) }
        return FieldText.string(value)
    }
}

/// A required number as a typed header's one pass over its fields left it (the last occurrence counts).
enum ParsedField<Value> {
    case missing
    case value(Value)
    case invalid(String)

    @inline(__always)
    init(_ parsed: Value?, _ raw: UnsafeRawBufferPointer) {
        self = parsed.map(Self.value) ?? .invalid(FieldText.string(raw))
    }

    /// The value, or Java's error for a missing or unparsable field.
    func get(_ name: String) throws(HeaderError) -> Value {
        switch self {
        case .missing: throw .missingField(name)
        case .value(let value): return value
        case .invalid(let text): throw .invalidField(name, value: text)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Byte equality with a field name of the same length (callers switch on the length first).
    @inline(__always)
    func equals(_ name: StaticString) -> Bool {
        memcmp(baseAddress!, name.utf8Start, name.utf8CodeUnitCount) == 0
    }
}
