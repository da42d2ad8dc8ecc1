/// A typed view of a command's extFields (Java `CommandCustomHeader`). Decoding checks required
/// (`@CFNotNull`) fields the way Java does; encoding writes every non-nil field as a string.
public protocol CommandCustomHeader: Sendable {
    init(extFields: ExtFields) throws(HeaderError)
    func encode(into fields: inout ExtFields)
}

extension CommandCustomHeader {
    public var extFields: ExtFields {
        var fields = ExtFields(minimumCapacity: 16)
        encode(into: &fields)
        return fields
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
    @inlinable
    public func requiredString(_ name: String) throws(HeaderError) -> String {
        guard let value = self[name] else { throw .missingField(name) }
        return value
    }

    @inlinable
    public func requiredInt32(_ name: String) throws(HeaderError) -> Int32 {
        let text = try requiredString(name)
        guard let value = Int32(text) else { throw .invalidField(name, value: text) }
        return value
    }

    @inlinable
    public func requiredInt64(_ name: String) throws(HeaderError) -> Int64 {
        let text = try requiredString(name)
        guard let value = Int64(text) else { throw .invalidField(name, value: text) }
        return value
    }

    /// Java `Boolean.parseBoolean`: only a case-insensitive "true" is true (C++ sends "0"/"1").
    @inlinable
    public func requiredBool(_ name: String) throws(HeaderError) -> Bool {
        Self.parseBoolean(try requiredString(name))
    }

    @inlinable
    public func optionalString(_ name: String) -> String? { self[name] }

    /// An optional number; unparsable text counts as absent (Java logs and skips the field).
    @inlinable
    public func optionalInt32(_ name: String) -> Int32? { self[name].flatMap { Int32($0) } }

    @inlinable
    public func optionalInt64(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }

    @inlinable
    public func optionalBool(_ name: String) -> Bool? { self[name].map(Self.parseBoolean) }

    @inlinable
    static func parseBoolean(_ text: String) -> Bool {
        text.utf8.count == 4 && text.lowercased() == "true"
    }
}
